// The permissions the routes require (spec §2.3). Permission names are Graph's, as they appear in
// the `scp` and `roles` claims.
import type { Permission } from './principal.js';
import { DirectoryRoles, PIM_ALERTS_READ_ROLES, PIM_ALERTS_WRITE_ROLES } from './roles.js';

const ALERT_READ = 'RoleManagementAlert.Read.Directory';
const ALERT_READ_WRITE = 'RoleManagementAlert.ReadWrite.Directory';
const INDUSTRY_DATA_READ_BASIC = 'IndustryData.ReadBasic.All';
const CONNECTOR_READ = 'IndustryData-DataConnector.Read.All';
const CONNECTOR_READ_WRITE = 'IndustryData-DataConnector.ReadWrite.All';
const CONNECTOR_UPLOAD = 'IndustryData-DataConnector.Upload';
const SOURCE_SYSTEM_READ = 'IndustryData-SourceSystem.Read.All';
const SOURCE_SYSTEM_READ_WRITE = 'IndustryData-SourceSystem.ReadWrite.All';
const INBOUND_FLOW_READ = 'IndustryData-InboundFlow.Read.All';
const INBOUND_FLOW_READ_WRITE = 'IndustryData-InboundFlow.ReadWrite.All';

/** Delegated and application alike (industry data documents the same names for both, and no directory role). */
const both = (...names: string[]): Permission => Object.freeze({ delegated: Object.freeze(names), application: Object.freeze(names) });

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

/** Reading industry data connectors (spec §4.2). */
export const industryDataConnectorsRead: Permission = both(CONNECTOR_READ, CONNECTOR_READ_WRITE);

/** Creating, changing and deleting industry data connectors. */
export const industryDataConnectorsWrite: Permission = both(CONNECTOR_READ_WRITE);

/** getUploadSession and validate: the Upload permission or ReadWrite.All (spec §4.2). */
export const industryDataConnectorsUpload: Permission = both(CONNECTOR_UPLOAD, CONNECTOR_READ_WRITE);

/** Reading industry data source systems (spec §4.5). */
export const industryDataSourceSystemsRead: Permission = both(SOURCE_SYSTEM_READ, SOURCE_SYSTEM_READ_WRITE);

/** Creating, changing and deleting industry data source systems. */
export const industryDataSourceSystemsWrite: Permission = both(SOURCE_SYSTEM_READ_WRITE);

/** Reading industry data inbound flows (Graph's permission names; not in the spec digest). */
export const industryDataInboundFlowsRead: Permission = both(INBOUND_FLOW_READ, INBOUND_FLOW_READ_WRITE);

/** Creating and deleting industry data inbound flows. */
export const industryDataInboundFlowsWrite: Permission = both(INBOUND_FLOW_READ_WRITE);

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
