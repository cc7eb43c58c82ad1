// PIM alerts for directory roles (spec §3): the family as the server starts it.
import type { Family } from '../family.js';
import { actions, startRefreshAll } from './actions.js';
import { alerts, configurations, definitions } from './collections.js';
import { handlers } from './handlers.js';
import { migrations } from './migrations.js';
import { ALERTS_PATH, CONFIGURATIONS_PATH, DEFINITIONS_PATH, FAMILY, OPERATIONS_PATH } from './model.js';
import { roleManagementAlertsRead } from './permissions.js';
import { identityGovernanceType } from './schema.js';

export const roleManagementAlerts: Family = {
  name: FAMILY,
  migrations,
  start: (services) => ({
    name: FAMILY,
    singletons: [{ name: 'identityGovernance', type: identityGovernanceType }],
    sets: [
      { path: ALERTS_PATH, collection: alerts },
      { path: DEFINITIONS_PATH, collection: definitions },
      { path: CONFIGURATIONS_PATH, collection: configurations },
    ],
    actions,
    operations: { family: FAMILY, path: OPERATIONS_PATH, permission: roleManagementAlertsRead },
    handlers,
    demo: async (tenantId, root) => (await startRefreshAll(services.engine, tenantId, root)).operation,
    stop: async () => undefined,
  }),
};
