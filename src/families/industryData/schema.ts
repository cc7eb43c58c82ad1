// The Graph types of industry data (spec §4), under their official names in the
// `microsoft.graph.industryData` namespace: source systems, data connectors, inbound flows,
// years, reference definitions and role groups, the reference values and settings they hold, the upload session and the validate
// operations; and the root they hang from (`external/industryData`). Property order is the order
// the service writes them.
import type { Property } from '../../graph/model/edm.js';
import { complexType, ENTITY, entityType, enumType, GRAPH } from '../../graph/model/edm.js';
import { LONG_RUNNING_OPERATION, PUBLIC_ERROR } from '../../graph/model/types.js';
import { CONNECTORS_PATH, MAX_CODE_LENGTH, MAX_FILTER_VALUES, MAX_NAME_LENGTH, MAX_USER_MATCHING_SETTINGS, REFERENCE_DEFINITIONS_PATH, ROLE_GROUPS_PATH, SOURCE_SYSTEMS_PATH, YEARS_PATH } from './model.js';

export const NS = `${GRAPH}.industryData`;

const name: Property = { type: 'Edm.String', maxLength: MAX_NAME_LENGTH };
const requiredName: Property = { ...name, required: true };

export const referenceDefinitionType = entityType(NS, 'referenceDefinition', {
  baseType: ENTITY,
  properties: {
    code: { ...requiredName, maxLength: MAX_CODE_LENGTH },
    createdDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    displayName: name,
    isDisabled: { type: 'Edm.Boolean', required: true },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    referenceType: { ...requiredName, maxLength: MAX_CODE_LENGTH },
    sortIndex: { type: 'Edm.Int32', required: true, min: 0 },
    source: { type: 'Edm.String', readOnly: true },
  },
});

/** A pointer to a referenceDefinition: by `code`, or by binding `value@odata.bind` to the definition. */
export const referenceValueType = complexType(NS, 'referenceValue', {
  abstract: true,
  properties: { code: { type: 'Edm.String', required: true, unlessBound: 'value', maxLength: MAX_CODE_LENGTH } },
  navigations: { value: { type: () => referenceDefinitionType, bindable: REFERENCE_DEFINITIONS_PATH } },
});
const reference = (typeName: string) => complexType(NS, typeName, { baseType: referenceValueType });
export const fileFormatReferenceValueType = reference('fileFormatReferenceValue');
export const identifierTypeReferenceValueType = reference('identifierTypeReferenceValue');
export const roleReferenceValueType = reference('roleReferenceValue');
export const sectionRoleReferenceValueType = reference('sectionRoleReferenceValue');
export const userMatchTargetReferenceValueType = reference('userMatchTargetReferenceValue');
export const yearReferenceValueType = reference('yearReferenceValue');

/** The referenceType each kind of reference value points into. */
export const REFERENCE_TYPES = new Map([
  [fileFormatReferenceValueType, 'RefFileFormat'],
  [identifierTypeReferenceValueType, 'RefIdentifierType'],
  [roleReferenceValueType, 'RefRole'],
  [sectionRoleReferenceValueType, 'RefSectionRole'],
  [userMatchTargetReferenceValueType, 'RefUserMatchTarget'],
  [yearReferenceValueType, 'RefAcademicYear'],
]);

export const roleGroupType = entityType(NS, 'roleGroup', {
  baseType: ENTITY,
  properties: { displayName: { type: 'Edm.String' }, roles: { type: roleReferenceValueType, collection: true } },
});

export const userMatchingSettingType = complexType(NS, 'userMatchingSetting', {
  properties: {
    matchTarget: { type: userMatchTargetReferenceValueType },
    priorityOrder: { type: 'Edm.Int32', min: 0 },
    sourceIdentifier: { type: identifierTypeReferenceValueType },
  },
  navigations: { roleGroup: { type: () => roleGroupType, bindable: ROLE_GROUPS_PATH } },
});

export const sourceSystemType = entityType(NS, 'sourceSystemDefinition', {
  baseType: ENTITY,
  properties: {
    displayName: requiredName,
    vendor: name,
    userMatchingSettings: { type: userMatchingSettingType, collection: true, maxItems: MAX_USER_MATCHING_SETTINGS },
  },
});

export const connectorType = entityType(NS, 'industryDataConnector', {
  baseType: ENTITY,
  abstract: true,
  properties: { displayName: requiredName },
  navigations: { sourceSystem: { type: () => sourceSystemType, bindable: SOURCE_SYSTEMS_PATH, required: true } },
});

export const fileDataConnectorType = entityType(NS, 'fileDataConnector', { baseType: connectorType, abstract: true });

export const azureDataLakeConnectorType = entityType(NS, 'azureDataLakeConnector', {
  baseType: fileDataConnectorType,
  properties: { fileFormat: { type: fileFormatReferenceValueType } },
});

export const yearType = entityType(NS, 'yearTimePeriodDefinition', {
  baseType: ENTITY,
  properties: {
    displayName: requiredName,
    startDate: { type: 'Edm.Date', required: true },
    endDate: { type: 'Edm.Date', required: true },
    year: { type: yearReferenceValueType, required: true },
  },
});

export const readinessStatus = enumType(NS, 'readinessStatus', ['notReady', 'ready', 'failed', 'disabled', 'expired', 'unknownFutureValue']);
export const inboundDomain = enumType(NS, 'inboundDomain', ['educationRostering', 'unknownFutureValue']);

export const activityType = entityType(NS, 'industryDataActivity', {
  baseType: ENTITY,
  abstract: true,
  properties: { displayName: requiredName, readinessStatus: { type: readinessStatus, readOnly: true } },
});

export const inboundFlowType = entityType(NS, 'inboundFlow', {
  baseType: activityType,
  abstract: true,
  properties: {
    dataDomain: { type: inboundDomain, required: true, accepted: ['educationRostering'] },
    effectiveDateTime: { type: 'Edm.DateTimeOffset', required: true },
    expirationDateTime: { type: 'Edm.DateTimeOffset' },
  },
  navigations: {
    dataConnector: { type: () => connectorType, bindable: CONNECTORS_PATH, required: true },
    year: { type: () => yearType, bindable: YEARS_PATH },
  },
});

export const inboundFileFlowType = entityType(NS, 'inboundFileFlow', { baseType: inboundFlowType });

export const fileUploadSessionType = complexType(NS, 'fileUploadSession', {
  properties: {
    containerExpirationDateTime: { type: 'Edm.DateTimeOffset' },
    containerId: { type: 'Edm.String' },
    sessionExpirationDateTime: { type: 'Edm.DateTimeOffset' },
    sessionUrl: { type: 'Edm.String' },
  },
});

export const validateOperationType = entityType(NS, 'validateOperation', {
  baseType: LONG_RUNNING_OPERATION,
  properties: { errors: { type: PUBLIC_ERROR, collection: true }, warnings: { type: PUBLIC_ERROR, collection: true } },
});

export const fileValidateOperationType = entityType(NS, 'fileValidateOperation', {
  baseType: validateOperationType,
  properties: { validatedFiles: { type: 'Edm.String', collection: true } },
});

// ---- outbound provisioning: what a run writes to the directory, per flow set ----

export const filterOptions = enumType(NS, 'filterOptions', ['orgExternalId', 'unknownFutureValue']);
export const filterType = complexType(NS, 'filter', { abstract: true });
export const basicFilterType = complexType(NS, 'basicFilter', {
  baseType: filterType,
  properties: {
    attribute: { type: filterOptions, required: true, accepted: ['orgExternalId'] },
    in: { type: 'Edm.String', collection: true, required: true, maxItems: MAX_FILTER_VALUES },
  },
});

export const outboundFlowSetType = entityType(NS, 'outboundProvisioningFlowSet', {
  baseType: ENTITY,
  properties: {
    createdDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    displayName: requiredName,
    filter: { type: filterType },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
  },
  navigations: { provisioningFlows: { type: () => provisioningFlowType, collection: true, containsTarget: true } },
});

export const provisioningFlowType = entityType(NS, 'provisioningFlow', {
  baseType: ENTITY,
  abstract: true,
  properties: {
    createdDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    readinessStatus: { type: readinessStatus, readOnly: true },
  },
});

const flag: Property = { type: 'Edm.Boolean' };

export const adminUnitCreationOptionsType = complexType(NS, 'adminUnitCreationOptions', {
  properties: { createBasedOnOrg: flag, createBasedOnOrgPlusRoleGroup: flag },
});
export const administrativeUnitFlowType = entityType(NS, 'administrativeUnitProvisioningFlow', {
  baseType: provisioningFlowType,
  properties: { creationOptions: { type: adminUnitCreationOptionsType, required: true, refuseNull: true } },
});

export const securityGroupCreationOptionsType = complexType(NS, 'securityGroupCreationOptions', {
  properties: { createBasedOnOrgPlusRoleGroup: flag, createBasedOnRoleGroup: flag },
});
export const securityGroupFlowType = entityType(NS, 'securityGroupProvisioningFlow', {
  baseType: provisioningFlowType,
  properties: { creationOptions: { type: securityGroupCreationOptionsType, required: true, refuseNull: true } },
});

export const additionalClassGroupAttributes = enumType(NS, 'additionalClassGroupAttributes', [
  'courseTitle',
  'courseCode',
  'courseSubject',
  'courseGradeLevel',
  'courseExternalId',
  'academicSessionTitle',
  'academicSessionExternalId',
  'classCode',
  'unknownFutureValue',
]);
export const additionalClassGroupOptionsType = complexType(NS, 'additionalClassGroupOptions', {
  properties: { createTeam: flag, writeDisplayNameOnCreateOnly: flag },
});
const sectionRoles: Property = { type: sectionRoleReferenceValueType, collection: true, maxItems: 100 };
export const enrollmentMappingsType = complexType(NS, 'enrollmentMappings', {
  properties: { memberEnrollmentMappings: sectionRoles, ownerEnrollmentMappings: sectionRoles },
});
export const classGroupConfigurationType = complexType(NS, 'classGroupConfiguration', {
  properties: {
    additionalAttributes: { type: additionalClassGroupAttributes, collection: true, maxItems: 20 },
    additionalOptions: { type: additionalClassGroupOptionsType },
    enrollmentMappings: { type: enrollmentMappingsType },
  },
});
export const classGroupFlowType = entityType(NS, 'classGroupProvisioningFlow', {
  baseType: provisioningFlowType,
  properties: { configuration: { type: classGroupConfigurationType, required: true, refuseNull: true } },
});

export const passwordSettingsType = complexType(NS, 'passwordSettings', { abstract: true });
export const simplePasswordSettingsType = complexType(NS, 'simplePasswordSettings', {
  baseType: passwordSettingsType,
  // Optional: the beta SDK's serializer of the abstract base type drops it.
  properties: { password: { type: 'Edm.String', maxLength: 256 } },
});
export const userConfigurationType = complexType(NS, 'userConfiguration', {
  properties: {
    defaultPasswordSettings: { type: passwordSettingsType },
    licenseSkus: { type: 'Edm.String', collection: true, maxItems: 50 },
  },
  navigations: { roleGroup: { type: () => roleGroupType, bindable: ROLE_GROUPS_PATH } },
});
export const userCreationOptionsType = complexType(NS, 'userCreationOptions', {
  properties: { configurations: { type: userConfigurationType, collection: true, maxItems: 10 } },
});
export const additionalUserAttributes = enumType(NS, 'additionalUserAttributes', ['userGradeLevel', 'userNumber', 'unknownFutureValue']);
export const studentAgeGroup = enumType(NS, 'studentAgeGroup', ['minor', 'notAdult', 'adult', 'unknownFutureValue']);
export const additionalUserOptionsType = complexType(NS, 'additionalUserOptions', {
  properties: {
    allowStudentContactAssociation: flag,
    markAllStudentsAsMinors: flag,
    studentAgeGroup: { type: studentAgeGroup, accepted: ['minor', 'notAdult', 'adult'] },
  },
});
export const userManagementOptionsType = complexType(NS, 'userManagementOptions', {
  properties: {
    additionalAttributes: { type: additionalUserAttributes, collection: true, maxItems: 10 },
    additionalOptions: { type: additionalUserOptionsType },
  },
});
export const userFlowType = entityType(NS, 'userProvisioningFlow', {
  baseType: provisioningFlowType,
  properties: {
    createUnmatchedUsers: flag,
    creationOptions: { type: userCreationOptionsType },
    managementOptions: { type: userManagementOptionsType, required: true, refuseNull: true },
  },
});

/** The concrete provisioning flow types, one of each per flow set at most. */
export const PROVISIONING_FLOW_TYPES = [administrativeUnitFlowType, classGroupFlowType, securityGroupFlowType, userFlowType];

// ---- runs: what the service did, every 12 hours or on demand ----

export const runStatus = enumType(NS, 'industryDataRunStatus', ['running', 'failed', 'completed', 'completedWithErrors', 'completedWithWarnings', 'unknownFutureValue']);
export const activityStatus = enumType(NS, 'industryDataActivityStatus', [
  'inProgress',
  'skipped',
  'failed',
  'completed',
  'completedWithErrors',
  'completedWithWarnings',
  'unknownFutureValue',
]);

const int: Property = { type: 'Edm.Int32' };
export const entityCountMetricType = complexType(NS, 'industryDataRunEntityCountMetric', { properties: { active: int, inactive: int, total: int } });
export const roleCountMetricType = complexType(NS, 'industryDataRunRoleCountMetric', { properties: { count: int, role: { type: 'Edm.String' } } });
const roleCounts: Property = { type: roleCountMetricType, collection: true };
const entityCount: Property = { type: entityCountMetricType };

export const activityStatisticsType = complexType(NS, 'industryDataActivityStatistics', {
  abstract: true,
  properties: { activityId: { type: 'Edm.String' }, displayName: { type: 'Edm.String' }, status: { type: activityStatus } },
});
export const inboundActivityResultsType = complexType(NS, 'inboundActivityResults', {
  baseType: activityStatisticsType,
  properties: {
    errors: int,
    groups: entityCount,
    matchedPeopleByRole: roleCounts,
    memberships: entityCount,
    organizations: entityCount,
    people: entityCount,
    unmatchedPeopleByRole: roleCounts,
    warnings: int,
  },
});
export const aggregatedInboundStatisticsType = complexType(NS, 'aggregatedInboundStatistics', {
  properties: {
    errors: int,
    groups: int,
    matchedPeopleByRole: roleCounts,
    memberships: int,
    organizations: int,
    people: int,
    unmatchedPeopleByRole: roleCounts,
    warnings: int,
  },
});
export const runStatisticsType = complexType(NS, 'industryDataRunStatistics', {
  properties: {
    activityStatistics: { type: activityStatisticsType, collection: true },
    inboundTotals: { type: aggregatedInboundStatisticsType },
    runId: { type: 'Edm.String' },
    status: { type: runStatus },
  },
});

export const runActivityType = entityType(NS, 'industryDataRunActivity', {
  baseType: ENTITY,
  abstract: true,
  properties: { blockingError: { type: PUBLIC_ERROR }, displayName: { type: 'Edm.String' }, status: { type: activityStatus } },
  navigations: { activity: { type: () => activityType } },
});
export const inboundFlowActivityType = entityType(NS, 'inboundFlowActivity', { baseType: runActivityType });
export const outboundFlowActivityType = entityType(NS, 'outboundFlowActivity', { baseType: runActivityType });

export const runType = entityType(NS, 'industryDataRun', {
  baseType: ENTITY,
  properties: {
    blockingError: { type: PUBLIC_ERROR },
    displayName: { type: 'Edm.String' },
    endDateTime: { type: 'Edm.DateTimeOffset' },
    startDateTime: { type: 'Edm.DateTimeOffset' },
    status: { type: runStatus },
  },
  navigations: { activities: { type: () => runActivityType, collection: true, containsTarget: true } },
});

export const industryDataRootType = entityType(NS, 'industryDataRoot', {
  baseType: ENTITY,
  navigations: {
    dataConnectors: { type: () => connectorType, collection: true, containsTarget: true },
    inboundFlows: { type: () => inboundFlowType, collection: true, containsTarget: true },
    operations: { type: () => LONG_RUNNING_OPERATION, collection: true, containsTarget: true },
    outboundProvisioningFlowSets: { type: () => outboundFlowSetType, collection: true, containsTarget: true },
    referenceDefinitions: { type: () => referenceDefinitionType, collection: true, containsTarget: true },
    roleGroups: { type: () => roleGroupType, collection: true, containsTarget: true },
    runs: { type: () => runType, collection: true, containsTarget: true },
    sourceSystems: { type: () => sourceSystemType, collection: true, containsTarget: true },
    years: { type: () => yearType, collection: true, containsTarget: true },
  },
});

/** The `external` singleton's type, as far as this family serves it. */
export const externalType = entityType(`${GRAPH}.externalConnectors`, 'external', {
  navigations: { industryData: { type: () => industryDataRootType, containsTarget: true } },
});
