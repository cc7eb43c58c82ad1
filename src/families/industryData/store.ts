// The family's SQL: source systems, connectors, inbound flows, years and upload sessions, per
// tenant; and the key that signs upload URLs. Each collection's rows are a relation (`…Rows`) the
// generic routes page, filter and count.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, Queryable, Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import { raw, sql } from '../../db/sql.js';
import { CONTAINER_TTL_MS } from './model.js';

export interface UserMatchingSetting {
  matchTarget: { code: string } | null;
  priorityOrder: number | null;
  sourceIdentifier: { code: string } | null;
  /** The role group bound by `roleGroup@odata.bind` (kept, not written in responses: a navigation). */
  roleGroupId?: string;
}

export interface SourceSystemRow extends Row {
  id: string;
  display_name: string;
  vendor: string | null;
  user_matching_settings: UserMatchingSetting[];
}

export interface ConnectorRow extends Row {
  id: string;
  display_name: string;
  file_format_code: string;
  source_system_id: string;
  last_validated_files: string[] | null;
}

export interface InboundFlowRow extends Row {
  id: string;
  display_name: string;
  data_domain: string;
  effective_at: string;
  expires_at: string | null;
  connector_id: string;
  year_id: string | null;
}

export interface SessionRow extends Row {
  id: string;
  tenant_id: string;
  connector_id: string;
  created_at: string;
  container_expires_at: string;
  /** The container's time is up (by the database's clock). */
  expired: boolean;
}

/** PostgreSQL's foreign_key_violation: a row still refers to the one deleted. */
export const isForeignKeyViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23503';

// ---- source systems ----

const SOURCE_SYSTEMS = 'industry_data_source_systems';
const SOURCE_SYSTEM_COLUMNS = 'id, display_name, vendor, user_matching_settings';

export const sourceSystemRows = (tenantId: string): Sql => sql`SELECT ${raw(SOURCE_SYSTEM_COLUMNS)} FROM ${raw(SOURCE_SYSTEMS)} WHERE tenant_id = ${tenantId}`;

async function sourceSystemExists(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`SELECT 1 FROM ${SOURCE_SYSTEMS} WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).length > 0;
}

export interface SourceSystemFields {
  displayName: string;
  vendor: string | null;
  userMatchingSettings: UserMatchingSetting[];
}

export async function insertSourceSystem(q: Queryable, tenantId: string, fields: SourceSystemFields): Promise<SourceSystemRow> {
  const [row] = await q.query<SourceSystemRow>(
    `INSERT INTO ${SOURCE_SYSTEMS} (tenant_id, id, display_name, vendor, user_matching_settings) VALUES ($1, $2, $3, $4, $5::jsonb)
     RETURNING ${SOURCE_SYSTEM_COLUMNS}`,
    [tenantId, randomUUID(), fields.displayName, fields.vendor, JSON.stringify(fields.userMatchingSettings)],
  );
  return row!;
}

/** false when there is no such source system. */
export async function updateSourceSystem(q: Queryable, tenantId: string, id: string, fields: Partial<SourceSystemFields>): Promise<boolean> {
  const rows = await q.query(
    `UPDATE ${SOURCE_SYSTEMS} SET
       display_name = COALESCE($3, display_name),
       vendor = CASE WHEN $4::boolean THEN $5 ELSE vendor END,
       user_matching_settings = COALESCE($6::jsonb, user_matching_settings)
     WHERE tenant_id = $1 AND id = $2 RETURNING id`,
    [
      tenantId,
      id,
      fields.displayName ?? null,
      fields.vendor !== undefined,
      fields.vendor ?? null,
      fields.userMatchingSettings === undefined ? null : JSON.stringify(fields.userMatchingSettings),
    ],
  );
  return rows.length === 1;
}

export type DeleteOutcome = { deleted: true } | { deleted: false; usedBy?: string[] };

/** A source system that connectors use is kept, and answered with their ids. */
export async function deleteSourceSystem(db: Db, tenantId: string, id: string): Promise<DeleteOutcome> {
  try {
    return await db.transaction(async (tx) => {
      const users = await tx.query<{ id: string }>('SELECT id FROM industry_data_connectors WHERE tenant_id = $1 AND source_system_id = $2 ORDER BY id LIMIT 10', [
        tenantId,
        id,
      ]);
      if (users.length) return { deleted: false, usedBy: users.map((u) => u.id) };
      const rows = await tx.query(`DELETE FROM ${SOURCE_SYSTEMS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
      return rows.length ? { deleted: true } : { deleted: false };
    });
  } catch (err) {
    // A connector bound to it in the meantime.
    if (isForeignKeyViolation(err)) return { deleted: false, usedBy: [] };
    throw err;
  }
}

// ---- connectors ----

const CONNECTORS = 'industry_data_connectors';
const CONNECTOR_COLUMNS = 'id, display_name, file_format_code, source_system_id, last_validated_files';

export const connectorRows = (tenantId: string): Sql => sql`SELECT ${raw(CONNECTOR_COLUMNS)} FROM ${raw(CONNECTORS)} WHERE tenant_id = ${tenantId}`;

export async function getConnector(q: Queryable, tenantId: string, id: string): Promise<ConnectorRow | undefined> {
  const [row] = await q.query<ConnectorRow>(`SELECT ${CONNECTOR_COLUMNS} FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  return row;
}

export interface ConnectorFields {
  displayName: string;
  fileFormat: string;
  sourceSystemId: string;
}

/** undefined when the source system does not exist (or stopped existing meanwhile). */
export async function insertConnector(q: Queryable, tenantId: string, fields: ConnectorFields): Promise<ConnectorRow | undefined> {
  try {
    const [row] = await q.query<ConnectorRow>(
      `INSERT INTO ${CONNECTORS} (tenant_id, id, display_name, file_format_code, source_system_id)
       SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM ${SOURCE_SYSTEMS} WHERE tenant_id = $1 AND id = $5)
       RETURNING ${CONNECTOR_COLUMNS}`,
      [tenantId, randomUUID(), fields.displayName, fields.fileFormat, fields.sourceSystemId],
    );
    return row;
  } catch (err) {
    if (isForeignKeyViolation(err)) return undefined;
    throw err;
  }
}

/** 'missing' when there is no such connector, 'noSourceSystem' when the one to bind does not exist. */
export async function updateConnector(q: Queryable, tenantId: string, id: string, fields: Partial<ConnectorFields>): Promise<'updated' | 'missing' | 'noSourceSystem'> {
  try {
    if (fields.sourceSystemId !== undefined && !(await sourceSystemExists(q, tenantId, fields.sourceSystemId))) return 'noSourceSystem';
    const rows = await q.query(
      `UPDATE ${CONNECTORS} SET display_name = COALESCE($3, display_name), file_format_code = COALESCE($4, file_format_code),
         source_system_id = COALESCE($5, source_system_id)
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, fields.displayName ?? null, fields.fileFormat ?? null, fields.sourceSystemId ?? null],
    );
    return rows.length ? 'updated' : 'missing';
  } catch (err) {
    if (isForeignKeyViolation(err)) return 'noSourceSystem';
    throw err;
  }
}

export type ConnectorDeleteOutcome = { deleted: true; sessions: string[] } | { deleted: false; usedBy?: string[] };

/** Deletes the connector and its upload session rows; answers the containers to empty. Inbound flows using it keep it. */
export async function deleteConnector(db: Db, tenantId: string, id: string): Promise<ConnectorDeleteOutcome> {
  try {
    return await db.transaction(async (tx): Promise<ConnectorDeleteOutcome> => {
      const flows = await tx.query<{ id: string }>('SELECT id FROM industry_data_inbound_flows WHERE tenant_id = $1 AND connector_id = $2 ORDER BY id LIMIT 10', [
        tenantId,
        id,
      ]);
      if (flows.length) return { deleted: false, usedBy: flows.map((f) => f.id) };
      const sessions = await tx.query<{ id: string }>('DELETE FROM industry_data_upload_sessions WHERE tenant_id = $1 AND connector_id = $2 RETURNING id', [tenantId, id]);
      const rows = await tx.query(`DELETE FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
      return rows.length ? { deleted: true, sessions: sessions.map((s) => s.id) } : { deleted: false };
    });
  } catch (err) {
    if (isForeignKeyViolation(err)) return { deleted: false, usedBy: [] };
    throw err;
  }
}

export async function setLastValidatedFiles(q: Queryable, tenantId: string, id: string, files: readonly string[]): Promise<void> {
  await q.query(`UPDATE ${CONNECTORS} SET last_validated_files = $3::jsonb WHERE tenant_id = $1 AND id = $2`, [tenantId, id, JSON.stringify(files)]);
}

// ---- inbound flows ----

const FLOWS = 'industry_data_inbound_flows';
const FLOW_COLUMNS = 'id, display_name, data_domain, effective_at, expires_at, connector_id, year_id';

export const inboundFlowRows = (tenantId: string): Sql =>
  sql`SELECT ${raw(FLOW_COLUMNS)} FROM ${raw(FLOWS)} WHERE tenant_id = ${tenantId}`;

export interface InboundFlowFields {
  displayName: string;
  dataDomain: string;
  effectiveDateTime: string;
  expirationDateTime: string | null;
  connectorId: string;
  yearId: string | null;
}

/** undefined when the connector does not exist. */
export async function insertInboundFlow(q: Queryable, tenantId: string, fields: InboundFlowFields): Promise<InboundFlowRow | undefined> {
  try {
    const [row] = await q.query<InboundFlowRow>(
      `INSERT INTO ${FLOWS} (tenant_id, id, display_name, data_domain, effective_at, expires_at, connector_id, year_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $7)
       RETURNING ${FLOW_COLUMNS}`,
      [tenantId, randomUUID(), fields.displayName, fields.dataDomain, fields.effectiveDateTime, fields.expirationDateTime, fields.connectorId, fields.yearId],
    );
    return row;
  } catch (err) {
    if (isForeignKeyViolation(err)) return undefined;
    throw err;
  }
}

/** 'missing' when there is no such flow, 'noConnector' when the one to bind does not exist. */
export async function updateInboundFlow(q: Queryable, tenantId: string, id: string, fields: Partial<InboundFlowFields>): Promise<'updated' | 'missing' | 'noConnector'> {
  try {
    const rows = await q.query(
      `UPDATE ${FLOWS} SET display_name = COALESCE($3, display_name), data_domain = COALESCE($4, data_domain),
         effective_at = COALESCE($5, effective_at), expires_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE expires_at END,
         connector_id = COALESCE($8, connector_id), year_id = CASE WHEN $9::boolean THEN $10 ELSE year_id END
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [
        tenantId,
        id,
        fields.displayName ?? null,
        fields.dataDomain ?? null,
        fields.effectiveDateTime ?? null,
        fields.expirationDateTime !== undefined,
        fields.expirationDateTime ?? null,
        fields.connectorId ?? null,
        fields.yearId !== undefined,
        fields.yearId ?? null,
      ],
    );
    return rows.length ? 'updated' : 'missing';
  } catch (err) {
    if (isForeignKeyViolation(err)) return 'noConnector';
    throw err;
  }
}

export async function deleteInboundFlow(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`DELETE FROM ${FLOWS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length === 1;
}

// ---- years ----

export interface YearRow extends Row {
  id: string;
  display_name: string;
  start_date: string;
  end_date: string;
  year_code: string;
}

export interface YearFields {
  displayName: string;
  startDate: string;
  endDate: string;
  yearCode: string;
}

const YEARS = 'industry_data_years';
const YEAR_COLUMNS = 'id, display_name, start_date::text AS start_date, end_date::text AS end_date, year_code';

export const yearRows = (tenantId: string): Sql => sql`SELECT ${raw(YEAR_COLUMNS)} FROM ${raw(YEARS)} WHERE tenant_id = ${tenantId}`;

export async function insertYear(q: Queryable, tenantId: string, fields: YearFields): Promise<YearRow> {
  const [row] = await q.query<YearRow>(
    `INSERT INTO ${YEARS} (tenant_id, id, display_name, start_date, end_date, year_code) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${YEAR_COLUMNS}`,
    [tenantId, randomUUID(), fields.displayName, fields.startDate, fields.endDate, fields.yearCode],
  );
  return row!;
}

export async function updateYear(q: Queryable, tenantId: string, id: string, fields: Partial<YearFields>): Promise<boolean> {
  const rows = await q.query(
    `UPDATE ${YEARS} SET display_name = COALESCE($3, display_name), start_date = COALESCE($4::date, start_date),
       end_date = COALESCE($5::date, end_date), year_code = COALESCE($6, year_code)
     WHERE tenant_id = $1 AND id = $2 RETURNING id`,
    [tenantId, id, fields.displayName ?? null, fields.startDate ?? null, fields.endDate ?? null, fields.yearCode ?? null],
  );
  return rows.length === 1;
}

/** Inbound flows bound to the year keep it (their ids answered). */
export async function deleteYear(db: Db, tenantId: string, id: string): Promise<DeleteOutcome> {
  return db.transaction(async (tx) => {
    const users = await tx.query<{ id: string }>(`SELECT id FROM ${FLOWS} WHERE tenant_id = $1 AND year_id = $2 ORDER BY id LIMIT 10 FOR UPDATE`, [tenantId, id]);
    if (users.length) return { deleted: false, usedBy: users.map((u) => u.id) };
    const rows = await tx.query(`DELETE FROM ${YEARS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
    return rows.length ? { deleted: true } : { deleted: false };
  });
}

// ---- upload sessions ----

const SESSIONS = 'industry_data_upload_sessions';
const SESSION_COLUMNS = 'id, tenant_id, connector_id, created_at, container_expires_at, container_expires_at <= now() AS expired';

/** The connector's session, expired or not. */
export async function currentSession(q: Queryable, tenantId: string, connectorId: string): Promise<SessionRow | undefined> {
  const [row] = await q.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${SESSIONS} WHERE tenant_id = $1 AND connector_id = $2`, [tenantId, connectorId]);
  return row;
}

/** The session a container id names (the blob endpoint's lookup). */
export async function sessionById(q: Queryable, id: string): Promise<SessionRow | undefined> {
  const [row] = await q.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${SESSIONS} WHERE id = $1`, [id]);
  return row;
}

export interface OpenedSession {
  session: SessionRow;
  /** Sessions this call ended (reset or expired): their containers are to be emptied. */
  ended: string[];
}

/**
 * The connector's current session: kept unless `reset` or expired, else replaced by a new one
 * (a new container). Serialized per connector by locking its row; undefined when the connector
 * does not exist.
 */
export async function openSession(db: Db, tenantId: string, connectorId: string, reset: boolean): Promise<OpenedSession | undefined> {
  return db.transaction(async (tx) => {
    const [connector] = await tx.query(`SELECT id FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, connectorId]);
    if (!connector) return undefined;
    const current = await currentSession(tx, tenantId, connectorId);
    if (current && !reset && !current.expired) return { session: current, ended: [] };
    if (current) await tx.query(`DELETE FROM ${SESSIONS} WHERE id = $1`, [current.id]);
    const [session] = await tx.query<SessionRow>(
      `INSERT INTO ${SESSIONS} (id, tenant_id, connector_id, container_expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
       RETURNING ${SESSION_COLUMNS}`,
      [randomUUID(), tenantId, connectorId, CONTAINER_TTL_MS],
    );
    return { session: session!, ended: current ? [current.id] : [] };
  });
}

/** Ends sessions whose container expired; answers their ids (containers to empty). */
export async function endExpiredSessions(q: Queryable, limit = 1000): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `DELETE FROM ${SESSIONS} WHERE id IN (SELECT id FROM ${SESSIONS} WHERE container_expires_at < now() LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id`,
    [limit],
  );
  return rows.map((r) => r.id);
}

/** Of these container ids, the ones that are live sessions. */
export async function liveSessions(q: Queryable, ids: readonly string[]): Promise<Set<string>> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM ${SESSIONS} WHERE id = ANY($1::text[])`, [[...ids]]);
  return new Set(rows.map((r) => r.id));
}

// ---- the signing key ----

/** The HMAC key of upload URLs: created once, by whichever instance asks first. */
export async function signingKey(q: Queryable): Promise<Buffer> {
  await q.query('INSERT INTO industry_data_signing_keys (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32)]);
  const [row] = await q.query<{ secret: unknown }>('SELECT secret FROM industry_data_signing_keys WHERE id = 1');
  const secret = row!.secret as Uint8Array;
  return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
}
