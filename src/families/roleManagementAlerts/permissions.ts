// The permissions of PIM alerts (spec §2.3): Graph's names, as they appear in `scp` and `roles`,
// and for delegated callers the directory roles Graph requires.
import type { Permission } from '../../auth/index.js';
import { PIM_ALERTS_READ_ROLES, PIM_ALERTS_WRITE_ROLES } from '../../auth/index.js';

const ALERT_READ = 'RoleManagementAlert.Read.Directory';
const ALERT_READ_WRITE = 'RoleManagementAlert.ReadWrite.Directory';

/** Reading PIM alerts, their definitions, configurations, incidents and operations. */
export const roleManagementAlertsRead: Permission = Object.freeze({
  delegated: Object.freeze([ALERT_READ, ALERT_READ_WRITE]),
  application: Object.freeze([ALERT_READ, ALERT_READ_WRITE]),
  directoryRoles: PIM_ALERTS_READ_ROLES,
});

/** Changing PIM alerts: PATCH, refresh, remediate, PATCH configuration. */
export const roleManagementAlertsWrite: Permission = Object.freeze({
  delegated: Object.freeze([ALERT_READ_WRITE]),
  application: Object.freeze([ALERT_READ_WRITE]),
  directoryRoles: PIM_ALERTS_WRITE_ROLES,
});
