// alertConfigurations: list (scope filter required), get, PATCH (typed, validated in bodies.ts).
import { roleManagementAlertsRead, roleManagementAlertsWrite } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { listPage } from '../../../graph/list.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import { parseConfigurationPatch } from '../bodies.js';
import { CONFIGURATIONS_PATH } from '../model.js';
import { configurationJson, configurationSpec } from '../resources.js';
import type { AlertRow } from '../store.js';
import { countAlerts, getAlert, listAlerts, updateConfiguration } from '../store.js';
import { alertOf, countRoute, param, query } from './common.js';
import { configurationExpansions } from './expand.js';
import { requireScopeFilter } from './scope.js';

export function configurationRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${CONFIGURATIONS_PATH}`;
  return [
    countRoute(base, () => configurationSpec, (_r, principal, page) => countAlerts(db, principal.tenantId, page), true),
    {
      method: 'GET',
      url: base,
      permission: roleManagementAlertsRead,
      async handler({ request, reply, principal }) {
        requireScopeFilter(query(request), configurationSpec);
        const tenantId = principal.tenantId;
        return listPage<AlertRow>(request, reply, services, {
          spec: configurationSpec,
          path: CONFIGURATIONS_PATH,
          reservedParams: 2,
          fetch: (page) => listAlerts(db, tenantId, page),
          count: (page) => countAlerts(db, tenantId, page),
          toJson: configurationJson,
          expand: async (rows, expand) => configurationExpansions(tenantId, rows, expand),
        });
      },
    },
    {
      method: 'GET',
      url: `${base}/:configurationId`,
      permission: roleManagementAlertsRead,
      async handler({ request, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'configurationId'), 'alert configuration');
        const options = parseQueryOptions(query(request), configurationSpec, { collection: false });
        const row = await getAlert(db, principal.tenantId, name);
        const root = serviceRoot(request, services.publicUrl);
        const [expanded] = options.expand?.length ? configurationExpansions(principal.tenantId, [row], options.expand) : [];
        return {
          '@odata.context': contextUrl(root, CONFIGURATIONS_PATH, { select: options.select, expand: options.expand, entity: true }),
          ...configurationJson(row, options.select),
          ...expanded,
        };
      },
    },
    {
      method: 'PATCH',
      url: `${base}/:configurationId`,
      permission: roleManagementAlertsWrite,
      async handler({ request, reply, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'configurationId'), 'alert configuration');
        await updateConfiguration(db, principal.tenantId, name, parseConfigurationPatch(request.body, principal.tenantId, name));
        return reply.code(204).send();
      },
    },
  ];
}
