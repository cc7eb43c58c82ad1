// The operation: Graph's longRunningOperation and the job behind it, one row.
import type { Db } from '../db/db.js';

export const OPERATION_STATUSES = ['notStarted', 'running', 'succeeded', 'failed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export const isTerminal = (status: OperationStatus): boolean => status === 'succeeded' || status === 'failed';

export interface Operation {
  tenantId: string;
  id: string;
  family: string;
  kind: string;
  /** Derived Graph type (e.g. `microsoft.graph.industryData.fileValidateOperation`); null = base type. */
  odataType: string | null;
  status: OperationStatus;
  statusDetail: string | null;
  resourceLocation: string | null;
  createdAt: string;
  lastActionAt: string;
  input: Record<string, unknown>;
  /** Family properties of the derived type (errors, warnings, validatedFiles, …). */
  result: Record<string, unknown> | null;
  /** Claims so far: the fencing token of the current attempt (with the lease owner). */
  attempts: number;
  /** Attempts that ended without the handler's outcome (worker died, shutdown, restart); they do not count as failures. */
  interruptions: number;
  /** Handler failures allowed: the operation fails when `attempts - interruptions` reaches it. */
  maxAttempts: number;
}

export interface CreateOperation {
  tenantId: string;
  family: string;
  kind: string;
  /**
   * A fixed id (Graph's `refresh:<alertId>`): while an operation with this id is not terminal,
   * create returns it; a terminal one is replaced by the new run. Otherwise a random GUID.
   */
  id?: string;
  /** Per-tenant dedupe: while an operation with this key is not terminal, create returns it. */
  dedupeKey?: string;
  odataType?: string | null;
  input?: Record<string, unknown>;
  statusDetail?: string | null;
  resourceLocation?: string | null;
  result?: Record<string, unknown> | null;
  maxAttempts?: number;
  /** Not due before this many milliseconds from now (a scheduled run); default: at once. */
  delayMs?: number;
}

export interface CreateResult {
  operation: Operation;
  /** False when an existing non-terminal operation was returned instead (dedupe). */
  created: boolean;
}

export interface HandlerResult {
  resourceLocation?: string | null;
  statusDetail?: string | null;
  result?: Record<string, unknown> | null;
}

export interface HandlerContext {
  operation: Operation;
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted on timeout, shutdown (after the grace period) or a lost lease. */
  signal: AbortSignal;
  /** Updates statusDetail (and lastActionDateTime); rejects with the abort reason once the lease is lost. */
  progress(detail: string): Promise<void>;
  /** The database the engine runs on, for the handler's domain reads and writes. */
  db: Db;
}

export interface HandlerDefinition {
  handle(ctx: HandlerContext): Promise<HandlerResult | void>;
  /** An attempt running longer fails the operation (default 15 minutes). */
  timeoutMs?: number;
  /** Default for operations of this kind that do not set their own (default 3). */
  maxAttempts?: number;
}

/** Thrown by a handler: the operation fails at once, without further attempts. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
