// The family's actions (spec §3.5): refresh one alert, refresh every alert of the tenant (both
// answer 202 with the operation), and remediate an incident. Refreshes are also started by the
// server for the demo tenant.
import type { CreateResult, Engine } from '../../engine/index.js';
import { badRequest, notFound } from '../../errors.js';
import type { BoundAction } from '../../graph/model/action.js';
import { GRAPH } from '../../graph/model/edm.js';
import { acceptedOperation } from '../../graph/operations.js';
import type { RefreshInput } from './handlers.js';
import type { AlertName } from './model.js';
import { alertId, FAMILY, OPERATIONS_PATH, REFRESH_ALERT_KIND, REFRESH_ALL_KIND, refreshAlertOperationId, refreshAllOperationId } from './model.js';
import { roleManagementAlertsWrite } from './permissions.js';
import { alertIncidentType, alertType, REFRESH_ALL_PARAMETERS } from './schema.js';
import { remediateIncident } from './store.js';

const create = (engine: Engine, tenantId: string, kind: string, id: string, input: RefreshInput) =>
  engine.create({ tenantId, family: FAMILY, kind, id, input: { ...input }, resourceLocation: '', statusDetail: '' });

/** `refresh:<alertId>`, or the one already under way. `root` is the service root URLs are built on. */
export const startAlertRefresh = (engine: Engine, tenantId: string, alert: AlertName, root: string): Promise<CreateResult> =>
  create(engine, tenantId, REFRESH_ALERT_KIND, refreshAlertOperationId(tenantId, alert), { alert, root });

/** `refresh:DirectoryRole_<tenantId>`: every alert of the tenant, or the refresh-all already under way. */
export const startRefreshAll = (engine: Engine, tenantId: string, root: string): Promise<CreateResult> =>
  create(engine, tenantId, REFRESH_ALL_KIND, refreshAllOperationId(tenantId), { root });

export const actions: readonly BoundAction[] = [
  {
    kind: 'action',
    namespace: GRAPH,
    name: 'refresh',
    binding: alertType,
    permission: roleManagementAlertsWrite,
    async invoke({ services, scope, root, row, reply }) {
      const { operation } = await startAlertRefresh(services.engine, scope.tenantId, row!.alert_name as AlertName, root);
      return acceptedOperation(reply, root, OPERATIONS_PATH, operation);
    },
  },
  {
    kind: 'action',
    namespace: GRAPH,
    name: 'refresh',
    binding: alertType,
    collection: true,
    parameters: REFRESH_ALL_PARAMETERS,
    permission: roleManagementAlertsWrite,
    async invoke({ services, scope, root, reply }) {
      const { operation } = await startRefreshAll(services.engine, scope.tenantId, root);
      return acceptedOperation(reply, root, OPERATIONS_PATH, operation);
    },
  },
  {
    kind: 'action',
    namespace: GRAPH,
    name: 'remediate',
    binding: alertIncidentType,
    permission: roleManagementAlertsWrite,
    async invoke({ scope, parent, row, reply }) {
      const name = parent!.alert_name as AlertName;
      const id = String(row!.id);
      const outcome = await remediateIncident(scope.db, scope.tenantId, name, id);
      if (outcome === 'notFound') throw notFound(`No alert incident with id '${id}' was found.`);
      if (outcome === 'notRemediatable') {
        throw badRequest(`Incidents of alert '${alertId(scope.tenantId, name)}' cannot be remediated: its definition is not remediatable (isRemediatable is false).`);
      }
      return reply.code(200).send();
    },
  },
];
