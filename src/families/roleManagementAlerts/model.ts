// PIM alerts for directory roles (spec §3): the seven built-in alerts, their definitions,
// configuration and incident subtypes, the default thresholds, and how ids are formed.

/** The engine family of PIM alert refresh operations. */
export const FAMILY = 'roleManagementAlerts';

/** Engine kinds: a refresh of one alert (`refresh:<alertId>`) and of every alert of the tenant. */
export const REFRESH_ALERT_KIND = 'roleManagementAlerts.refreshAlert';
export const REFRESH_ALL_KIND = 'roleManagementAlerts.refreshAll';

/** Paths below the version root. */
export const BASE_PATH = 'identityGovernance/roleManagementAlerts';
export const ALERTS_PATH = `${BASE_PATH}/alerts`;
export const DEFINITIONS_PATH = `${BASE_PATH}/alertDefinitions`;
export const CONFIGURATIONS_PATH = `${BASE_PATH}/alertConfigurations`;
export const OPERATIONS_PATH = `${BASE_PATH}/operations`;

/** The only scope Graph supports for these alerts. */
export const SCOPE_ID = '/';
export const SCOPE_TYPE = 'DirectoryRole';

/** What the service returns for a date it never set (observed on never-fired alerts). */
export const NEVER = '0001-01-01T08:00:00Z';

/** In id order (the ids sort by alert name). */
export const ALERT_NAMES = [
  'InvalidLicenseAlert',
  'NoMfaOnRoleActivationAlert',
  'RedundantAssignmentAlert',
  'RolesAssignedOutsidePimAlert',
  'SequentialActivationRenewalsAlert',
  'StaleSignInAlert',
  'TooManyGlobalAdminsAssignedToTenantAlert',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export const isAlertName = (name: string): name is AlertName => (ALERT_NAMES as readonly string[]).includes(name);

/** `DirectoryRole_{tenantId}_{AlertName}`: the id of the alert, its definition and its configuration. */
export const alertId = (tenantId: string, name: AlertName) => `${SCOPE_TYPE}_${tenantId}_${name}`;

/** The alert an id designates for this tenant; undefined for any other id (another tenant's too). */
export function alertNameOf(tenantId: string, id: string): AlertName | undefined {
  const prefix = `${SCOPE_TYPE}_${tenantId}_`;
  if (!id.startsWith(prefix)) return undefined;
  const name = id.slice(prefix.length);
  return isAlertName(name) ? name : undefined;
}

/** Operation ids: `refresh:<alertId>` for one alert, `refresh:DirectoryRole_{tenantId}` for all. */
export const refreshAlertOperationId = (tenantId: string, name: AlertName) => `refresh:${alertId(tenantId, name)}`;
export const refreshAllOperationId = (tenantId: string) => `refresh:${SCOPE_TYPE}_${tenantId}`;

// ---- definitions (spec §3.3: ids, severities and flags are the service's; the texts are ours) ----

export const SEVERITIES = ['unknown', 'informational', 'low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertDefinition {
  name: AlertName;
  displayName: string;
  description: string;
  severityLevel: Severity;
  securityImpact: string;
  mitigationSteps: string;
  howToPrevent: string;
  isRemediatable: boolean;
  isConfigurable: boolean;
}

export const DEFINITIONS: Readonly<Record<AlertName, AlertDefinition>> = {
  InvalidLicenseAlert: {
    name: 'InvalidLicenseAlert',
    displayName: 'The tenant has no valid license for Privileged Identity Management',
    description:
      'Privileged Identity Management needs Microsoft Entra ID P2 or Microsoft Entra ID Governance. This tenant has no such subscription in a usable state: none was bought, a trial ended, or the subscription was suspended or deleted.',
    severityLevel: 'high',
    securityImpact:
      'Without a license, eligible assignments, just-in-time activation, approvals and access reviews stop being available, and administrators drift back to standing access that nobody reviews.',
    mitigationSteps:
      'Buy or renew a subscription that includes Microsoft Entra ID P2 or Microsoft Entra ID Governance, and assign it to the people who hold or manage privileged roles.',
    howToPrevent: 'Track the renewal dates of the subscriptions that license Privileged Identity Management and renew them before they lapse.',
    isRemediatable: false,
    isConfigurable: false,
  },
  NoMfaOnRoleActivationAlert: {
    name: 'NoMfaOnRoleActivationAlert',
    displayName: 'Privileged roles can be activated without multifactor authentication',
    description:
      'The activation settings of one or more privileged roles do not require multifactor authentication, so a password alone is enough to activate them.',
    severityLevel: 'medium',
    securityImpact: 'Someone holding the stolen password of an eligible user can activate the role and use its privileges without a second factor.',
    mitigationSteps:
      'Require multifactor authentication on activation in the settings of every role listed in the incidents. Remediating an incident does this for its role.',
    howToPrevent: 'Require multifactor authentication on activation for every privileged role, and check the setting whenever role settings change.',
    isRemediatable: true,
    isConfigurable: false,
  },
  RedundantAssignmentAlert: {
    name: 'RedundantAssignmentAlert',
    displayName: 'Eligible administrators are not activating their privileged roles',
    description:
      'Users are eligible for privileged roles that they have not activated within the number of days set in the configuration of this alert.',
    severityLevel: 'low',
    securityImpact:
      'An eligibility nobody uses is access nobody needs but an attacker can use, and misuse of rarely used accounts is the least likely to be noticed.',
    mitigationSteps:
      'Review the users in the incidents and remove the eligible assignments they no longer need. Remediating an incident removes the user from the role.',
    howToPrevent: 'Make users eligible only for roles they have a business reason to use, and review eligible assignments regularly with access reviews.',
    isRemediatable: true,
    isConfigurable: true,
  },
  RolesAssignedOutsidePimAlert: {
    name: 'RolesAssignedOutsidePimAlert',
    displayName: 'Privileged roles are being assigned outside Privileged Identity Management',
    description: 'Privileged roles were assigned directly in the directory during the last 30 days, without going through Privileged Identity Management.',
    severityLevel: 'high',
    securityImpact:
      'Direct assignments skip the approval, justification and expiry controls of Privileged Identity Management, and an unexpected one can be the trace of an ongoing attack.',
    mitigationSteps:
      'Check every assignment in the incidents: remove those nobody intended and turn the legitimate ones into eligible assignments. Remediating an incident removes the direct assignment.',
    howToPrevent: 'Find the tools, scripts and administrators that assign roles directly, move them to Privileged Identity Management, and restrict who may assign roles outside it.',
    isRemediatable: true,
    isConfigurable: false,
  },
  SequentialActivationRenewalsAlert: {
    name: 'SequentialActivationRenewalsAlert',
    displayName: 'Privileged roles are being activated too often',
    description:
      'A user activated the same privileged role the configured number of times or more within the configured interval, during the last 30 days.',
    severityLevel: 'medium',
    securityImpact: 'Activating one role again and again in a short time can mean that a script works around the activation limits, or that an account is being misused.',
    mitigationSteps:
      'Ask the users in the incidents why they activate the role so often. If their tasks outlast the maximum activation duration, lengthen it for that role.',
    howToPrevent:
      'Set activation durations long enough for the tasks each role is used for, and require multifactor authentication for roles whose accounts several people share.',
    isRemediatable: false,
    isConfigurable: true,
  },
  StaleSignInAlert: {
    name: 'StaleSignInAlert',
    displayName: 'Accounts in privileged roles have not signed in recently',
    description: 'Accounts hold privileged roles but have not signed in during the number of days set in the configuration of this alert.',
    severityLevel: 'medium',
    securityImpact:
      'Dormant privileged accounts are often shared or service accounts that nobody looks after: people who left may still know their credentials, and their misuse is unlikely to be noticed.',
    mitigationSteps: 'Review the accounts in the incidents and remove the roles they no longer need. Remediating an incident removes the account from the role.',
    howToPrevent:
      'Review privileged role holders regularly with access reviews, and change the passwords of shared accounts whenever the people who know them change.',
    isRemediatable: true,
    isConfigurable: true,
  },
  TooManyGlobalAdminsAssignedToTenantAlert: {
    name: 'TooManyGlobalAdminsAssignedToTenantAlert',
    displayName: 'There are too many Global Administrators',
    description:
      'Both the number of Global Administrators and their share of all privileged role assignments have reached the thresholds set in the configuration of this alert.',
    severityLevel: 'low',
    securityImpact: 'A Global Administrator can change everything in the tenant: each one more is another account whose compromise hands an attacker full control.',
    mitigationSteps:
      'Review the Global Administrators in the incidents and give those who do not need full control a less privileged role. Remediating an incident removes the user from the Global Administrator role.',
    howToPrevent: 'Grant the least privileged role that is enough for each task, and keep Global Administrator for a few well protected accounts.',
    isRemediatable: true,
    isConfigurable: true,
  },
};

// ---- configurations (spec §3.2, §3.4) ----

export const DAY_MS = 86_400_000;

/** A threshold property of a configuration subtype and the column that stores it. */
export interface ThresholdProperty {
  name: string;
  /** Column of role_alert_configurations; NULL there means `default`. */
  column: 'duration_ms' | 'global_admin_count_threshold' | 'global_admin_percentage_threshold' | 'activation_count_threshold' | 'activation_interval_ms';
  type: 'duration' | 'int';
  /** Inclusive range, in milliseconds for durations (the portal's ranges, spec §3.4). */
  min: number;
  max: number;
  /** Durations given in whole days only. */
  wholeDays?: boolean;
  default: number;
}

export interface ConfigurationType {
  /** e.g. `microsoft.graph.staleSignInAlertConfiguration`. */
  odataType: string;
  thresholds: readonly ThresholdProperty[];
}

const configurationType = (name: string, thresholds: ThresholdProperty[] = []): ConfigurationType => ({
  odataType: `microsoft.graph.${name}`,
  thresholds,
});

/** Every configuration is enabled until the tenant disables it. */
export const DEFAULT_IS_ENABLED = true;

/** Fixed look-back windows of the alerts whose Graph docs say "in the last 30 days". */
export const OUTSIDE_PIM_LOOKBACK_MS = 30 * DAY_MS;
export const ACTIVATIONS_LOOKBACK_MS = 30 * DAY_MS;

export const CONFIGURATION_TYPES: Readonly<Record<AlertName, ConfigurationType>> = {
  InvalidLicenseAlert: configurationType('invalidLicenseAlertConfiguration'),
  NoMfaOnRoleActivationAlert: configurationType('noMfaOnRoleActivationAlertConfiguration'),
  RedundantAssignmentAlert: configurationType('redundantAssignmentAlertConfiguration', [
    { name: 'duration', column: 'duration_ms', type: 'duration', min: 0, max: 100 * DAY_MS, wholeDays: true, default: 30 * DAY_MS },
  ]),
  RolesAssignedOutsidePimAlert: configurationType('rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration'),
  SequentialActivationRenewalsAlert: configurationType('sequentialActivationRenewalsAlertConfiguration', [
    { name: 'sequentialActivationCounterThreshold', column: 'activation_count_threshold', type: 'int', min: 2, max: 100, default: 3 },
    { name: 'timeIntervalBetweenActivations', column: 'activation_interval_ms', type: 'duration', min: 1000, max: ACTIVATIONS_LOOKBACK_MS, default: 3_600_000 },
  ]),
  StaleSignInAlert: configurationType('staleSignInAlertConfiguration', [
    { name: 'duration', column: 'duration_ms', type: 'duration', min: DAY_MS, max: 365 * DAY_MS, wholeDays: true, default: 30 * DAY_MS },
  ]),
  TooManyGlobalAdminsAssignedToTenantAlert: configurationType('tooManyGlobalAdminsAssignedToTenantAlertConfiguration', [
    { name: 'globalAdminCountThreshold', column: 'global_admin_count_threshold', type: 'int', min: 2, max: 100, default: 3 },
    { name: 'percentageOfGlobalAdminsOutOfRolesThreshold', column: 'global_admin_percentage_threshold', type: 'int', min: 0, max: 100, default: 10 },
  ]),
};

/** A configuration as the scanners use it: every threshold resolved (stored value or default). */
export interface Settings {
  isEnabled: boolean;
  /** Threshold values by property name (durations in milliseconds). */
  thresholds: Readonly<Record<string, number>>;
}

// ---- incidents (spec §3.2) ----

export type IncidentColumn =
  | 'assignee_id'
  | 'assignee_display_name'
  | 'assignee_user_principal_name'
  | 'role_definition_id'
  | 'role_display_name'
  | 'role_template_id'
  | 'assignment_created_at'
  | 'last_sign_in_at'
  | 'last_activation_at'
  | 'activation_count'
  | 'sequence_start_at'
  | 'sequence_end_at'
  | 'tenant_license_status';

export interface IncidentProperty {
  column: IncidentColumn;
  type: 'string' | 'datetime' | 'int';
}

/** Every incident property of every subtype, by JSON name. */
export const INCIDENT_PROPERTIES: Readonly<Record<string, IncidentProperty>> = {
  assigneeId: { column: 'assignee_id', type: 'string' },
  assigneeDisplayName: { column: 'assignee_display_name', type: 'string' },
  assigneeUserPrincipalName: { column: 'assignee_user_principal_name', type: 'string' },
  roleDefinitionId: { column: 'role_definition_id', type: 'string' },
  roleDisplayName: { column: 'role_display_name', type: 'string' },
  roleTemplateId: { column: 'role_template_id', type: 'string' },
  assignmentCreatedDateTime: { column: 'assignment_created_at', type: 'datetime' },
  lastSignInDateTime: { column: 'last_sign_in_at', type: 'datetime' },
  lastActivationDateTime: { column: 'last_activation_at', type: 'datetime' },
  activationCount: { column: 'activation_count', type: 'int' },
  sequenceStartDateTime: { column: 'sequence_start_at', type: 'datetime' },
  sequenceEndDateTime: { column: 'sequence_end_at', type: 'datetime' },
  tenantLicenseStatus: { column: 'tenant_license_status', type: 'string' },
};

export interface IncidentType {
  odataType: string;
  /** The subtype's properties besides `id`, in the order they are written. */
  properties: readonly string[];
}

const ASSIGNEE = ['assigneeId', 'assigneeDisplayName', 'assigneeUserPrincipalName'];
const ROLE = ['roleDefinitionId', 'roleDisplayName', 'roleTemplateId'];

export const INCIDENT_TYPES: Readonly<Record<AlertName, IncidentType>> = {
  InvalidLicenseAlert: { odataType: 'microsoft.graph.invalidLicenseAlertIncident', properties: ['tenantLicenseStatus'] },
  NoMfaOnRoleActivationAlert: { odataType: 'microsoft.graph.noMfaOnRoleActivationAlertIncident', properties: ['roleDisplayName', 'roleTemplateId'] },
  RedundantAssignmentAlert: {
    odataType: 'microsoft.graph.redundantAssignmentAlertIncident',
    properties: [...ASSIGNEE, ...ROLE, 'lastActivationDateTime'],
  },
  RolesAssignedOutsidePimAlert: {
    odataType: 'microsoft.graph.rolesAssignedOutsidePrivilegedIdentityManagementAlertIncident',
    properties: [...ASSIGNEE, ...ROLE, 'assignmentCreatedDateTime'],
  },
  SequentialActivationRenewalsAlert: {
    odataType: 'microsoft.graph.sequentialActivationRenewalsAlertIncident',
    properties: [...ASSIGNEE, ...ROLE, 'activationCount', 'sequenceStartDateTime', 'sequenceEndDateTime'],
  },
  StaleSignInAlert: {
    odataType: 'microsoft.graph.staleSignInAlertIncident',
    properties: [...ASSIGNEE, ...ROLE, 'assignmentCreatedDateTime', 'lastSignInDateTime'],
  },
  TooManyGlobalAdminsAssignedToTenantAlert: { odataType: 'microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertIncident', properties: ASSIGNEE },
};

/** Global Administrator's role template id. */
export const GLOBAL_ADMINISTRATOR_TEMPLATE_ID = '62e90394-69f5-4237-9190-012177145e10';

/** Licence capability statuses (subscribedSku.capabilityStatus) in which the licence still works. */
export const USABLE_LICENSE_STATUSES = ['Enabled', 'Warning'] as const;
