// The family's SQL. A tenant's alerts, definitions and configurations are the seven built-in
// alert names joined with the rows the tenant has (role_alert_states, role_alert_configurations);
// a missing row reads as the defaults, so nothing is written when a tenant first reads them.
import { randomUUID } from 'node:crypto';
import type { Db, Queryable, Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import { compile, raw, shared, sql } from '../../db/sql.js';
import type { AlertName, Settings } from './model.js';
import { ALERT_NAMES, CONFIGURATION_TYPES, DEFAULT_IS_ENABLED, DEFINITIONS, NEVER, SCOPE_ID, SCOPE_TYPE } from './model.js';
import { REMEDIATIONS } from './remediation.js';
import { SCANNERS, scanInput } from './scanners/index.js';

export interface AlertRow extends Row {
  id: string;
  alert_name: AlertName;
  scope_id: string;
  scope_type: string;
  incident_count: number;
  is_active: boolean;
  last_modified_at: string;
  last_scanned_at: string;
  is_enabled: boolean;
  duration_ms: number | null;
  global_admin_count_threshold: number | null;
  global_admin_percentage_threshold: number | null;
  activation_count_threshold: number | null;
  activation_interval_ms: number | null;
}

export interface IncidentRow extends Row {
  id: string;
  alert_name: AlertName;
  assignee_id: string | null;
  assignee_display_name: string | null;
  assignee_user_principal_name: string | null;
  role_definition_id: string | null;
  role_display_name: string | null;
  role_template_id: string | null;
  assignment_created_at: string | null;
  last_sign_in_at: string | null;
  last_activation_at: string | null;
  activation_count: number | null;
  sequence_start_at: string | null;
  sequence_end_at: string | null;
  tenant_license_status: string | null;
}

const DEFINITIONS_JSON = JSON.stringify(
  ALERT_NAMES.map((name) => {
    const d = DEFINITIONS[name];
    return {
      name,
      display_name: d.displayName,
      description: d.description,
      severity_level: d.severityLevel,
      security_impact: d.securityImpact,
      mitigation_steps: d.mitigationSteps,
      how_to_prevent: d.howToPrevent,
      is_remediatable: d.isRemediatable,
      is_configurable: d.isConfigurable,
    };
  }),
);

/** One row per alert of `names`: the alert's state and its configuration (defaults where the tenant has no row). */
export const alertRows = (tenantId: string, names: readonly AlertName[] = ALERT_NAMES): Sql => sql`
  SELECT ${`${SCOPE_TYPE}_${tenantId}_`}::text || n.name AS id, n.name AS alert_name,
    ${SCOPE_ID}::text AS scope_id, ${SCOPE_TYPE}::text AS scope_type,
    COALESCE(s.incident_count, 0) AS incident_count,
    COALESCE(s.is_active, false) AS is_active,
    COALESCE(s.last_modified_at, ${NEVER}::timestamptz) AS last_modified_at,
    COALESCE(s.last_scanned_at, ${NEVER}::timestamptz) AS last_scanned_at,
    COALESCE(c.is_enabled, ${DEFAULT_IS_ENABLED}::boolean) AS is_enabled,
    c.duration_ms, c.global_admin_count_threshold, c.global_admin_percentage_threshold,
    c.activation_count_threshold, c.activation_interval_ms
  FROM unnest(${[...names]}::text[]) AS n(name)
  LEFT JOIN role_alert_states s ON s.tenant_id = ${tenantId} AND s.alert_name = n.name
  LEFT JOIN role_alert_configurations c ON c.tenant_id = ${tenantId} AND c.alert_name = n.name`;

/** The definitions, static texts from code (never input) as a relation the query options read. */
export const definitionRows = (tenantId: string): Sql => sql`
  SELECT ${`${SCOPE_TYPE}_${tenantId}_`}::text || d.name AS id, d.name AS alert_name,
    d.display_name, d.description, d.severity_level, d.security_impact, d.mitigation_steps, d.how_to_prevent,
    d.is_remediatable, d.is_configurable, ${SCOPE_ID}::text AS scope_id, ${SCOPE_TYPE}::text AS scope_type
  FROM jsonb_to_recordset(${DEFINITIONS_JSON}::jsonb) AS d(name text, display_name text, description text, severity_level text,
    security_impact text, mitigation_steps text, how_to_prevent text, is_remediatable boolean, is_configurable boolean)`;

export async function getAlert(q: Queryable, tenantId: string, name: AlertName): Promise<AlertRow> {
  const [row] = await q.query<AlertRow>(...compile(alertRows(tenantId, [name])));
  return row!;
}

/** The configuration with every threshold resolved: the tenant's value, else the default. */
export function settingsOf(row: AlertRow): Settings {
  const thresholds: Record<string, number> = {};
  for (const t of CONFIGURATION_TYPES[row.alert_name].thresholds) thresholds[t.name] = row[t.column] ?? t.default;
  return { isEnabled: row.is_enabled, thresholds };
}

/** Dismisses (false) or re-activates (true) an alert. */
export async function setAlertActive(q: Queryable, tenantId: string, name: AlertName, isActive: boolean): Promise<void> {
  await q.query(
    `INSERT INTO role_alert_states (tenant_id, alert_name, is_active) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, alert_name) DO UPDATE SET is_active = EXCLUDED.is_active`,
    [tenantId, name, isActive],
  );
}

export interface ConfigurationChange {
  isEnabled?: boolean;
  /** Threshold values by column. */
  columns: Partial<Record<'duration_ms' | 'global_admin_count_threshold' | 'global_admin_percentage_threshold' | 'activation_count_threshold' | 'activation_interval_ms', number>>;
}

/** Applies a PATCH of a configuration; the alert's lastModifiedDateTime becomes now. */
export async function updateConfiguration(db: Db, tenantId: string, name: AlertName, change: ConfigurationChange): Promise<void> {
  const c = change.columns;
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO role_alert_configurations AS c (tenant_id, alert_name, is_enabled, duration_ms, global_admin_count_threshold,
         global_admin_percentage_threshold, activation_count_threshold, activation_interval_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, alert_name) DO UPDATE SET
         is_enabled = COALESCE(EXCLUDED.is_enabled, c.is_enabled),
         duration_ms = COALESCE(EXCLUDED.duration_ms, c.duration_ms),
         global_admin_count_threshold = COALESCE(EXCLUDED.global_admin_count_threshold, c.global_admin_count_threshold),
         global_admin_percentage_threshold = COALESCE(EXCLUDED.global_admin_percentage_threshold, c.global_admin_percentage_threshold),
         activation_count_threshold = COALESCE(EXCLUDED.activation_count_threshold, c.activation_count_threshold),
         activation_interval_ms = COALESCE(EXCLUDED.activation_interval_ms, c.activation_interval_ms),
         updated_at = now()`,
      [
        tenantId,
        name,
        change.isEnabled ?? null,
        c.duration_ms ?? null,
        c.global_admin_count_threshold ?? null,
        c.global_admin_percentage_threshold ?? null,
        c.activation_count_threshold ?? null,
        c.activation_interval_ms ?? null,
      ],
    );
    await tx.query(
      `INSERT INTO role_alert_states (tenant_id, alert_name, last_modified_at) VALUES ($1, $2, now())
       ON CONFLICT (tenant_id, alert_name) DO UPDATE SET last_modified_at = now()`,
      [tenantId, name],
    );
  });
}

// ---- incidents ----

/** The incidents of one alert. */
export const incidentRows = (tenantId: string, name: AlertName): Sql =>
  sql`SELECT * FROM role_alert_incidents WHERE tenant_id = ${tenantId} AND alert_name = ${name}`;

export async function getIncident(q: Queryable, tenantId: string, name: AlertName, id: string): Promise<IncidentRow | undefined> {
  const [row] = await q.query<IncidentRow>(...compile(sql`${incidentRows(tenantId, name)} AND id = ${id}`));
  return row;
}

// ---- refresh ----

export type ScanOutcome =
  | { status: 'scanned'; incidents: number; added: number; removed: number }
  | { status: 'disabled' }
  | { status: 'noDirectory' };

export async function hasDirectory(q: Queryable, tenantId: string): Promise<boolean> {
  return (await q.query(`SELECT 1 FROM directory_tenants WHERE tenant_id = $1`, [tenantId])).length > 0;
}

/** Locks the alert's state row (created with defaults if missing) until the transaction ends. */
async function lockAlert(tx: Queryable, tenantId: string, name: AlertName): Promise<void> {
  await tx.query(`INSERT INTO role_alert_states (tenant_id, alert_name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [tenantId, name]);
  await tx.query(`SELECT 1 FROM role_alert_states WHERE tenant_id = $1 AND alert_name = $2 FOR UPDATE`, [tenantId, name]);
}

/**
 * Runs the alert's scanner and replaces its incidents and state in ONE transaction, with one
 * statement: incidents the scan no longer finds are deleted, new ones inserted, changed ones
 * updated (unchanged rows are not rewritten; scan_id names the scan that last wrote a row). A
 * retried attempt therefore never duplicates incidents, and readers see the old set or the new.
 * `at` fixes the scan time (tests); by default it is the transaction's `now()`.
 */
export async function scanAlert(db: Db, tenantId: string, name: AlertName, at?: string): Promise<ScanOutcome> {
  if (!(await hasDirectory(db, tenantId))) return { status: 'noDirectory' };
  return db.transaction(async (tx) => {
    await lockAlert(tx, tenantId, name);
    const settings = settingsOf(await getAlert(tx, tenantId, name));
    if (!settings.isEnabled) return { status: 'disabled' } as const;
    const [{ now }] = (await tx.query<{ now: string }>(`SELECT COALESCE($1::timestamptz, now()) AS now`, [at ?? null])) as [{ now: string }];
    const scanner = SCANNERS[name];
    const input = scanInput(tenantId, now, settings);
    const alertName = shared(name);
    // The scanner's columns (names from code), each written as `as` says.
    const columns = (as = (c: string) => c) => raw(scanner.columns.map(as).join(', '));
    const [outcome] = await tx.query<{ incidents: number; added: number; removed: number }>(
      ...compile(sql`WITH found AS MATERIALIZED (
         SELECT DISTINCT ON (id) * FROM (${scanner.select(input)}
         ) scanned ORDER BY id
       ), gone AS (
         -- NOT IN: a hashed subplan whatever the (often low) row estimate of the scan.
         DELETE FROM role_alert_incidents i
         WHERE i.tenant_id = ${input.tenantId} AND i.alert_name = ${alertName}::text AND i.id NOT IN (SELECT id FROM found)
         RETURNING 1
       ), written AS (
         INSERT INTO role_alert_incidents AS i (tenant_id, alert_name, id, scan_id, ${columns()})
         SELECT ${input.tenantId}::text, ${alertName}::text, id, ${randomUUID()}::text, ${columns()} FROM found
         ON CONFLICT (tenant_id, alert_name, id) DO UPDATE SET scan_id = EXCLUDED.scan_id,
           ${columns((c) => `${c} = EXCLUDED.${c}`)}
         WHERE (${columns((c) => `i.${c}`)}) IS DISTINCT FROM (${columns((c) => `EXCLUDED.${c}`)})
         RETURNING (xmax = 0) AS inserted
       )
       SELECT (SELECT count(*) FROM found)::int AS incidents,
         (SELECT count(*) FROM written WHERE inserted)::int AS added,
         (SELECT count(*) FROM gone)::int AS removed`),
    );
    const { incidents, added, removed } = outcome!;
    await tx.query(
      `UPDATE role_alert_states SET incident_count = $3, is_active = $3 > 0, last_scanned_at = $4,
         last_modified_at = CASE WHEN $5 THEN $4::timestamptz ELSE last_modified_at END
       WHERE tenant_id = $1 AND alert_name = $2`,
      [tenantId, name, incidents, now, added > 0],
    );
    return { status: 'scanned', incidents, added, removed } as const;
  });
}

// ---- remediate ----

export type RemediateOutcome = 'remediated' | 'notFound' | 'notRemediatable';

/** Applies the definition's mitigation to the directory and removes the incident, in one transaction. */
export async function remediateIncident(db: Db, tenantId: string, name: AlertName, incidentId: string): Promise<RemediateOutcome> {
  return db.transaction(async (tx) => {
    await lockAlert(tx, tenantId, name);
    const incident = await getIncident(tx, tenantId, name, incidentId);
    if (!incident) return 'notFound';
    const remediate = REMEDIATIONS[name];
    if (!DEFINITIONS[name].isRemediatable || !remediate) return 'notRemediatable';
    await remediate(tx, tenantId, incident);
    await tx.query(`DELETE FROM role_alert_incidents WHERE tenant_id = $1 AND alert_name = $2 AND id = $3`, [tenantId, name, incidentId]);
    await tx.query(
      `UPDATE role_alert_states SET incident_count = incident_count - 1, is_active = is_active AND incident_count > 1
       WHERE tenant_id = $1 AND alert_name = $2`,
      [tenantId, name],
    );
    return 'remediated';
  });
}
