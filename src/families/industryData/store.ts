// The family's SQL: source systems, connectors, inbound flows, years, reference definitions and
// upload sessions, per tenant; the catalogue's role groups; and the key that signs upload URLs.
// Each collection's rows are a relation (`…Rows`) the generic routes page, filter and count.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db, Queryable, Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import { raw, sql } from '../../db/sql.js';
import { BUILT_IN_DEFINITIONS, ROLE_GROUPS } from './catalogue.js';
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
  file_format_code: string | null;
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
  fileFormat: string | null;
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
      `UPDATE ${CONNECTORS} SET display_name = COALESCE($3, display_name),
         file_format_code = CASE WHEN $4::boolean THEN $5 ELSE file_format_code END, source_system_id = COALESCE($6, source_system_id)
       WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, fields.displayName ?? null, fields.fileFormat !== undefined, fields.fileFormat ?? null, fields.sourceSystemId ?? null],
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
const YEARS = 'industry_data_years';
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

/** Which entity an inbound flow binds is missing: the connector, or the year. */
export type FlowBindingMissing = 'noConnector' | 'noYear';

/** Which binding of `fields` names nothing in the tenant (after a write refused for it). */
async function missingFlowBinding(q: Queryable, tenantId: string, fields: Partial<InboundFlowFields>): Promise<FlowBindingMissing | undefined> {
  const [row] = await q.query<{ connector: boolean; year: boolean }>(
    `SELECT ($2::text IS NULL OR EXISTS (SELECT 1 FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $2)) AS connector,
            ($3::text IS NULL OR EXISTS (SELECT 1 FROM ${YEARS} WHERE tenant_id = $1 AND id = $3)) AS year`,
    [tenantId, fields.connectorId ?? null, fields.yearId ?? null],
  );
  return !row!.connector ? 'noConnector' : !row!.year ? 'noYear' : undefined;
}

/** The new flow, or which of its bindings names nothing. */
export async function insertInboundFlow(q: Queryable, tenantId: string, fields: InboundFlowFields): Promise<InboundFlowRow | FlowBindingMissing> {
  try {
    const [row] = await q.query<InboundFlowRow>(
      `INSERT INTO ${FLOWS} (tenant_id, id, display_name, data_domain, effective_at, expires_at, connector_id, year_id)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM ${CONNECTORS} WHERE tenant_id = $1 AND id = $7)
         AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM ${YEARS} WHERE tenant_id = $1 AND id = $8))
       RETURNING ${FLOW_COLUMNS}`,
      [tenantId, randomUUID(), fields.displayName, fields.dataDomain, fields.effectiveDateTime, fields.expirationDateTime, fields.connectorId, fields.yearId],
    );
    if (row) return row;
  } catch (err) {
    if (!isForeignKeyViolation(err)) throw err;
  }
  return (await missingFlowBinding(q, tenantId, fields)) ?? 'noConnector';
}

/** 'missing' when there is no such flow, else which binding names nothing, if one does. */
export async function updateInboundFlow(q: Queryable, tenantId: string, id: string, fields: Partial<InboundFlowFields>): Promise<'updated' | 'missing' | FlowBindingMissing> {
  const missing = await missingFlowBinding(q, tenantId, fields);
  if (missing) return missing;
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
    // A bound entity deleted between the check and the write.
    if (isForeignKeyViolation(err)) return (await missingFlowBinding(q, tenantId, fields)) ?? 'noConnector';
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
  try {
    return await db.transaction(async (tx) => {
      const users = await tx.query<{ id: string }>(`SELECT id FROM ${FLOWS} WHERE tenant_id = $1 AND year_id = $2 ORDER BY id LIMIT 10`, [tenantId, id]);
      if (users.length) return { deleted: false, usedBy: users.map((u) => u.id) };
      const rows = await tx.query(`DELETE FROM ${YEARS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id]);
      return rows.length ? { deleted: true } : { deleted: false };
    });
  } catch (err) {
    // A flow bound to it in the meantime.
    if (isForeignKeyViolation(err)) return { deleted: false, usedBy: [] };
    throw err;
  }
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

// ---- reference definitions and role groups ----

/** A built-in definition's createdDateTime and lastModifiedDateTime, as Graph serves them. */
const SEEDED_AT = '0001-01-01T00:00:00Z';

const REFERENCES = 'industry_data_reference_definitions';
const REFERENCE_COLUMNS = 'reference_type, code, created_at, display_name, is_disabled, last_modified_at, sort_index, source';

/** The built-in catalogue as one JSON parameter: the code is its source, the tables hold what tenants changed. */
const CATALOGUE = JSON.stringify(
  BUILT_IN_DEFINITIONS.map((d) => ({ reference_type: d.referenceType, code: d.code, display_name: d.displayName, sort_index: d.sortIndex, source: d.source })),
);
const BUILT_IN_IDS = new Map(BUILT_IN_DEFINITIONS.map((d) => [`${d.referenceType}-${d.code}`, d]));

export interface ReferenceDefinitionRow extends Row {
  id: string;
  reference_type: string;
  code: string;
  created_at: string;
  display_name: string | null;
  is_disabled: boolean;
  last_modified_at: string;
  sort_index: number;
  source: string;
}

/** The tenant's definitions: its own and its changes to built-ins over the catalogue; id `{referenceType}-{code}`. */
export const referenceDefinitionRows = (tenantId: string): Sql =>
  sql`SELECT reference_type || '-' || code AS id, ${raw(REFERENCE_COLUMNS)} FROM (
    SELECT DISTINCT ON (reference_type, code) * FROM (
      SELECT ${raw(REFERENCE_COLUMNS)}, 1 AS own FROM ${raw(REFERENCES)} WHERE tenant_id = ${tenantId}
      UNION ALL
      SELECT b.reference_type, b.code, ${SEEDED_AT}::timestamptz, b.display_name, false, ${SEEDED_AT}::timestamptz, b.sort_index, b.source, 0
      FROM jsonb_to_recordset(${CATALOGUE}::jsonb) AS b(reference_type text, code text, display_name text, sort_index integer, source text)
    ) u ORDER BY reference_type, code, own DESC
  ) d`;

export const isBuiltInDefinition = (id: string) => BUILT_IN_IDS.has(id);

export interface ReferenceDefinitionFields {
  referenceType: string;
  code: string;
  displayName: string | null;
  isDisabled: boolean;
  sortIndex: number;
}

/** A tenant-defined definition; false when the tenant already has one with its id. */
export async function insertReferenceDefinition(q: Queryable, tenantId: string, fields: ReferenceDefinitionFields, source: string): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO ${REFERENCES} (tenant_id, reference_type, code, display_name, is_disabled, sort_index, source) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (tenant_id, reference_type, code) DO NOTHING RETURNING code`,
    [tenantId, fields.referenceType, fields.code, fields.displayName, fields.isDisabled, fields.sortIndex, source],
  );
  return rows.length === 1;
}

/**
 * Changes displayName, isDisabled or sortIndex of `row` (a built-in is copied into the tenant's
 * table on its first change); a field not given keeps the value it has when the write happens.
 */
export async function updateReferenceDefinition(
  q: Queryable,
  tenantId: string,
  row: ReferenceDefinitionRow,
  fields: Partial<Pick<ReferenceDefinitionFields, 'displayName' | 'isDisabled' | 'sortIndex'>>,
): Promise<void> {
  await q.query(
    `INSERT INTO ${REFERENCES} AS t (tenant_id, reference_type, code, display_name, is_disabled, sort_index, source, created_at)
     VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN $5::text ELSE $6::text END, COALESCE($7::boolean, $8::boolean), COALESCE($9::integer, $10::integer), $11, $12::timestamptz)
     ON CONFLICT (tenant_id, reference_type, code) DO UPDATE SET
       display_name = CASE WHEN $4::boolean THEN $5::text ELSE t.display_name END,
       is_disabled = COALESCE($7::boolean, t.is_disabled),
       sort_index = COALESCE($9::integer, t.sort_index),
       last_modified_at = now()`,
    [
      tenantId,
      row.reference_type,
      row.code,
      fields.displayName !== undefined,
      fields.displayName ?? null,
      row.display_name,
      fields.isDisabled ?? null,
      row.is_disabled,
      fields.sortIndex ?? null,
      row.sort_index,
      row.source,
      row.created_at,
    ],
  );
}

/** What the tenant changed of its reference lists: the codes it added or re-enabled, and the ones it disabled. */
export async function tenantReferenceCodes(q: Queryable, tenantId: string): Promise<{ enabled: ReferenceCode[]; disabled: ReferenceCode[] }> {
  const rows = await q.query<ReferenceCode & Row & { is_disabled: boolean }>(
    `SELECT reference_type AS "referenceType", code, is_disabled FROM ${REFERENCES} WHERE tenant_id = $1`,
    [tenantId],
  );
  return { enabled: rows.filter((r) => !r.is_disabled), disabled: rows.filter((r) => r.is_disabled) };
}

export interface ReferenceCode {
  referenceType: string;
  code: string;
}

/** The catalogue's role groups, the same in every tenant. */
const ROLE_GROUP_JSON = JSON.stringify(ROLE_GROUPS.map((g) => ({ id: g.id, display_name: g.displayName, roles: g.roles })));

export interface RoleGroupRow extends Row {
  id: string;
  display_name: string;
  roles: string[];
}

export const roleGroupRows = (): Sql =>
  sql`SELECT g.id, g.display_name, g.roles FROM jsonb_to_recordset(${ROLE_GROUP_JSON}::jsonb) AS g(id text, display_name text, roles jsonb)`;

// ---- outbound provisioning flow sets and their flows ----

const FLOW_SETS = 'industry_data_outbound_flow_sets';
const FLOW_SET_COLUMNS = 'id, display_name, filter, created_at, last_modified_at';

export interface FlowSetRow extends Row {
  id: string;
  display_name: string;
  filter: Record<string, unknown> | null;
  created_at: string;
  last_modified_at: string;
}

export const flowSetRows = (tenantId: string): Sql => sql`SELECT ${raw(FLOW_SET_COLUMNS)} FROM ${raw(FLOW_SETS)} WHERE tenant_id = ${tenantId}`;

export interface FlowSetFields {
  displayName: string;
  filter: Record<string, unknown> | null;
}

export async function insertFlowSet(q: Queryable, tenantId: string, fields: FlowSetFields): Promise<FlowSetRow> {
  const [row] = await q.query<FlowSetRow>(
    `INSERT INTO ${FLOW_SETS} (tenant_id, id, display_name, filter) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${FLOW_SET_COLUMNS}`,
    [tenantId, randomUUID(), fields.displayName, fields.filter === null ? null : JSON.stringify(fields.filter)],
  );
  return row!;
}

export async function updateFlowSet(q: Queryable, tenantId: string, id: string, fields: Partial<FlowSetFields>): Promise<boolean> {
  const rows = await q.query(
    `UPDATE ${FLOW_SETS} SET display_name = COALESCE($3, display_name), filter = CASE WHEN $4::boolean THEN $5::jsonb ELSE filter END, last_modified_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING id`,
    [tenantId, id, fields.displayName ?? null, fields.filter !== undefined, fields.filter == null ? null : JSON.stringify(fields.filter)],
  );
  return rows.length === 1;
}

/** Deletes the set and its flows. */
export async function deleteFlowSet(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`DELETE FROM ${FLOW_SETS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length === 1;
}

const PROVISIONING_FLOWS = 'industry_data_provisioning_flows';
const PROVISIONING_COLUMNS = 'id, flow_set_id, flow_type, options, created_at, last_modified_at, reset_at';

export interface ProvisioningFlowRow extends Row {
  id: string;
  flow_set_id: string;
  /** The concrete type's name (`userProvisioningFlow`). */
  flow_type: string;
  /** Its own properties as the body gave them (codes resolved, role groups by key). */
  options: Record<string, unknown>;
  created_at: string;
  last_modified_at: string;
  /** When `reset` last removed what it provisioned. */
  reset_at: string | null;
  /** `ready` while the tenant has an inbound flow that has not expired (something to provision from), else `notReady`. */
  readiness: string;
}

/** The flows of one set; readiness is computed from the tenant's inbound flows. */
export const provisioningFlowRows = (tenantId: string, flowSetId: string): Sql =>
  sql`SELECT ${raw(PROVISIONING_COLUMNS)},
      CASE WHEN EXISTS (SELECT 1 FROM ${raw(FLOWS)} f WHERE f.tenant_id = ${tenantId} AND (f.expires_at IS NULL OR f.expires_at > now()))
        THEN 'ready' ELSE 'notReady' END AS readiness
    FROM ${raw(PROVISIONING_FLOWS)} WHERE tenant_id = ${tenantId} AND flow_set_id = ${flowSetId}`;

/** The new flow's id, or undefined when the set already has a flow of this type. */
export async function insertProvisioningFlow(q: Queryable, tenantId: string, flowSetId: string, flowType: string, options: Record<string, unknown>): Promise<string | undefined> {
  const id = randomUUID();
  const rows = await q.query(
    `INSERT INTO ${PROVISIONING_FLOWS} (tenant_id, id, flow_set_id, flow_type, options) VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (tenant_id, flow_set_id, flow_type) DO NOTHING RETURNING id`,
    [tenantId, id, flowSetId, flowType, JSON.stringify(options)],
  );
  return rows.length ? id : undefined;
}

/** Replaces the properties `options` names. */
export async function updateProvisioningFlow(q: Queryable, tenantId: string, id: string, options: Record<string, unknown>): Promise<boolean> {
  const rows = await q.query(
    `UPDATE ${PROVISIONING_FLOWS} SET options = options || $3::jsonb, last_modified_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING id`,
    [tenantId, id, JSON.stringify(options)],
  );
  return rows.length === 1;
}

export async function deleteProvisioningFlow(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`DELETE FROM ${PROVISIONING_FLOWS} WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length === 1;
}

/** Records a reset (provision.ts's unprovisionFlow removes what the flow made, in the same transaction). */
export async function resetProvisioningFlow(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`UPDATE ${PROVISIONING_FLOWS} SET reset_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length === 1;
}
