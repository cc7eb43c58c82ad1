// The permissions the routes require (spec §2.3). Permission names are Graph's, as they appear in
// the `scp` and `roles` claims.
import type { Permission } from './principal.js';
import { DirectoryRoles, PIM_ALERTS_READ_ROLES, PIM_ALERTS_WRITE_ROLES } from './roles.js';

const ALERT_READ = 'RoleManagementAlert.Read.Directory';
const ALERT_READ_WRITE = 'RoleManagementAlert.ReadWrite.Directory';
const INDUSTRY_DATA_READ_BASIC = 'IndustryData.ReadBasic.All';

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

/** Reading industry data operations; no directory role is documented. */
export const industryDataOperationsRead: Permission = Object.freeze({
  delegated: Object.freeze([INDUSTRY_DATA_READ_BASIC]),
  application: Object.freeze([INDUSTRY_DATA_READ_BASIC]),
});

/**
 * Replacing a tenant's directory snapshot (graph-lro's admin endpoint, not a Graph API): Graph's
 * permission for writing the directory, and for delegated callers a Global or Privileged Role
 * Administrator.
 */
export const directoryImport: Permission = Object.freeze({
  delegated: Object.freeze(['Directory.ReadWrite.All']),
  application: Object.freeze(['Directory.ReadWrite.All']),
  directoryRoles: Object.freeze([DirectoryRoles.globalAdministrator, DirectoryRoles.privilegedRoleAdministrator]),
});
