// A run, executed by the engine (an on-demand start or the tenant's scheduled run): one activity
// per inbound flow in effect and one per provisioning flow. Each inbound flow's connector upload is
// validated (the validator of `validate`) while the records it keeps are spooled, then loaded into
// the education store and its people matched (load.ts) in one transaction; the activity's result
// is written with it. Then each provisioning flow writes the directory from the store (provision.ts),
// in one transaction with its activity's outcome. A retried attempt keeps the activities already
// finished.
import type { HandlerContext, HandlerDefinition, HandlerResult } from '../../engine/index.js';
import { PermanentError } from '../../engine/index.js';
import type { BlobStore } from '../../storage/index.js';
import type { EntityCount, FlowCounts } from './load.js';
import { loadFlow, RecordSpool } from './load.js';
import { RUNS_PATH, SKIP_SCHEDULED_WITHIN_HOURS } from './model.js';
import type { ActivityRow, RunRow } from './runStore.js';
import { ensureActivities, ensureRun, finishActivity, finishRun, lastOnDemandStart } from './runStore.js';
import { qualifiedName } from '../../graph/model/edm.js';
import { activityStatisticsType, inboundActivityResultsType } from './schema.js';
import type { ProvisionCounts, ProvisioningFlow } from './provision.js';
import { provisionFlow } from './provision.js';
import type { UserMatchingSetting } from './store.js';
import { currentSession } from './store.js';
import { uploadedFiles, validationOptions } from './upload.js';
import type { PublicError, SdsFile } from './validator/index.js';
import { issueTotals, validateUpload } from './validator/index.js';

export interface RunInput {
  /** `https://host/beta`: resourceLocation is built on it; null: a path (a scheduled run of a server without a public URL). */
  root: string | null;
  trigger: RunRow['trigger'];
}

function input(ctx: HandlerContext): RunInput {
  const { root, trigger } = ctx.operation.input as Partial<RunInput>;
  if ((root !== null && typeof root !== 'string') || (trigger !== 'onDemand' && trigger !== 'scheduled')) throw new PermanentError('The operation has no valid input.');
  return { root: root ?? null, trigger };
}

interface InboundFlow {
  id: string;
  display_name: string;
  year_id: string | null;
  connector_id: string;
  file_format_code: string | null;
  last_validated_files: string[] | null;
  user_matching_settings: UserMatchingSetting[];
}

async function inboundFlows(ctx: HandlerContext): Promise<InboundFlow[]> {
  return ctx.db.query<InboundFlow & Record<string, unknown>>(
    `SELECT f.id, f.display_name, f.year_id, f.connector_id, c.file_format_code, c.last_validated_files, s.user_matching_settings
     FROM industry_data_inbound_flows f
     JOIN industry_data_connectors c ON c.tenant_id = f.tenant_id AND c.id = f.connector_id
     JOIN industry_data_source_systems s ON s.tenant_id = c.tenant_id AND s.id = c.source_system_id
     WHERE f.tenant_id = $1 AND f.effective_at <= now() AND (f.expires_at IS NULL OR f.expires_at > now())
     ORDER BY f.created_at, f.id`,
    [ctx.operation.tenantId],
  );
}

interface OutboundFlow extends ProvisioningFlow {
  display_name: string;
  /** Its set's filter: the org sourcedIds it provisions (null: all). */
  orgs: string[] | null;
  /** Its set's user flow. */
  user_flow_id: string | null;
}

/**
 * The tenant's provisioning flows, each named by its set and type (`Main (userProvisioningFlow)`):
 * user flows first, since the others make the users they create members.
 */
async function provisioningFlows(ctx: HandlerContext): Promise<OutboundFlow[]> {
  return ctx.db.query<OutboundFlow & Record<string, unknown>>(
    `SELECT p.id, p.flow_set_id, p.flow_type, p.options, s.display_name || ' (' || p.flow_type || ')' AS display_name,
       CASE WHEN jsonb_typeof(s.filter->'in') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(s.filter->'in')) END AS orgs,
       (SELECT u.id FROM industry_data_provisioning_flows u WHERE u.tenant_id = p.tenant_id AND u.flow_set_id = p.flow_set_id AND u.flow_type = 'userProvisioningFlow') AS user_flow_id
     FROM industry_data_provisioning_flows p
     JOIN industry_data_outbound_flow_sets s ON s.tenant_id = p.tenant_id AND s.id = p.flow_set_id
     WHERE p.tenant_id = $1 ORDER BY p.flow_type <> 'userProvisioningFlow', s.created_at, p.created_at, p.id`,
    [ctx.operation.tenantId],
  );
}

interface Outcome {
  status: string;
  blockingError?: PublicError;
  statistics?: Record<string, unknown>;
}

const blocking = (code: string, message: string): PublicError => ({ code, message, target: null as unknown as string, details: [], innerError: null });

/** One inbound flow: validate its connector's upload while spooling what passes, then load it. */
async function runInbound(ctx: HandlerContext, store: BlobStore, runId: string, flow: InboundFlow, activity: ActivityRow): Promise<Outcome> {
  const tenantId = ctx.operation.tenantId;
  const session = await currentSession(ctx.db, tenantId, flow.connector_id);
  if (!session || session.expired) return { status: 'failed', blockingError: blocking('UploadSessionNotFound', `The data connector '${flow.connector_id}' has no upload to load.`) };
  const files = await uploadedFiles(store, session.id);
  const options = await validationOptions(ctx.db, tenantId, flow.file_format_code, ctx.signal);
  const spool = new RecordSpool();
  try {
    const result = await validateUpload(files, {
      ...options,
      uploadSessionExists: true,
      previousFiles: flow.last_validated_files ?? [],
      onProgress: (detail) => ctx.progress(`${flow.display_name}: ${detail}`),
      sink: spool,
    });
    const { errors, warnings } = issueTotals(result);
    const loaded = spool.loaded;
    if (!loaded.includes('users.csv') || !loaded.includes('orgs.csv')) {
      const first = result.errors[0];
      return { status: 'failed', blockingError: first ?? blocking('NoRecords', 'The upload holds no organization or person that passed validation.'), statistics: results(activity, 'failed', errors, warnings) };
    }
    await ctx.progress(`${flow.display_name}: loading`);
    const uploaded = files.map((f) => f.name).filter((name): name is SdsFile => result.validatedFiles.includes(name));
    const counts = await loadFlow(ctx.db, spool, { tenantId, flowId: flow.id, yearId: flow.year_id, runId, uploaded, matching: flow.user_matching_settings });
    const status = errors > 0 ? 'completedWithErrors' : warnings > 0 ? 'completedWithWarnings' : 'completed';
    return { status, statistics: results(activity, status, errors, warnings, counts) };
  } finally {
    spool.close();
  }
}

/** One provisioning flow, in one transaction with its activity's outcome (a retry redoes it whole or finds it done). */
async function runOutbound(ctx: HandlerContext, runId: string, activity: ActivityRow, flow: OutboundFlow | undefined, inboundFlowIds: string[]): Promise<Outcome> {
  const tenantId = ctx.operation.tenantId;
  return ctx.db.transaction(async (tx) => {
    let outcome: Outcome;
    if (!flow) outcome = { status: 'failed', blockingError: blocking('FlowNotFound', 'The provisioning flow was deleted during the run.') };
    else if (!inboundFlowIds.length) outcome = { status: 'skipped' };
    else {
      const counts = await provisionFlow(tx, flow, { tenantId, inboundFlowIds, orgs: flow.orgs, userFlowId: flow.user_flow_id });
      outcome = { status: 'completed', statistics: { ...outboundResults(activity, 'completed'), ...counts } };
    }
    await finishActivity(tx, tenantId, runId, activity.id, outcome);
    return outcome;
  });
}

/** An outbound activity in the run's statistics: Graph's base industryDataActivityStatistics. */
const outboundResults = (activity: ActivityRow, status: string) => ({
  '@odata.type': `#${qualifiedName(activityStatisticsType)}`,
  activityId: activity.id,
  displayName: activity.display_name,
  status,
});

const NONE = { active: 0, inactive: 0, total: 0 };

/** An inbound activity's statistics (inboundActivityResults). */
function results(activity: ActivityRow, status: string, errors: number, warnings: number, counts?: FlowCounts): Record<string, unknown> {
  return {
    '@odata.type': `#${qualifiedName(inboundActivityResultsType)}`,
    activityId: activity.id,
    displayName: activity.display_name,
    status,
    errors,
    groups: counts?.groups ?? NONE,
    matchedPeopleByRole: counts?.matchedPeopleByRole ?? [],
    memberships: counts?.memberships ?? NONE,
    organizations: counts?.organizations ?? NONE,
    people: counts?.people ?? NONE,
    unmatchedPeopleByRole: counts?.unmatchedPeopleByRole ?? [],
    warnings,
  };
}

/** The run's status from its inbound activities: failed only when every one failed. */
function runStatus(inbound: readonly ActivityRow[]): string {
  const statuses = inbound.map((a) => a.status);
  if (statuses.length > 0 && statuses.every((s) => s === 'failed')) return 'failed';
  for (const status of ['completedWithErrors', 'completedWithWarnings']) if (statuses.includes(status)) return status;
  return statuses.includes('failed') ? 'completedWithErrors' : 'completed';
}

type RoleCount = { role: string; count: number };
const sumByRole = (lists: RoleCount[][]): RoleCount[] => {
  const totals = new Map<string, number>();
  for (const { role, count } of lists.flat()) totals.set(role, (totals.get(role) ?? 0) + count);
  return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([role, count]) => ({ role, count }));
};

interface InboundResults {
  errors: number;
  warnings: number;
  people: EntityCount;
  organizations: EntityCount;
  groups: EntityCount;
  memberships: EntityCount;
  matchedPeopleByRole: RoleCount[];
  unmatchedPeopleByRole: RoleCount[];
}

/** industryDataRunStatistics from the activities' results. */
export function runStatistics(runId: string, status: string, activities: readonly ActivityRow[]): Record<string, unknown> {
  const inbound = activities.filter((a) => a.direction === 'inbound' && a.statistics).map((a) => a.statistics as unknown as InboundResults);
  const sum = (of: (s: InboundResults) => number) => inbound.reduce((n, s) => n + of(s), 0);
  return {
    activityStatistics: [...inbound, ...activities.filter((a) => a.direction === 'outbound').map((a) => outboundResults(a, a.status))],
    inboundTotals: {
      errors: sum((s) => s.errors),
      groups: sum((s) => s.groups.active),
      matchedPeopleByRole: sumByRole(inbound.map((s) => s.matchedPeopleByRole)),
      memberships: sum((s) => s.memberships.active),
      organizations: sum((s) => s.organizations.active),
      people: sum((s) => s.people.active),
      unmatchedPeopleByRole: sumByRole(inbound.map((s) => s.unmatchedPeopleByRole)),
      warnings: sum((s) => s.warnings),
    },
    runId,
    status,
  };
}

/** The run handler, reading uploads from `store`. */
export const run = (store: BlobStore): HandlerDefinition => ({
  timeoutMs: 60 * 60_000,
  async handle(ctx): Promise<HandlerResult> {
    const { root, trigger } = input(ctx);
    const tenantId = ctx.operation.tenantId;
    const runId = ctx.operation.id;
    if (trigger === 'scheduled' && ctx.attempt === 1) {
      const onDemand = await lastOnDemandStart(ctx.db, tenantId);
      if (onDemand && Date.now() - Date.parse(onDemand) < SKIP_SCHEDULED_WITHIN_HOURS * 3_600_000) {
        return { statusDetail: `Skipped: an on-demand run started at ${onDemand}, less than ${SKIP_SCHEDULED_WITHIN_HOURS} hours before.` };
      }
    }
    await ensureRun(ctx.db, tenantId, runId, trigger);
    const flows = await inboundFlows(ctx);
    const outbound = await provisioningFlows(ctx);
    const activities = await ensureActivities(ctx.db, tenantId, runId, [
      ...flows.map((f) => ({ id: f.id, direction: 'inbound' as const, flowId: f.id, displayName: f.display_name, status: 'inProgress' })),
      ...outbound.map((p) => ({ id: p.id, direction: 'outbound' as const, flowId: p.id, displayName: p.display_name, status: flows.length ? 'inProgress' : 'skipped' })),
    ]);
    for (const activity of activities) {
      if (activity.direction !== 'inbound' || activity.status !== 'inProgress') continue;
      const flow = flows.find((f) => f.id === activity.flow_id);
      const outcome: Outcome = flow
        ? await runInbound(ctx, store, runId, flow, activity)
        : { status: 'failed', blockingError: blocking('FlowNotFound', 'The inbound flow was deleted during the run.') };
      await finishActivity(ctx.db, tenantId, runId, activity.id, outcome);
      Object.assign(activity, { status: outcome.status, statistics: outcome.statistics ?? null });
    }
    // Provisioning reads the education store, which a failed load left as it was: skipped only
    // when no load succeeded.
    const loaded = activities.filter((a) => a.direction === 'inbound' && a.status !== 'failed').map((a) => a.flow_id);
    for (const activity of activities) {
      if (activity.direction !== 'outbound' || activity.status !== 'inProgress') continue;
      await ctx.progress(`${activity.display_name}: provisioning`);
      const flow = outbound.find((f) => f.id === activity.flow_id);
      const outcome = await runOutbound(ctx, runId, activity, flow, loaded);
      Object.assign(activity, { status: outcome.status, statistics: outcome.statistics ?? null });
    }
    const status = runStatus(activities.filter((a) => a.direction === 'inbound'));
    const statistics = runStatistics(runId, status, activities);
    await finishRun(ctx.db, tenantId, runId, { status, statistics });
    const totals = statistics.inboundTotals as Record<string, number>;
    const provisioned = activities.filter((a) => a.direction === 'outbound' && a.statistics).map((a) => a.statistics as unknown as ProvisionCounts);
    const changes = (of: keyof ProvisionCounts) => provisioned.reduce((n, c) => n + c[of], 0);
    const directory = provisioned.length
      ? ` Directory: ${changes('created')} created, ${changes('updated')} updated, ${changes('removed')} removed or disabled, ${changes('membershipsAdded')} memberships added, ${changes('membershipsRemoved')} removed.`
      : '';
    return {
      resourceLocation: `${root ?? '/beta'}/${RUNS_PATH}/${runId}`,
      statusDetail: `Run ${status}: ${activities.length} activities, ${totals.people} people, ${totals.errors} errors, ${totals.warnings} warnings.${directory}`,
    };
  },
});
