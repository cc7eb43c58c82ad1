import { roleManagementAlertsRead } from '../../auth/index.js';
import { operationRoutes } from '../../graph/operations.js';
import type { GraphRoute } from '../../graph/route.js';
import type { Services } from '../../graph/services.js';
import { FAMILY } from './model.js';

export function routes(services: Services): GraphRoute[] {
  return operationRoutes(services, {
    family: FAMILY,
    path: 'identityGovernance/roleManagementAlerts/operations',
    permission: roleManagementAlertsRead,
  });
}
