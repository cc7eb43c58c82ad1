import type { FastifyInstance } from 'fastify';
import type { HandlerDefinition } from '../engine/index.js';
import type { GraphRoute } from '../graph/route.js';
import type { Services } from '../graph/services.js';

/** A family of Graph APIs: its operation handlers and its routes (same shape in every family). */
export interface Family {
  name: string;
  handlers: Readonly<Record<string, HandlerDefinition>>;
  routes(services: Services): GraphRoute[];
  /**
   * Endpoints that are not Graph routes (no bearer token, their own body parsing and errors, e.g.
   * the blob endpoint of industry data upload sessions), registered in a Fastify scope of their own.
   */
  register?(app: FastifyInstance, services: Services): Promise<void>;
}
