import type { FastifyBaseLogger } from 'fastify';
import type { Verifier } from '../auth/index.js';
import type { Engine } from '../engine/index.js';

/** What a family's routes are given by the HTTP layer. */
export interface Services {
  engine: Engine;
  verifier: Verifier;
  /** The public base URL behind a proxy (`https://lro.example.com`); else taken from the request. */
  publicUrl?: string;
  /** Aborted when the server shuts down: long-polls answer at once. */
  shutdown: AbortSignal;
  /** The server's data directory (embedded database, keys, uploaded files); absent in memory-only setups. */
  dataDir?: string;
  /** Where background work logs its errors; silent when absent. */
  logger?: FastifyBaseLogger;
  /** Called when a long-poll (Prefer: wait) starts holding a request; what it returns, when it stops (metrics). */
  holdLongPoll?: () => () => void;
}
