import type { Family } from '../family.js';
import { handlers } from './handlers.js';
import { FAMILY } from './model.js';
import { routes } from './routes.js';

export const roleManagementAlerts: Family = { name: FAMILY, handlers, routes };
export { startAlertRefresh, startRefreshAll } from './actions.js';
