// What the OData query options see (ResourceSpecs mapped onto store.ts's views) and the JSON of
// each entity, in the property order the service writes.
import type { PropertySpec, ResourceSpec } from '../../graph/odata/resource.js';
import { formatDuration } from './duration.js';
import type { AlertName } from './model.js';
import { ALERT_NAMES, alertId, CONFIGURATION_TYPES, DEFINITIONS, INCIDENT_PROPERTIES, INCIDENT_TYPES, SCOPE_ID, SCOPE_TYPE, SEVERITIES } from './model.js';
import type { AlertRow, IncidentRow } from './store.js';
import { settingsOf } from './store.js';

const key: PropertySpec = { column: 'id', type: 'string', nullable: false };
const text = (column: string): PropertySpec => ({ column, type: 'string', nullable: false });
const flag = (column: string): PropertySpec => ({ column, type: 'boolean', nullable: false });
const scope = { scopeId: text('scope_id'), scopeType: text('scope_type') };

export const definitionSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlertDefinition',
  key: 'id',
  properties: {
    id: key,
    displayName: text('display_name'),
    ...scope,
    description: text('description'),
    severityLevel: { column: 'severity_level', type: 'enum', values: SEVERITIES, enumType: 'microsoft.graph.alertSeverity', nullable: false },
    securityImpact: text('security_impact'),
    mitigationSteps: text('mitigation_steps'),
    howToPrevent: text('how_to_prevent'),
    isRemediatable: flag('is_remediatable'),
    isConfigurable: flag('is_configurable'),
  },
};

/** Threshold properties of every subtype: selectable, but neither filterable nor sortable (NULL = default). */
const thresholdProperties: Record<string, PropertySpec> = Object.fromEntries(
  Object.values(CONFIGURATION_TYPES).flatMap((type) =>
    type.thresholds.map((t): [string, PropertySpec] => [t.name, { column: t.column, type: t.type === 'int' ? 'int' : 'string', filterable: false, sortable: false }]),
  ),
);

export const configurationSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlertConfiguration',
  key: 'id',
  properties: { id: key, alertDefinitionId: text('id'), ...scope, isEnabled: flag('is_enabled'), ...thresholdProperties },
  expandable: { alertDefinition: { target: definitionSpec, collection: false } },
};

function incidentSpec(typeName: string, properties: readonly string[]): ResourceSpec {
  return {
    typeName,
    key: 'id',
    properties: {
      id: key,
      ...Object.fromEntries(properties.map((p): [string, PropertySpec] => [p, { column: INCIDENT_PROPERTIES[p]!.column, type: INCIDENT_PROPERTIES[p]!.type }])),
    },
  };
}

/** The incidents of one alert: `id` and the properties of that alert's incident subtype. */
export const incidentSpecs: Readonly<Record<AlertName, ResourceSpec>> = Object.fromEntries(
  ALERT_NAMES.map((name) => [name, incidentSpec(INCIDENT_TYPES[name].odataType, INCIDENT_TYPES[name].properties)]),
) as Record<AlertName, ResourceSpec>;

/** Incidents of any alert (nested options of `$expand=alertIncidents` on the alerts collection). */
export const anyIncidentSpec = incidentSpec('microsoft.graph.unifiedRoleManagementAlertIncident', Object.keys(INCIDENT_PROPERTIES));

const alertProperties: Record<string, PropertySpec> = {
  id: key,
  alertDefinitionId: text('id'),
  ...scope,
  incidentCount: { column: 'incident_count', type: 'int', nullable: false },
  isActive: flag('is_active'),
  lastModifiedDateTime: { column: 'last_modified_at', type: 'datetime', nullable: false },
  lastScannedDateTime: { column: 'last_scanned_at', type: 'datetime', nullable: false },
  // `$filter=… and alertConfiguration/isEnabled eq false` (spec §3.5 #1).
  'alertConfiguration/isEnabled': { ...flag('is_enabled'), sortable: false },
};

function alertSpec(incidents: ResourceSpec): ResourceSpec {
  return {
    typeName: 'microsoft.graph.unifiedRoleManagementAlert',
    key: 'id',
    properties: alertProperties,
    // Declaration order: what `$expand=*` expands, in this order (as the service's example).
    expandable: {
      alertConfiguration: { target: configurationSpec, collection: false },
      alertDefinition: { target: definitionSpec, collection: false },
      alertIncidents: { target: incidents, collection: true },
    },
  };
}

export const alertsSpec = alertSpec(anyIncidentSpec);
/** One alert: nested options on its incidents are checked against its incident subtype. */
export const alertSpecs: Readonly<Record<AlertName, ResourceSpec>> = Object.fromEntries(
  ALERT_NAMES.map((name) => [name, alertSpec(incidentSpecs[name])]),
) as Record<AlertName, ResourceSpec>;

// ---- JSON ----

/** `all` limited to `select` (in the order selected); annotations always stay. */
function pick(annotations: Record<string, unknown>, all: Record<string, unknown>, select?: readonly string[]): Record<string, unknown> {
  const json = { ...annotations };
  const names = select?.length && !select.includes('*') ? select : Object.keys(all);
  for (const name of names) if (Object.hasOwn(all, name)) json[name] = all[name];
  return json;
}

export function alertJson(row: AlertRow, select?: readonly string[]): Record<string, unknown> {
  return pick({}, {
    id: row.id,
    alertDefinitionId: row.id,
    scopeId: row.scope_id,
    scopeType: row.scope_type,
    incidentCount: row.incident_count,
    isActive: row.is_active,
    lastModifiedDateTime: row.last_modified_at,
    lastScannedDateTime: row.last_scanned_at,
  }, select);
}

export function definitionJson(tenantId: string, name: AlertName, select?: readonly string[]): Record<string, unknown> {
  const d = DEFINITIONS[name];
  return pick({}, {
    id: alertId(tenantId, name),
    displayName: d.displayName,
    scopeType: SCOPE_TYPE,
    scopeId: SCOPE_ID,
    description: d.description,
    severityLevel: d.severityLevel,
    securityImpact: d.securityImpact,
    mitigationSteps: d.mitigationSteps,
    howToPrevent: d.howToPrevent,
    isRemediatable: d.isRemediatable,
    isConfigurable: d.isConfigurable,
  }, select);
}

/** Always typed: the configuration's declared type is abstract. */
export function configurationJson(row: AlertRow, select?: readonly string[]): Record<string, unknown> {
  const type = CONFIGURATION_TYPES[row.alert_name];
  const settings = settingsOf(row);
  const all: Record<string, unknown> = {
    id: row.id,
    alertDefinitionId: row.id,
    scopeType: row.scope_type,
    scopeId: row.scope_id,
    isEnabled: row.is_enabled,
  };
  for (const t of type.thresholds) {
    const value = settings.thresholds[t.name]!;
    all[t.name] = t.type === 'duration' ? formatDuration(value) : value;
  }
  return pick({ '@odata.type': `#${type.odataType}` }, all, select);
}

/** Always typed: the incident's declared type is abstract. */
export function incidentJson(name: AlertName, row: IncidentRow, select?: readonly string[]): Record<string, unknown> {
  const type = INCIDENT_TYPES[name];
  const all: Record<string, unknown> = { id: row.id };
  for (const p of type.properties) all[p] = row[INCIDENT_PROPERTIES[p]!.column];
  return pick({ '@odata.type': `#${type.odataType}` }, all, select);
}

/** Every incident property of a row, whatever its type (the sort values of a skiptoken). */
export function incidentValues(row: IncidentRow): Record<string, unknown> {
  const all: Record<string, unknown> = { id: row.id };
  for (const [name, p] of Object.entries(INCIDENT_PROPERTIES)) all[name] = row[p.column];
  return all;
}
