// One interface over PostgreSQL (pg) and embedded PGlite, so the engine and the stores run the
// same SQL on both. Timestamps come back as ISO 8601 strings in UTC (microsecond precision kept),
// bigints as numbers.

export type Row = Record<string, unknown>;

/** A statement with a name is prepared once per connection on PostgreSQL (hot paths). */
export interface Statement {
  name: string;
  text: string;
}

export interface Queryable {
  query<R extends Row = Row>(sql: string | Statement, params?: readonly unknown[]): Promise<R[]>;
  /**
   * PostgreSQL transactions only: `COPY … FROM STDIN` fed from `source` (text format chunks), on the
   * transaction's connection — the fastest way to stage rows. Absent elsewhere: insert instead.
   */
  copyIn?(sql: string, source: AsyncIterable<string>): Promise<void>;
}

/** The data of a COPY as it arrives; destroy() ends it early (its connection is then closed). */
export type CopyStream = AsyncIterable<Buffer> & { destroy(): void };

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** An embedded database on disk, locked to this process while it is open (see lock.ts). */
  readonly lockedToProcess?: boolean;
  /**
   * Connections kept apart from the pool for the engine's lease renewals: a pool that work keeps
   * busy (uploads, validations) must never delay a heartbeat past its lease. The same as the
   * database itself on PGlite (one connection).
   */
  readonly control: Queryable;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel; resolves once listening, to a function that unsubscribes. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * PostgreSQL only: the data of a `COPY … TO STDOUT` statement as it arrives, on a pooled
   * connection of its own until the stream ends or is destroyed. Undefined when the connections a
   * pool lends to COPY (a quarter of it) are all in use, so that streams whose readers wait for
   * other queries can never take the whole pool: the caller then reads another way.
   */
  copyOut?(sql: string): Promise<CopyStream | undefined>;
  /** PostgreSQL only: the connection pools as they are now (for metrics); absent on PGlite. */
  pools?(): PoolStats[];
  close(): Promise<void>;
}

export interface PoolStats {
  /** `main` (queries, transactions) or `control` (lease renewals). */
  name: 'main' | 'control';
  /** Connections open, idle among them, and requests waiting for one. */
  total: number;
  idle: number;
  waiting: number;
}

export const statement = (name: string, text: string): Statement => ({ name, text });

export const sqlText = (sql: string | Statement): string => (typeof sql === 'string' ? sql : sql.text);

/** PostgreSQL's timestamptz text output (session time zone UTC) to ISO 8601 with `Z`. */
export function timestamptzToIso(raw: string): string {
  // "2024-01-02 03:04:05.123456+00" -> "2024-01-02T03:04:05.123456Z"
  return raw.replace(' ', 'T').replace(/\+00(?::00)?$/, 'Z');
}

export const TIMESTAMPTZ_OID = 1184;
export const INT8_OID = 20;
