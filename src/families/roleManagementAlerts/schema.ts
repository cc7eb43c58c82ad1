// The Graph types of PIM alerts (spec §3.1), as the official beta schema names them: alerts,
// their definitions, configurations (one derived type per alert, with its thresholds) and
// incidents (one derived type per alert), under identityGovernance/roleManagementAlerts. Property
// order is the order the service writes them.
import type { EntityType, Property } from '../../graph/model/edm.js';
import { ENTITY, entityType, enumType, GRAPH } from '../../graph/model/edm.js';
import { LONG_RUNNING_OPERATION } from '../../graph/model/types.js';
import type { AlertName, ThresholdProperty } from './model.js';
import { ALERT_NAMES, CONFIGURATION_TYPES, INCIDENT_PROPERTIES, INCIDENT_TYPES, SCOPE_ID, SCOPE_TYPE } from './model.js';

export const alertSeverity = enumType(GRAPH, 'alertSeverity', ['unknown', 'informational', 'low', 'medium', 'high', ['unknownFutureValue', 127]]);

const text: Property = { type: 'Edm.String', readOnly: true };
const flag: Property = { type: 'Edm.Boolean', readOnly: true };

export const alertDefinitionType = entityType(GRAPH, 'unifiedRoleManagementAlertDefinition', {
  baseType: ENTITY,
  properties: {
    displayName: text,
    scopeType: text,
    scopeId: text,
    description: text,
    severityLevel: { type: alertSeverity, readOnly: true },
    securityImpact: text,
    mitigationSteps: text,
    howToPrevent: text,
    isRemediatable: flag,
    isConfigurable: flag,
  },
});

export const alertConfigurationType = entityType(GRAPH, 'unifiedRoleManagementAlertConfiguration', {
  baseType: ENTITY,
  abstract: true,
  properties: {
    alertDefinitionId: text,
    scopeType: text,
    scopeId: text,
    // Also "true"/"false": one of Graph's own doc examples sends the string.
    isEnabled: { type: 'Edm.Boolean', acceptsString: true, refuseNull: true },
  },
  navigations: { alertDefinition: { type: () => alertDefinitionType } },
});

const threshold = (t: ThresholdProperty): Property =>
  t.type === 'int' ? { type: 'Edm.Int32', min: t.min, max: t.max, refuseNull: true } : { type: 'Edm.Duration', min: t.min, max: t.max, wholeDays: t.wholeDays, refuseNull: true };

/** The configuration type of each alert, with its thresholds. */
export const configurationTypes = Object.fromEntries(
  ALERT_NAMES.map((name) => {
    const c = CONFIGURATION_TYPES[name];
    const properties = Object.fromEntries(c.thresholds.map((t) => [t.name, threshold(t)]));
    return [name, entityType(GRAPH, c.odataType.slice(`${GRAPH}.`.length), { baseType: alertConfigurationType, properties })];
  }),
) as Record<AlertName, EntityType>;

export const alertIncidentType = entityType(GRAPH, 'unifiedRoleManagementAlertIncident', { baseType: ENTITY, abstract: true });

const EDM = { string: 'Edm.String', datetime: 'Edm.DateTimeOffset', int: 'Edm.Int32' } as const;

/** The incident type of each alert. */
export const incidentTypes = Object.fromEntries(
  ALERT_NAMES.map((name) => {
    const i = INCIDENT_TYPES[name];
    const properties = Object.fromEntries(i.properties.map((p): [string, Property] => [p, { type: EDM[INCIDENT_PROPERTIES[p]!.type], readOnly: true }]));
    return [name, entityType(GRAPH, i.odataType.slice(`${GRAPH}.`.length), { baseType: alertIncidentType, properties })];
  }),
) as Record<AlertName, EntityType>;

export const alertType = entityType(GRAPH, 'unifiedRoleManagementAlert', {
  baseType: ENTITY,
  properties: {
    alertDefinitionId: text,
    scopeId: text,
    scopeType: text,
    incidentCount: { type: 'Edm.Int32', readOnly: true },
    // false dismisses the alert, true re-activates it: the one property a client changes.
    isActive: { type: 'Edm.Boolean', refuseNull: true },
    lastModifiedDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    lastScannedDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
  },
  // Declaration order: what `$expand=*` expands, in this order (as the service's example).
  navigations: {
    alertConfiguration: { type: () => alertConfigurationType },
    alertDefinition: { type: () => alertDefinitionType },
    alertIncidents: { type: () => alertIncidentType, collection: true, containsTarget: true },
  },
});

/** `identityGovernance/roleManagementAlerts`: the entity that contains the family's collections. */
export const roleManagementAlertType = entityType(GRAPH, 'roleManagementAlert', {
  baseType: ENTITY,
  navigations: {
    alertConfigurations: { type: () => alertConfigurationType, collection: true, containsTarget: true },
    alertDefinitions: { type: () => alertDefinitionType, collection: true, containsTarget: true },
    alerts: { type: () => alertType, collection: true, containsTarget: true },
    operations: { type: () => LONG_RUNNING_OPERATION, collection: true, containsTarget: true },
  },
});

/** The `identityGovernance` singleton's type, as far as this family serves it. */
export const identityGovernanceType = entityType(GRAPH, 'identityGovernance', {
  navigations: { roleManagementAlerts: { type: () => roleManagementAlertType, containsTarget: true } },
});

/** The parameters of `refresh` on the alerts collection: the only scope Graph supports. */
export const REFRESH_ALL_PARAMETERS: Readonly<Record<string, Property>> = {
  scopeType: { type: 'Edm.String', required: true, accepted: [SCOPE_TYPE] },
  scopeId: { type: 'Edm.String', required: true, accepted: [SCOPE_ID] },
};
