// A tenant's directory twice over: as a snapshot in Graph's own shapes (what an export of
// /users, /groups, /administrativeUnits, /roleManagement/directory/… and /subscribedSkus returns;
// only the properties read here are typed, others are ignored) and as the rows of migrations 2
// and 13 the scanners and School Data Sync read.
// docs/directory.md says how the one becomes the other.

export interface GraphUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  employeeId?: string | null;
  accountEnabled?: boolean;
  createdDateTime?: string | null;
  signInActivity?: { lastSignInDateTime?: string | null } | null;
}

export const GROUP_TYPES = ['Unified', 'DynamicMembership'] as const;
export type GroupType = (typeof GROUP_TYPES)[number];

// Members and owners are user ids here; the import also takes them as directory objects with an
// id, as /groups/{id}/members?$select=id lists them.
export interface GraphGroup {
  id: string;
  displayName: string;
  description?: string | null;
  mailNickname: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
  groupTypes?: GroupType[];
  createdDateTime?: string | null;
  members?: string[];
  owners?: string[];
}

export interface GraphAdministrativeUnit {
  id: string;
  displayName: string;
  description?: string | null;
  members?: string[];
}

export interface GraphRoleDefinition {
  id: string;
  displayName: string;
  templateId?: string | null;
  isBuiltIn?: boolean;
  isPrivileged?: boolean;
}

export interface GraphRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
  /** Not on Graph's unifiedRoleAssignment; accepted so a snapshot can say when it was made. */
  createdDateTime?: string | null;
}

export type AssignmentType = 'Assigned' | 'Activated';
export type MemberType = 'Direct' | 'Group' | 'Inherited';

export interface GraphRoleAssignmentScheduleInstance {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
  assignmentType: AssignmentType;
  memberType?: MemberType;
  startDateTime?: string | null;
  endDateTime?: string | null;
  roleAssignmentOriginId?: string | null;
}

export interface GraphExpiration {
  type?: 'notSpecified' | 'noExpiration' | 'afterDateTime' | 'afterDuration';
  endDateTime?: string | null;
  /** ISO 8601 duration, e.g. PT8H. */
  duration?: string | null;
}

export interface GraphScheduleInfo {
  startDateTime?: string | null;
  expiration?: GraphExpiration | null;
}

export const REQUEST_ACTIONS = [
  'adminAssign', 'adminUpdate', 'adminRemove', 'selfActivate', 'selfDeactivate',
  'adminExtend', 'adminRenew', 'selfExtend', 'selfRenew', 'unknownFutureValue',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export const REQUEST_STATUSES = [
  'Canceled', 'Denied', 'Failed', 'Granted', 'PendingAdminDecision', 'PendingApproval',
  'PendingProvisioning', 'PendingScheduleCreation', 'Provisioned', 'Revoked', 'ScheduleCreated',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Requests in these states took effect. */
export const GRANTED_STATUSES: ReadonlySet<string> = new Set(['Granted', 'Provisioned', 'ScheduleCreated']);
/** Actions through which PIM creates or keeps an active assignment. */
export const PIM_ASSIGNING_ACTIONS: ReadonlySet<string> = new Set([
  'adminAssign', 'adminUpdate', 'adminExtend', 'adminRenew', 'selfActivate', 'selfExtend', 'selfRenew',
]);

export interface GraphRoleAssignmentScheduleRequest {
  id: string;
  justification?: string;
  action: RequestAction;
  status: RequestStatus;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
  createdDateTime: string;
  scheduleInfo?: GraphScheduleInfo | null;
}

export interface GraphRoleEligibilitySchedule {
  id: string;
  status?: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId?: string;
  createdDateTime?: string | null;
  memberType?: MemberType;
  scheduleInfo?: GraphScheduleInfo | null;
}

export const ENABLEMENT_RULE_TYPE = '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule';
/** The rule that says what an eligible user must do to activate. */
export const ACTIVATION_ENABLEMENT_RULE_ID = 'Enablement_EndUser_Assignment';

export interface GraphPolicyRule {
  '@odata.type': string;
  id: string;
  enabledRules?: string[];
  [property: string]: unknown;
}

export interface GraphRoleManagementPolicy {
  id: string;
  displayName?: string;
  scopeId?: string;
  scopeType?: string;
  rules: GraphPolicyRule[];
}

export interface GraphRoleManagementPolicyAssignment {
  id: string;
  policyId: string;
  roleDefinitionId: string;
  scopeId?: string;
  scopeType?: string;
}

export const CAPABILITY_STATUSES = ['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut'] as const;
export type CapabilityStatus = (typeof CAPABILITY_STATUSES)[number];

export interface GraphServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  /** Success, Disabled, PendingActivation, …; only Success counts as licensed. */
  provisioningStatus: string;
  /** User or Company. */
  appliesTo?: string;
}

export interface GraphSubscribedSku {
  /** `{tenantId}_{skuId}` in Graph. */
  id?: string;
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: CapabilityStatus;
  servicePlans: GraphServicePlan[];
}

/** Service plans that license PIM: Microsoft Entra ID P2 and Microsoft Entra ID Governance. */
export const PIM_SERVICE_PLANS: ReadonlyMap<string, string> = new Map([
  ['eec0eb4f-6444-4f95-aba0-50c24d67f998', 'AAD_PREMIUM_P2'],
  ['e866a266-3cff-43a3-acca-0c90a7e00c8b', 'Entra_Identity_Governance'],
]);

export interface DirectorySnapshot {
  users: GraphUser[];
  roleDefinitions?: GraphRoleDefinition[];
  roleAssignments?: GraphRoleAssignment[];
  roleAssignmentScheduleInstances?: GraphRoleAssignmentScheduleInstance[];
  roleAssignmentScheduleRequests?: GraphRoleAssignmentScheduleRequest[];
  roleEligibilitySchedules?: GraphRoleEligibilitySchedule[];
  roleManagementPolicies?: GraphRoleManagementPolicy[];
  roleManagementPolicyAssignments?: GraphRoleManagementPolicyAssignment[];
  subscribedSkus?: GraphSubscribedSku[];
  groups?: GraphGroup[];
  administrativeUnits?: GraphAdministrativeUnit[];
}

export const SNAPSHOT_COLLECTIONS = [
  'users', 'groups', 'administrativeUnits', 'roleDefinitions', 'roleAssignments', 'roleAssignmentScheduleInstances', 'roleAssignmentScheduleRequests',
  'roleEligibilitySchedules', 'roleManagementPolicies', 'roleManagementPolicyAssignments', 'subscribedSkus',
] as const satisfies readonly (keyof DirectorySnapshot)[];

// Rows as an import writes them, one interface per table (timestamps as ISO strings; tenant_id
// implied; provisioned_by and source_key null).

export interface UserRow {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  employeeId: string | null;
  accountEnabled: boolean;
  lastSignInAt: string | null;
  createdAt: string | null;
}

export interface GroupRow {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
  groupTypes: string[];
  createdAt: string | null;
}

export interface GroupMemberRow {
  groupId: string;
  memberId: string;
  role: 'member' | 'owner';
}

export interface AdministrativeUnitRow {
  id: string;
  displayName: string;
  description: string | null;
}

export interface AdministrativeUnitMemberRow {
  unitId: string;
  memberId: string;
}

export interface RoleRow {
  id: string;
  templateId: string;
  displayName: string;
  isBuiltIn: boolean;
  isPrivileged: boolean;
}

export interface AssignmentRow {
  id: string;
  principalId: string;
  roleId: string;
  directoryScopeId: string;
  createdAt: string;
  viaPim: boolean;
  activated: boolean;
  endAt: string | null;
}

export interface EligibilityRow {
  id: string;
  principalId: string;
  roleId: string;
  directoryScopeId: string;
  createdAt: string;
  startAt: string | null;
  endAt: string | null;
}

export interface ActivationRow {
  id: string;
  principalId: string;
  roleId: string;
  activatedAt: string;
  endAt: string | null;
}

export interface PolicyRow {
  roleId: string;
  mfaRequiredOnActivation: boolean;
}

export interface LicenseRow {
  skuId: string;
  skuPartNumber: string;
  capabilityStatus: string;
  grantsPim: boolean;
}

export interface DirectoryRows {
  users: UserRow[];
  groups: GroupRow[];
  groupMembers: GroupMemberRow[];
  administrativeUnits: AdministrativeUnitRow[];
  administrativeUnitMembers: AdministrativeUnitMemberRow[];
  roles: RoleRow[];
  assignments: AssignmentRow[];
  eligibilities: EligibilityRow[];
  activations: ActivationRow[];
  policies: PolicyRow[];
  licenses: LicenseRow[];
}

export type DirectoryCounts = { [K in keyof DirectoryRows]: number };

export interface ImportSummary extends DirectoryCounts {
  tenantId: string;
  importedAt: string;
}
