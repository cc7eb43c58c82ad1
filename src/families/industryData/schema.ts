// The Graph types of industry data (spec §4), under their official names in the
// `microsoft.graph.industryData` namespace: source systems, data connectors, inbound flows,
// years, the reference values and settings they hold, the upload session and the validate
// operations; and the root they hang from (`external/industryData`). Property order is the order
// the service writes them.
import type { Property } from '../../graph/model/edm.js';
import { complexType, ENTITY, entityType, enumType, GRAPH } from '../../graph/model/edm.js';
import { LONG_RUNNING_OPERATION, PUBLIC_ERROR } from '../../graph/model/types.js';
import { CONNECTORS_PATH, MAX_NAME_LENGTH, MAX_USER_MATCHING_SETTINGS, ROOT_PATH, SOURCE_SYSTEMS_PATH, YEARS_PATH } from './model.js';

export const NS = `${GRAPH}.industryData`;

const name: Property = { type: 'Edm.String', maxLength: MAX_NAME_LENGTH };
const requiredName: Property = { ...name, required: true };

export const referenceValueType = complexType(NS, 'referenceValue', {
  abstract: true,
  properties: { code: { type: 'Edm.String', required: true, maxLength: MAX_NAME_LENGTH } },
});
const reference = (typeName: string) => complexType(NS, typeName, { baseType: referenceValueType });
export const fileFormatReferenceValueType = reference('fileFormatReferenceValue');
export const identifierTypeReferenceValueType = reference('identifierTypeReferenceValue');
export const userMatchTargetReferenceValueType = reference('userMatchTargetReferenceValue');
export const yearReferenceValueType = reference('yearReferenceValue');

export const roleGroupType = entityType(NS, 'roleGroup', { baseType: ENTITY, properties: { displayName: { type: 'Edm.String' } } });

export const userMatchingSettingType = complexType(NS, 'userMatchingSetting', {
  properties: {
    matchTarget: { type: userMatchTargetReferenceValueType },
    priorityOrder: { type: 'Edm.Int32', min: 0 },
    sourceIdentifier: { type: identifierTypeReferenceValueType },
  },
  navigations: { roleGroup: { type: () => roleGroupType, bindable: `${ROOT_PATH}/roleGroups` } },
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
  properties: { fileFormat: { type: fileFormatReferenceValueType, required: true } },
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

export const industryDataRootType = entityType(NS, 'industryDataRoot', {
  baseType: ENTITY,
  navigations: {
    dataConnectors: { type: () => connectorType, collection: true, containsTarget: true },
    inboundFlows: { type: () => inboundFlowType, collection: true, containsTarget: true },
    operations: { type: () => LONG_RUNNING_OPERATION, collection: true, containsTarget: true },
    sourceSystems: { type: () => sourceSystemType, collection: true, containsTarget: true },
    years: { type: () => yearType, collection: true, containsTarget: true },
  },
});

/** The `external` singleton's type, as far as this family serves it. */
export const externalType = entityType(`${GRAPH}.externalConnectors`, 'external', {
  navigations: { industryData: { type: () => industryDataRootType, containsTarget: true } },
});
