// The SQL of runs and their activities: the relations the generic routes serve, and the writes of
// the run handler. A run's id is its engine operation's id.
import type { Queryable, Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import { sql } from '../../db/sql.js';

export interface RunRow extends Row {
  id: string;
  display_name: string;
  trigger: 'onDemand' | 'scheduled';
  status: string;
  start_at: string;
  end_at: string | null;
  blocking_error: Record<string, unknown> | null;
  statistics: Record<string, unknown> | null;
}

export interface ActivityRow extends Row {
  id: string;
  run_id: string;
  position: number;
  direction: 'inbound' | 'outbound';
  flow_id: string;
  display_name: string;
  status: string;
  blocking_error: Record<string, unknown> | null;
  statistics: Record<string, unknown> | null;
}

export const runRows = (tenantId: string): Sql =>
  sql`SELECT id, display_name, trigger, status, start_at, end_at, blocking_error, statistics FROM industry_data_runs WHERE tenant_id = ${tenantId}`;

export const activityRows = (tenantId: string, runId: string): Sql =>
  sql`SELECT id, run_id, position, direction, flow_id, display_name, status, blocking_error, statistics
      FROM industry_data_run_activities WHERE tenant_id = ${tenantId} AND run_id = ${runId}`;

/** Graph's run names: `Run 2023-11-01 11:10 UTC`, from the start. */
const RUN_NAME = `'Run ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'`;

/** The run row of operation `id`, created running if it is not there yet (a retried run finds it). */
export async function ensureRun(q: Queryable, tenantId: string, id: string, trigger: RunRow['trigger']): Promise<RunRow> {
  await q.query(
    `INSERT INTO industry_data_runs (tenant_id, id, display_name, trigger, status) VALUES ($1, $2, ${RUN_NAME}, $3, 'running')
     ON CONFLICT (tenant_id, id) DO NOTHING`,
    [tenantId, id, trigger],
  );
  const [row] = await q.query<RunRow>(
    'SELECT id, display_name, trigger, status, start_at, end_at, blocking_error, statistics FROM industry_data_runs WHERE tenant_id = $1 AND id = $2',
    [tenantId, id],
  );
  return row!;
}

export interface Window {
  /** Successful runs started in the window. */
  successes: number;
  /** When the oldest of them leaves the window. */
  oldestLeavesAt: string | null;
}

/** Successful runs (completed, with warnings or errors) started in the last `hours`. */
export async function successfulRuns(q: Queryable, tenantId: string, hours: number): Promise<Window> {
  const [row] = await q.query<{ successes: number; oldest_leaves_at: string | null }>(
    `SELECT count(*)::int AS successes, min(start_at) + $2 * interval '1 hour' AS oldest_leaves_at FROM industry_data_runs
     WHERE tenant_id = $1 AND status LIKE 'completed%' AND start_at > now() - $2 * interval '1 hour'`,
    [tenantId, hours],
  );
  return { successes: row!.successes, oldestLeavesAt: row!.oldest_leaves_at };
}

/** When the tenant's last on-demand run started, if one did. */
export async function lastOnDemandStart(q: Queryable, tenantId: string): Promise<string | undefined> {
  const [row] = await q.query<{ at: string | null }>(`SELECT max(start_at) AS at FROM industry_data_runs WHERE tenant_id = $1 AND trigger = 'onDemand'`, [tenantId]);
  return row?.at ?? undefined;
}

export interface NewActivity {
  id: string;
  direction: ActivityRow['direction'];
  flowId: string;
  displayName: string;
  status: string;
}

/** The run's activities, as its first attempt listed them (a retry keeps them and their outcomes). */
export async function ensureActivities(q: Queryable, tenantId: string, runId: string, activities: readonly NewActivity[]): Promise<ActivityRow[]> {
  if (activities.length) {
    await q.query(
      `INSERT INTO industry_data_run_activities (tenant_id, run_id, id, position, direction, flow_id, display_name, status)
       SELECT $1, $2, a.id, a.position, a.direction, a.flow_id, a.display_name, a.status
       FROM jsonb_to_recordset($3::jsonb) AS a(id text, position integer, direction text, flow_id text, display_name text, status text)
       WHERE NOT EXISTS (SELECT 1 FROM industry_data_run_activities WHERE tenant_id = $1 AND run_id = $2)`,
      [
        tenantId,
        runId,
        JSON.stringify(activities.map((a, i) => ({ id: a.id, position: i, direction: a.direction, flow_id: a.flowId, display_name: a.displayName, status: a.status }))),
      ],
    );
  }
  return runActivities(q, tenantId, runId);
}

export function runActivities(q: Queryable, tenantId: string, runId: string): Promise<ActivityRow[]> {
  return q.query<ActivityRow>(
    `SELECT id, run_id, position, direction, flow_id, display_name, status, blocking_error, statistics
     FROM industry_data_run_activities WHERE tenant_id = $1 AND run_id = $2 ORDER BY position`,
    [tenantId, runId],
  );
}

export async function finishActivity(
  q: Queryable,
  tenantId: string,
  runId: string,
  id: string,
  outcome: { status: string; blockingError?: unknown; statistics?: unknown },
): Promise<void> {
  await q.query(
    `UPDATE industry_data_run_activities SET status = $4, blocking_error = $5::jsonb, statistics = $6::jsonb WHERE tenant_id = $1 AND run_id = $2 AND id = $3`,
    [tenantId, runId, id, outcome.status, outcome.blockingError === undefined ? null : JSON.stringify(outcome.blockingError), outcome.statistics === undefined ? null : JSON.stringify(outcome.statistics)],
  );
}

export async function finishRun(q: Queryable, tenantId: string, id: string, outcome: { status: string; blockingError?: unknown; statistics: unknown }): Promise<void> {
  await q.query(
    `UPDATE industry_data_runs SET status = $3, end_at = now(), blocking_error = $4::jsonb, statistics = $5::jsonb WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id, outcome.status, outcome.blockingError === undefined ? null : JSON.stringify(outcome.blockingError), JSON.stringify(outcome.statistics)],
  );
}

/** Tenants with an inbound flow in effect: each has a scheduled run. */
export async function tenantsWithActiveFlows(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ tenant_id: string }>(
    `SELECT DISTINCT tenant_id FROM industry_data_inbound_flows WHERE effective_at <= now() AND (expires_at IS NULL OR expires_at > now())`,
  );
  return rows.map((r) => r.tenant_id);
}

/** When the tenant's last scheduled run started. */
export async function lastScheduledStart(q: Queryable, tenantId: string): Promise<string | undefined> {
  const [row] = await q.query<{ at: string | null }>(`SELECT max(start_at) AS at FROM industry_data_runs WHERE tenant_id = $1 AND trigger = 'scheduled'`, [tenantId]);
  return row?.at ?? undefined;
}
