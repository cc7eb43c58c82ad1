// What every scanner is: one set-based SELECT over the directory tables that returns the
// incidents of one alert type. The refresh wraps it in `INSERT … SELECT` (store.ts), so no
// directory row is ever loaded into the service's memory.
import type { IncidentColumn, Settings } from '../model.js';

export interface Scanner {
  /**
   * Returns one row per incident: `id` (unique) and the columns in `columns`. Parameters: $1 the
   * tenant id, $2 the scan time (timestamptz), then `params(settings)` from $3 on.
   */
  sql: string;
  columns: readonly IncidentColumn[];
  params(settings: Settings): unknown[];
}

/** `$n` as a moment `ms` milliseconds before the scan time: `$2 - $n ms`. */
export const before = (n: number) => `($2::timestamptz - $${n}::float8 * interval '1 millisecond')`;

/**
 * (principal_id, role_id, id, created_at) of every role held at the scan time: active
 * assignments that have not ended (activated ones included) and eligibilities in effect. An
 * assignment ending exactly at the scan time has ended.
 */
export const HELD_ROLES = `
  SELECT a.principal_id, a.role_id, a.id, a.created_at
  FROM directory_role_assignments a
  WHERE a.tenant_id = $1 AND (a.end_at IS NULL OR a.end_at > $2::timestamptz)
  UNION ALL
  SELECT e.principal_id, e.role_id, e.id, e.created_at
  FROM directory_role_eligibilities e
  WHERE e.tenant_id = $1 AND (e.start_at IS NULL OR e.start_at <= $2::timestamptz) AND (e.end_at IS NULL OR e.end_at > $2::timestamptz)`;

export const ASSIGNEE_COLUMNS = ['assignee_id', 'assignee_display_name', 'assignee_user_principal_name'] as const;
export const ROLE_COLUMNS = ['role_definition_id', 'role_display_name', 'role_template_id'] as const;
