// Runs as Graph serves them: the runs collection and each run's activities (read only), `start`
// (202 to the run's operation, throttled as Graph documents: at most five successful runs in 12
// hours, then 429 with Retry-After), `getStatistics`, and the schedule: every tenant with an
// inbound flow in effect has one pending scheduled run, due 12 hours after its last one — an engine
// operation with a dedupe key, so it survives restarts and is never doubled across instances.
import type { FastifyBaseLogger } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { GraphError } from '../../errors.js';
import type { BoundAction } from '../../graph/model/action.js';
import type { EntityCollection } from '../../graph/model/collection.js';
import { qualifiedName } from '../../graph/model/edm.js';
import { acceptedOperation } from '../../graph/operations.js';
import type { Db } from '../../db/db.js';
import { FAMILY, MAX_SUCCESSFUL_RUNS, ON_DEMAND_RUN_KEY, OPERATIONS_PATH, RUN_EVERY_HOURS, RUN_KIND, SCHEDULED_RUN_KEY } from './model.js';
import * as permissions from './permissions.js';
import { runStatistics } from './runHandler.js';
import type { ActivityRow, RunRow } from './runStore.js';
import { activityRows, ensureRun, lastScheduledStart, runActivities, runRows, successfulRuns, tenantsWithActiveFlows } from './runStore.js';
import { inboundFlowActivityType, NS, outboundFlowActivityType, runActivityType, runStatisticsType, runType } from './schema.js';

const HOUR_MS = 3_600_000;

export interface RunCollections {
  runs: EntityCollection;
  activities: EntityCollection;
  actions: readonly BoundAction[];
}

export function runCollections(inboundFlows: () => EntityCollection): RunCollections {
  const activities: EntityCollection = {
    what: 'run activity',
    type: runActivityType,
    types: [inboundFlowActivityType, outboundFlowActivityType],
    typeOf: (row) => ((row as ActivityRow).direction === 'inbound' ? inboundFlowActivityType : outboundFlowActivityType),
    columns: {
      id: { column: 'id', notNull: true },
      blockingError: { read: (row) => (row as ActivityRow).blocking_error },
      displayName: { column: 'display_name', notNull: true },
      status: { column: 'status', notNull: true },
    },
    rows: (s, parent) => activityRows(s.tenantId, String(parent!.id)),
    navigations: { activity: { target: inboundFlows, key: (row) => ((row as ActivityRow).direction === 'inbound' ? (row as ActivityRow).flow_id : null) } },
    permissions: { read: permissions.runsRead },
  };

  const runs: EntityCollection = {
    what: 'run',
    type: runType,
    columns: {
      id: { column: 'id', notNull: true },
      blockingError: { read: (row) => (row as RunRow).blocking_error },
      displayName: { column: 'display_name', notNull: true },
      endDateTime: { column: 'end_at' },
      startDateTime: { column: 'start_at', notNull: true },
      status: { column: 'status', notNull: true },
    },
    rows: (s) => runRows(s.tenantId),
    navigations: { activities: { target: () => activities, contained: true } },
    permissions: { read: permissions.runsRead },
  };

  const actions: BoundAction[] = [
    {
      kind: 'action',
      namespace: NS,
      name: 'start',
      binding: runType,
      collection: true,
      permission: permissions.runsStart,
      async invoke({ services, scope, root, reply }) {
        const window = await successfulRuns(scope.db, scope.tenantId, RUN_EVERY_HOURS);
        if (window.successes >= MAX_SUCCESSFUL_RUNS) {
          const seconds = Math.max(1, Math.ceil((Date.parse(window.oldestLeavesAt!) - Date.now()) / 1000));
          throw new GraphError(
            429,
            'TooManyRequests',
            `At most ${MAX_SUCCESSFUL_RUNS} runs may succeed in ${RUN_EVERY_HOURS} hours; the next can start in ${seconds} seconds.`,
            { headers: { 'retry-after': String(seconds) } },
          );
        }
        const operation = await scope.db.transaction(async (tx) => {
          const created = await services.engine.create(
            { tenantId: scope.tenantId, family: FAMILY, kind: RUN_KIND, dedupeKey: ON_DEMAND_RUN_KEY, input: { root, trigger: 'onDemand' } },
            tx,
          );
          // The run is listed from the start, running; its id is the operation's.
          if (created.created) await ensureRun(tx, scope.tenantId, created.operation.id, 'onDemand');
          return created.operation;
        });
        return acceptedOperation(reply, root, OPERATIONS_PATH, operation);
      },
    },
    {
      kind: 'function',
      namespace: NS,
      name: 'getStatistics',
      binding: runType,
      returns: { type: runStatisticsType },
      permission: permissions.runsRead,
      async invoke({ scope, root, row }) {
        const run = row as RunRow;
        // A running run's statistics so far, from the activities that finished.
        const statistics = run.statistics ?? runStatistics(run.id, run.status, await runActivities(scope.db, scope.tenantId, run.id));
        return { '@odata.context': `${root}/$metadata#${qualifiedName(runStatisticsType)}`, ...statistics };
      },
    },
  ];

  return { runs, activities, actions };
}

/**
 * Every minute (and at start): each tenant with an inbound flow in effect gets its pending scheduled
 * run. `root` (`https://host/beta`) is the public URL when the server has one, else runs'
 * resourceLocation is a path (no request tells a scheduled run its host).
 */
export function startScheduling(db: Db, engine: Engine, root: string | null, log: FastifyBaseLogger | undefined, everyMs = 60_000): () => void {
  let stopped = false;
  const tick = async () => {
    for (const tenantId of await tenantsWithActiveFlows(db)) {
      if (stopped) return;
      const last = await lastScheduledStart(db, tenantId);
      const dueAt = last === undefined ? Date.now() + RUN_EVERY_HOURS * HOUR_MS : Date.parse(last) + RUN_EVERY_HOURS * HOUR_MS;
      const input = { root, trigger: 'scheduled' };
      await engine.create({ tenantId, family: FAMILY, kind: RUN_KIND, dedupeKey: SCHEDULED_RUN_KEY, input, delayMs: Math.max(0, dueAt - Date.now()) });
    }
  };
  const run = () => tick().catch((err: unknown) => log?.warn({ err }, 'industry data: scheduling runs failed'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
