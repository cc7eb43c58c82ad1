// What every scanner is: one set-based SELECT over the directory tables that returns the
// incidents of one alert type. The refresh wraps it in `INSERT … SELECT` (store.ts), so no
// directory row is ever loaded into the service's memory.
import type { Sql } from '../../../db/sql.js';
import { shared, sql } from '../../../db/sql.js';
import type { IncidentColumn, Settings } from '../model.js';

/**
 * What a scan reads, as the statement's parameters: the tenant id and the scan time are each one
 * placeholder however often the statement names them (`scanInput`), so the statement that wraps
 * the scanner (store.ts) names the same tenant id too.
 */
export interface ScanInput {
  /** The tenant id. */
  readonly tenantId: Sql;
  /** The scan time, a timestamptz. */
  readonly now: Sql;
  readonly settings: Settings;
}

export const scanInput = (tenantId: string, now: string, settings: Settings): ScanInput => ({
  tenantId: sql`${shared(tenantId)}`,
  now: sql`${shared(now)}::timestamptz`,
  settings,
});

export interface Scanner {
  columns: readonly IncidentColumn[];
  /** Returns one row per incident: `id` (unique) and the columns in `columns`. */
  select(input: ScanInput): Sql;
}

/**
 * The moment `ms` milliseconds before the scan time. `ms` is one placeholder however often the
 * statement names the fragment: build it once, use it where needed.
 */
export const before = ({ now }: ScanInput, ms: unknown): Sql => sql`(${now} - ${shared(ms)}::float8 * interval '1 millisecond')`;

/**
 * (principal_id, role_id, id, created_at) of every role held at the scan time: active
 * assignments that have not ended (activated ones included) and eligibilities in effect. An
 * assignment ending exactly at the scan time has ended.
 */
export const heldRoles = ({ tenantId, now }: ScanInput): Sql => sql`
  SELECT a.principal_id, a.role_id, a.id, a.created_at
  FROM directory_role_assignments a
  WHERE a.tenant_id = ${tenantId} AND (a.end_at IS NULL OR a.end_at > ${now})
  UNION ALL
  SELECT e.principal_id, e.role_id, e.id, e.created_at
  FROM directory_role_eligibilities e
  WHERE e.tenant_id = ${tenantId} AND (e.start_at IS NULL OR e.start_at <= ${now}) AND (e.end_at IS NULL OR e.end_at > ${now})`;

export const ASSIGNEE_COLUMNS = ['assignee_id', 'assignee_display_name', 'assignee_user_principal_name'] as const;
export const ROLE_COLUMNS = ['role_definition_id', 'role_display_name', 'role_template_id'] as const;
