// alerts: list (scope filter required), get, PATCH isActive, and the two refresh actions.
import { roleManagementAlertsRead, roleManagementAlertsWrite } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { listPage } from '../../../graph/list.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import { parseAlertPatch, parseRefreshAll, requireNoParameters } from '../bodies.js';
import { startAlertRefresh, startRefreshAll } from '../actions.js';
import { ALERTS_PATH } from '../model.js';
import { alertJson, alertSpecs, alertsSpec } from '../resources.js';
import type { AlertRow } from '../store.js';
import { countAlerts, getAlert, listAlerts, setAlertActive } from '../store.js';
import { accepted, alertOf, countRoute, param, query } from './common.js';
import { alertExpansions } from './expand.js';
import { requireScopeFilter } from './scope.js';

export function alertRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${ALERTS_PATH}`;
  return [
    countRoute(base, () => alertsSpec, (_r, principal, page) => countAlerts(db, principal.tenantId, page), true),
    {
      method: 'GET',
      url: base,
      permission: roleManagementAlertsRead,
      async handler({ request, reply, principal }) {
        requireScopeFilter(query(request), alertsSpec);
        const tenantId = principal.tenantId;
        return listPage<AlertRow>(request, reply, services, {
          spec: alertsSpec,
          path: ALERTS_PATH,
          reservedParams: 2,
          fetch: (page) => listAlerts(db, tenantId, page),
          count: (page) => countAlerts(db, tenantId, page),
          toJson: alertJson,
          expand: (rows, expand, root) => alertExpansions(db, tenantId, rows, expand, root, query(request)),
        });
      },
    },
    {
      method: 'GET',
      url: `${base}/:alertId`,
      permission: roleManagementAlertsRead,
      async handler({ request, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'alertId'));
        const options = parseQueryOptions(query(request), alertSpecs[name], { collection: false });
        const row = await getAlert(db, principal.tenantId, name);
        const root = serviceRoot(request, services.publicUrl);
        const [expanded] = options.expand?.length ? await alertExpansions(db, principal.tenantId, [row], options.expand, root, query(request)) : [];
        return {
          '@odata.context': contextUrl(root, ALERTS_PATH, { select: options.select, expand: options.expand, entity: true }),
          ...alertJson(row, options.select),
          ...expanded,
        };
      },
    },
    {
      method: 'PATCH',
      url: `${base}/:alertId`,
      permission: roleManagementAlertsWrite,
      async handler({ request, reply, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'alertId'));
        const { isActive } = parseAlertPatch(request.body);
        await setAlertActive(db, principal.tenantId, name, isActive);
        return reply.code(204).send();
      },
    },
    {
      method: 'POST',
      url: `${base}/:alertId/refresh`,
      permission: roleManagementAlertsWrite,
      async handler({ request, reply, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'alertId'));
        requireNoParameters(request.body, 'refresh');
        const root = serviceRoot(request, services.publicUrl);
        const { operation } = await startAlertRefresh(services.engine, principal.tenantId, name, root);
        return accepted(reply, root, operation);
      },
    },
    {
      method: 'POST',
      url: `${base}/refresh`,
      permission: roleManagementAlertsWrite,
      async handler({ request, reply, principal }) {
        parseRefreshAll(request.body);
        const root = serviceRoot(request, services.publicUrl);
        const { operation } = await startRefreshAll(services.engine, principal.tenantId, root);
        return accepted(reply, root, operation);
      },
    },
  ];
}
