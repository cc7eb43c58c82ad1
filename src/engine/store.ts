// The operations table's SQL. Every write a worker makes is fenced on (lease_owner, attempts):
// a worker that lost its lease can never overwrite the state of the attempt that replaced it.
import { randomUUID } from 'node:crypto';
import type { Queryable, Row } from '../db/db.js';
import { statement } from '../db/db.js';
import { and, compile, raw, sql } from '../db/sql.js';
import type { Sql } from '../db/sql.js';
import type { CreateOperation, CreateResult, Operation, OperationStatus } from './model.js';

const COLUMNS = `tenant_id, id, family, kind, odata_type, status, status_detail, resource_location,
  created_at, last_action_at, input, result, attempts, interruptions, max_attempts`;

interface OperationRow extends Row {
  tenant_id: string;
  id: string;
  family: string;
  kind: string;
  odata_type: string | null;
  status: OperationStatus;
  status_detail: string | null;
  resource_location: string | null;
  created_at: string;
  last_action_at: string;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  attempts: number;
  interruptions: number;
  max_attempts: number;
}

export const toOperation = (r: OperationRow): Operation => ({
  tenantId: r.tenant_id,
  id: r.id,
  family: r.family,
  kind: r.kind,
  odataType: r.odata_type,
  status: r.status,
  statusDetail: r.status_detail,
  resourceLocation: r.resource_location,
  createdAt: r.created_at,
  lastActionAt: r.last_action_at,
  input: r.input,
  result: r.result,
  attempts: r.attempts,
  interruptions: r.interruptions,
  maxAttempts: r.max_attempts,
});

// $12 and $13 are a lease owner and length for an operation created already claimed (see
// createOperation), else NULL: then it starts notStarted, unleased and due after $14 ms (0: at once).
const INSERT_VALUES = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
  CASE WHEN $12::text IS NULL THEN 'notStarted' ELSE 'running' END, CASE WHEN $12::text IS NULL THEN 0 ELSE 1 END,
  $12::text, now() + $13::bigint * interval '1 millisecond', now() + COALESCE($13::bigint, $14::bigint) * interval '1 millisecond')`;
const INSERT_COLUMNS = `(tenant_id, id, family, kind, odata_type, dedupe_key, status_detail, resource_location, input, result, max_attempts,
  status, attempts, lease_owner, lease_expires_at, run_after)`;

const insertById = statement(
  'lro_insert_by_id',
  `INSERT INTO operations ${INSERT_COLUMNS} VALUES ${INSERT_VALUES}
   ON CONFLICT (tenant_id, id) DO UPDATE SET
     family = EXCLUDED.family, kind = EXCLUDED.kind, odata_type = EXCLUDED.odata_type, dedupe_key = EXCLUDED.dedupe_key,
     status = EXCLUDED.status, status_detail = EXCLUDED.status_detail, resource_location = EXCLUDED.resource_location,
     created_at = now(), last_action_at = now(), input = EXCLUDED.input, result = EXCLUDED.result,
     attempts = EXCLUDED.attempts, interruptions = 0, max_attempts = EXCLUDED.max_attempts, run_after = EXCLUDED.run_after,
     lease_owner = EXCLUDED.lease_owner, lease_expires_at = EXCLUDED.lease_expires_at, expires_at = NULL
   WHERE operations.status IN ('succeeded', 'failed')
   RETURNING ${COLUMNS}`,
);

const insertByDedupeKey = statement(
  'lro_insert_by_dedupe',
  `INSERT INTO operations ${INSERT_COLUMNS} VALUES ${INSERT_VALUES}
   ON CONFLICT (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('notStarted', 'running') DO NOTHING
   RETURNING ${COLUMNS}`,
);

const selectActiveById = statement(
  'lro_select_active_by_id',
  `SELECT ${COLUMNS} FROM operations WHERE tenant_id = $1 AND id = $2 AND status IN ('notStarted', 'running')`,
);

const selectActiveByDedupeKey = statement(
  'lro_select_active_by_dedupe',
  `SELECT ${COLUMNS} FROM operations WHERE tenant_id = $1 AND dedupe_key = $2 AND status IN ('notStarted', 'running')`,
);

const selectMany = statement(
  'lro_select_many',
  `SELECT ${COLUMNS} FROM operations WHERE (tenant_id, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
);

/** A worker that takes the operation it creates: the row is inserted claimed by it (attempt 1). */
export interface EagerClaim {
  owner: string;
  leaseMs: number;
}

/**
 * Creates an operation inside the caller's transaction (or alone), or returns the non-terminal
 * one that has the same id or dedupe key. The insert's trigger wakes idle workers on commit.
 */
export async function createOperation(q: Queryable, spec: CreateOperation, defaultMaxAttempts: number, eager?: EagerClaim): Promise<CreateResult> {
  if (spec.id !== undefined && spec.dedupeKey !== undefined) throw new Error('an operation takes an id or a dedupe key, not both');
  const params = [
    spec.tenantId,
    spec.id ?? randomUUID(),
    spec.family,
    spec.kind,
    spec.odataType ?? null,
    spec.dedupeKey ?? null,
    spec.statusDetail ?? null,
    spec.resourceLocation ?? null,
    JSON.stringify(spec.input ?? {}),
    spec.result === undefined || spec.result === null ? null : JSON.stringify(spec.result),
    spec.maxAttempts ?? defaultMaxAttempts,
    eager?.owner ?? null,
    eager?.leaseMs ?? null,
    spec.delayMs ?? 0,
  ];
  const [insert, select, key] =
    spec.dedupeKey !== undefined
      ? [insertByDedupeKey, selectActiveByDedupeKey, spec.dedupeKey]
      : [insertById, selectActiveById, params[1]];
  // The existing operation can end between the insert and the select: then insert again.
  for (let tries = 0; tries < 5; tries++) {
    const [created] = await q.query<OperationRow>(insert, params);
    if (created) return { operation: toOperation(created), created: true };
    const [existing] = await q.query<OperationRow>(select, [spec.tenantId, key]);
    if (existing) return { operation: toOperation(existing), created: false };
  }
  throw new Error(`could not create or find operation ${String(key)}`);
}

/** The operations with these keys (`tenantIds[i]`, `ids[i]`) that exist. */
export async function selectByKeys(q: Queryable, tenantIds: readonly string[], ids: readonly string[]): Promise<Operation[]> {
  return (await q.query<OperationRow>(selectMany, [tenantIds, ids])).map(toOperation);
}

export interface ListQuery {
  tenantId: string;
  family: string;
  /** A condition over the operations columns. */
  where?: Sql;
  orderBy: string;
  limit: number;
  offset?: number;
}

const inCollection = (query: Pick<ListQuery, 'tenantId' | 'family' | 'where'>) =>
  and([sql`tenant_id = ${query.tenantId} AND family = ${query.family}`, query.where])!;

export async function listOperations(q: Queryable, query: ListQuery): Promise<Operation[]> {
  const rows = await q.query<OperationRow>(
    ...compile(sql`SELECT ${raw(COLUMNS)} FROM operations WHERE ${inCollection(query)}
     ORDER BY ${raw(query.orderBy)} LIMIT ${raw(String(Math.trunc(query.limit)))}${raw(query.offset ? ` OFFSET ${Math.trunc(query.offset)}` : '')}`),
  );
  return rows.map(toOperation);
}

export async function countOperations(q: Queryable, query: Pick<ListQuery, 'tenantId' | 'family' | 'where'>): Promise<number> {
  const [row] = await q.query<{ n: number }>(...compile(sql`SELECT count(*) AS n FROM operations WHERE ${inCollection(query)}`));
  return row?.n ?? 0;
}

// ---- the queue side ----

export type QueueDepth = Record<'notStarted' | 'running', number>;

// Counted from the partial index operations_due (only rows not ended), not the whole table.
const depth = statement(
  'lro_queue_depth',
  `SELECT status, count(*)::integer AS n FROM operations WHERE status IN ('notStarted', 'running') GROUP BY status`,
);

/** Operations not ended, by status, over every tenant. */
export async function queueDepth(q: Queryable): Promise<QueueDepth> {
  const out: QueueDepth = { notStarted: 0, running: 0 };
  for (const row of await q.query<{ status: keyof QueueDepth; n: number }>(depth)) out[row.status] = row.n;
  return out;
}

export interface Claimed {
  operation: Operation;
  timeoutMs: number | null;
}

/**
 * Claims up to `limit` due operations of the given kinds (the lro_claim function, migrations 6 to 8).
 * A due row whose previous attempt lost its lease counts an interruption, not a failure; one that
 * reaches `maxInterruptions` fails there instead of being claimed.
 */
const claim = statement('lro_claim', `SELECT * FROM lro_claim($1, $2::text[], $3, $4, $5, $6)`);

export async function claimOperations(
  q: Queryable,
  args: { owner: string; kinds: string[]; limit: number; leaseMs: number; retentionMs: number; maxInterruptions: number },
): Promise<Operation[]> {
  const rows = await q.query<OperationRow & { lease_owner: string | null }>(claim, [
    args.owner,
    args.kinds,
    args.limit,
    args.leaseMs,
    args.retentionMs,
    args.maxInterruptions,
  ]);
  return rows.filter((r) => r.lease_owner === args.owner).map(toOperation);
}

/**
 * The fenced batch writes join the owner in rather than filtering on it: a filter on lease_owner
 * (NULL in most rows by the statistics) or on status made the planner expect a tiny table and
 * choose a nested loop over the whole batch per row, seconds per batch in a burst.
 */
const OWNER = '(SELECT $1::text AS owner OFFSET 0) f';

export interface Completion {
  tenantId: string;
  id: string;
  attempt: number;
  status: OperationStatus;
  statusDetail: string | null;
  resourceLocation?: string | null;
  result?: Record<string, unknown> | null;
  /** Set for a retry: the row stays `running`, unleased, claimable again after this delay. */
  retryInMs?: number;
}

const complete = statement(
  'lro_complete',
  `UPDATE operations o SET
     status = c.status,
     status_detail = c.status_detail,
     resource_location = CASE WHEN c.set_location THEN c.resource_location ELSE o.resource_location END,
     result = COALESCE(c.result, o.result),
     last_action_at = now(),
     lease_owner = NULL,
     lease_expires_at = NULL,
     run_after = CASE WHEN c.retry_in_ms IS NULL THEN o.run_after ELSE now() + c.retry_in_ms * interval '1 millisecond' END,
     expires_at = CASE WHEN c.status IN ('succeeded', 'failed') THEN now() + $2 * interval '1 millisecond' END
   FROM jsonb_to_recordset($3::jsonb) AS c(tenant_id text, id text, attempt int, status text, status_detail text,
     set_location boolean, resource_location text, result jsonb, retry_in_ms bigint), ${OWNER}
   WHERE o.tenant_id = c.tenant_id AND o.id = c.id AND o.lease_owner = f.owner AND o.attempts = c.attempt
   RETURNING o.tenant_id, o.id`,
);

/**
 * PostgreSQL cannot store U+0000 in text or jsonb. It is kept visible as U+FFFD, as a decoder shows
 * bytes it cannot map, instead of making the outcome that carries it unwritable.
 */
export const storable = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text);

/** Strings and keys anywhere in a JSON value, made storable. */
const storableValue = (value: unknown): unknown => {
  if (typeof value === 'string') return storable(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storableValue(v)]));
};

const storableJson = (value: unknown): string => {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? JSON.stringify(storableValue(JSON.parse(json))) : json;
};

/** Writes a batch of outcomes in one statement; returns the keys that were accepted (not fenced out). */
export async function completeOperations(q: Queryable, owner: string, retentionMs: number, batch: readonly Completion[]): Promise<Set<string>> {
  const payload = batch.map((c) => ({
    tenant_id: c.tenantId,
    id: c.id,
    attempt: c.attempt,
    status: c.status,
    status_detail: c.statusDetail === null ? null : storable(c.statusDetail),
    set_location: c.resourceLocation !== undefined,
    resource_location: c.resourceLocation ?? null,
    result: c.result ?? null,
    retry_in_ms: c.retryInMs ?? null,
  }));
  const rows = await q.query<{ tenant_id: string; id: string }>(complete, [owner, retentionMs, storableJson(payload)]);
  return new Set(rows.map((r) => operationKey(r.tenant_id, r.id)));
}

export const operationKey = (tenantId: string, id: string) => `${tenantId}\t${id}`;

export interface Lease {
  tenantId: string;
  id: string;
  attempt: number;
}

const renew = statement(
  'lro_renew',
  `UPDATE operations o SET lease_expires_at = now() + $2 * interval '1 millisecond', run_after = now() + $2 * interval '1 millisecond'
   FROM jsonb_to_recordset($3::jsonb) AS l(tenant_id text, id text, attempt int), ${OWNER}
   WHERE o.tenant_id = l.tenant_id AND o.id = l.id AND o.lease_owner = f.owner AND o.attempts = l.attempt
   RETURNING o.tenant_id, o.id`,
);

/** Extends the leases still held; returns the keys renewed (the others were lost). */
export async function renewLeases(q: Queryable, owner: string, leaseMs: number, leases: readonly Lease[]): Promise<Set<string>> {
  const payload = leases.map((l) => ({ tenant_id: l.tenantId, id: l.id, attempt: l.attempt }));
  const rows = await q.query<{ tenant_id: string; id: string }>(renew, [owner, leaseMs, JSON.stringify(payload)]);
  return new Set(rows.map((r) => operationKey(r.tenant_id, r.id)));
}

const progress = statement(
  'lro_progress',
  `UPDATE operations SET status_detail = $5, last_action_at = now()
   WHERE tenant_id = $1 AND id = $2 AND lease_owner = $3 AND attempts = $4 AND status = 'running'
   RETURNING id`,
);

/** Fenced statusDetail update; false when the lease is no longer this worker's. */
export async function reportProgress(q: Queryable, owner: string, lease: Lease, detail: string): Promise<boolean> {
  const rows = await q.query(progress, [lease.tenantId, lease.id, owner, lease.attempt, storable(detail)]);
  return rows.length === 1;
}

const release = statement(
  'lro_release',
  `UPDATE operations o SET lease_owner = NULL, lease_expires_at = NULL, run_after = now(), interruptions = o.interruptions + 1,
     status_detail = $3, last_action_at = now()
   FROM jsonb_to_recordset($2::jsonb) AS l(tenant_id text, id text, attempt int), ${OWNER}
   WHERE o.tenant_id = l.tenant_id AND o.id = l.id AND o.lease_owner = f.owner AND o.attempts = l.attempt
   RETURNING o.tenant_id`,
);

export const HANDED_BACK = 'Handed back by a worker that shut down; it resumes on another worker.';

/**
 * Gives leases back (shutdown, or an attempt cut short by a database outage): claimable at once,
 * and the interrupted attempt counts as an interruption, not a failure. Wakes idle workers elsewhere.
 */
export async function releaseLeases(q: Queryable, owner: string, leases: readonly Lease[], detail = HANDED_BACK): Promise<number> {
  const payload = leases.map((l) => ({ tenant_id: l.tenantId, id: l.id, attempt: l.attempt }));
  const rows = await q.query(release, [owner, JSON.stringify(payload), detail]);
  if (rows.length) await q.query(`SELECT pg_notify('graph_lro_ready', '')`);
  return rows.length;
}

/**
 * For a database no other process can use (embedded, locked to this one): every lease left in it
 * belongs to a previous run of this process, which is gone. They are released at once instead of
 * waited out, each counted as an interruption (past `maxInterruptions`, the operation fails).
 */
export async function recoverLeases(q: Queryable, maxInterruptions: number, retentionMs: number): Promise<number> {
  const rows = await q.query(
    `UPDATE operations SET
       interruptions = interruptions + 1,
       status = CASE WHEN interruptions + 1 >= $1 THEN 'failed' ELSE status END,
       status_detail = CASE WHEN interruptions + 1 >= $1
         THEN 'Failed: the process running it stopped ' || (interruptions + 1) || ' times; an operation that ends every worker that takes it is not retried further.'
         ELSE 'Resumed after a restart: the process running attempt ' || attempts || ' stopped (this does not count as a failed attempt).' END,
       expires_at = CASE WHEN interruptions + 1 >= $1 THEN now() + $2 * interval '1 millisecond' END,
       lease_owner = NULL, lease_expires_at = NULL, run_after = now(), last_action_at = now()
     WHERE lease_owner IS NOT NULL AND status = 'running'
     RETURNING id`,
    [maxInterruptions, retentionMs],
  );
  return rows.length;
}

/** Deletes up to `limit` expired terminal operations; safe to run in many processes at once. */
export async function purgeExpired(q: Queryable, limit: number): Promise<number> {
  const rows = await q.query(
    `DELETE FROM operations o USING (
       SELECT tenant_id, id FROM operations WHERE expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED
     ) e WHERE o.tenant_id = e.tenant_id AND o.id = e.id RETURNING o.id`,
    [limit],
  );
  return rows.length;
}
