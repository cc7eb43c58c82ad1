// alertDefinitions: list (scope filter required) and get. Static per tenant (model.ts).
import { roleManagementAlertsRead } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { listPage } from '../../../graph/list.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import type { AlertName } from '../model.js';
import { DEFINITIONS_PATH } from '../model.js';
import { definitionJson, definitionSpec } from '../resources.js';
import { countDefinitions, listDefinitions } from '../store.js';
import { alertOf, countRoute, param, query } from './common.js';
import { requireScopeFilter } from './scope.js';

export function definitionRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${DEFINITIONS_PATH}`;
  return [
    countRoute(base, () => definitionSpec, (_r, principal, page) => countDefinitions(db, principal.tenantId, page), true),
    {
      method: 'GET',
      url: base,
      permission: roleManagementAlertsRead,
      async handler({ request, reply, principal }) {
        requireScopeFilter(query(request), definitionSpec);
        const tenantId = principal.tenantId;
        return listPage<{ alert_name: AlertName }>(request, reply, services, {
          spec: definitionSpec,
          path: DEFINITIONS_PATH,
          reservedParams: 2,
          fetch: (page) => listDefinitions(db, tenantId, page),
          count: (page) => countDefinitions(db, tenantId, page),
          toJson: (row, select) => definitionJson(tenantId, row.alert_name, select),
        });
      },
    },
    {
      method: 'GET',
      url: `${base}/:definitionId`,
      permission: roleManagementAlertsRead,
      async handler({ request, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'definitionId'), 'alert definition');
        const options = parseQueryOptions(query(request), definitionSpec, { collection: false });
        const root = serviceRoot(request, services.publicUrl);
        return {
          '@odata.context': contextUrl(root, DEFINITIONS_PATH, { select: options.select, entity: true }),
          ...definitionJson(principal.tenantId, name, options.select),
        };
      },
    },
  ];
}
