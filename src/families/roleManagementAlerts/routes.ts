// Every route of the family (spec §3.5): alerts, definitions, configurations, incidents, the
// refresh and remediate actions, and the refresh operations.
import { roleManagementAlertsRead } from '../../auth/index.js';
import { operationRoutes } from '../../graph/operations.js';
import type { GraphRoute } from '../../graph/route.js';
import type { Services } from '../../graph/services.js';
import { FAMILY, OPERATIONS_PATH } from './model.js';
import { alertRoutes } from './routes/alerts.js';
import { configurationRoutes } from './routes/configurations.js';
import { definitionRoutes } from './routes/definitions.js';
import { incidentRoutes } from './routes/incidents.js';

export function routes(services: Services): GraphRoute[] {
  return [
    ...operationRoutes(services, { family: FAMILY, path: OPERATIONS_PATH, permission: roleManagementAlertsRead }),
    ...alertRoutes(services),
    ...incidentRoutes(services),
    ...definitionRoutes(services),
    ...configurationRoutes(services),
  ];
}
