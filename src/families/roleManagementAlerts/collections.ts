// How the family serves its types (schema.ts) from its SQL (store.ts): alerts, definitions and
// configurations (one row per built-in alert, read from the tenant's state and settings, defaults
// where it has none) and each alert's incidents. graph/model makes every route of them.
import type { Row } from '../../db/db.js';
import { GraphError } from '../../errors.js';
import type { Column, EntityCollection } from '../../graph/model/collection.js';
import { formatDuration } from '../../graph/model/duration.js';
import type { FilterNode } from '../../graph/odata/filter.js';
import type { AlertName, ThresholdProperty } from './model.js';
import { ALERT_NAMES, CONFIGURATION_TYPES, INCIDENT_PROPERTIES, SCOPE_ID, SCOPE_TYPE } from './model.js';
import { roleManagementAlertsRead, roleManagementAlertsWrite } from './permissions.js';
import { alertConfigurationType, alertDefinitionType, alertIncidentType, alertType, configurationTypes, incidentTypes } from './schema.js';
import type { AlertRow, ConfigurationChange } from './store.js';
import { alertRows, definitionRows, incidentRows, setAlertActive, settingsOf, updateConfiguration } from './store.js';

const permissions = { read: roleManagementAlertsRead, write: roleManagementAlertsWrite };
const nameOf = (row: Row) => row.alert_name as AlertName;

const key: Column = { column: 'id', notNull: true };
const text = (column: string): Column => ({ column, notNull: true });
const scope = { scopeId: text('scope_id'), scopeType: text('scope_type') };

// ---- the scope filter (spec §3.5) ----

const conjuncts = (node: FilterNode): FilterNode[] => (node.kind === 'and' ? node.operands.flatMap(conjuncts) : [node]);

const names = (parts: FilterNode[], property: string, value: string) =>
  parts.some((p) => p.kind === 'compare' && p.op === 'eq' && p.property === property && p.value.type === 'string' && p.value.value.toLowerCase() === value.toLowerCase());

/**
 * Graph answers 400 to a list of alerts, definitions or configurations whose $filter does not
 * restrict the scope: `scopeId eq '/' and scopeType eq 'DirectoryRole'`, to which other
 * conditions may be and-ed.
 */
function requireScope(filter: FilterNode | undefined): void {
  const parts = filter ? conjuncts(filter) : [];
  if (names(parts, 'scopeId', SCOPE_ID) && names(parts, 'scopeType', SCOPE_TYPE)) return;
  throw new GraphError(
    400,
    'BadRequest',
    `The $filter query option must restrict the scope: $filter=scopeId eq '${SCOPE_ID}' and scopeType eq '${SCOPE_TYPE}' (other conditions may be added with 'and').`,
    { target: '$filter', details: [{ code: 'MissingProvider', message: 'No scope was given: filter on scopeId and scopeType.', target: '$filter' }] },
  );
}

// ---- collections ----

export const definitions: EntityCollection = {
  what: 'alert definition',
  type: alertDefinitionType,
  columns: {
    id: key,
    displayName: text('display_name'),
    ...scope,
    description: text('description'),
    severityLevel: text('severity_level'),
    securityImpact: text('security_impact'),
    mitigationSteps: text('mitigation_steps'),
    howToPrevent: text('how_to_prevent'),
    isRemediatable: text('is_remediatable'),
    isConfigurable: text('is_configurable'),
  },
  rows: (s) => definitionRows(s.tenantId),
  permissions,
  checkList: requireScope,
};

/** A threshold as written: the tenant's value or the default, durations as ISO 8601. Not queryable (NULL = default). */
function thresholdColumn(t: ThresholdProperty): Column {
  return {
    column: t.column,
    read: (row) => {
      const value = settingsOf(row as AlertRow).thresholds[t.name];
      return value === undefined ? undefined : t.type === 'duration' ? formatDuration(value) : value;
    },
    filterable: false,
    sortable: false,
  };
}

export const configurations: EntityCollection = {
  what: 'alert configuration',
  type: alertConfigurationType,
  types: ALERT_NAMES.map((name) => configurationTypes[name]),
  typeOf: (row) => configurationTypes[nameOf(row)],
  columns: {
    id: key,
    alertDefinitionId: text('id'),
    ...scope,
    isEnabled: text('is_enabled'),
    ...Object.fromEntries(Object.values(CONFIGURATION_TYPES).flatMap((c) => c.thresholds.map((t) => [t.name, thresholdColumn(t)]))),
  },
  rows: (s) => alertRows(s.tenantId),
  navigations: { alertDefinition: { target: () => definitions, key: (row) => String(row.id) } },
  permissions,
  checkList: requireScope,
  bodyType: { update: 'required' },
  async update({ scope: s }, row, values) {
    const name = nameOf(row);
    const change: ConfigurationChange = { columns: {} };
    if (values.isEnabled !== undefined) change.isEnabled = values.isEnabled as boolean;
    for (const t of CONFIGURATION_TYPES[name].thresholds) if (values[t.name] !== undefined) change.columns[t.column] = values[t.name] as number;
    await updateConfiguration(s.db, s.tenantId, name, change);
  },
};

export const incidents: EntityCollection = {
  what: 'alert incident',
  type: alertIncidentType,
  types: ALERT_NAMES.map((name) => incidentTypes[name]),
  typeOf: (row) => incidentTypes[nameOf(row)],
  columns: { id: key, ...Object.fromEntries(Object.entries(INCIDENT_PROPERTIES).map(([name, p]) => [name, { column: p.column }])) },
  rows: (s, parent) => incidentRows(s.tenantId, nameOf(parent!)),
  permissions,
};

export const alerts: EntityCollection = {
  what: 'alert',
  type: alertType,
  columns: {
    id: key,
    alertDefinitionId: text('id'),
    ...scope,
    incidentCount: text('incident_count'),
    isActive: text('is_active'),
    lastModifiedDateTime: text('last_modified_at'),
    lastScannedDateTime: text('last_scanned_at'),
    // `$filter=… and alertConfiguration/isEnabled eq false` (spec §3.5 #1).
    'alertConfiguration/isEnabled': { column: 'is_enabled', notNull: true, sortable: false },
  },
  rows: (s) => alertRows(s.tenantId),
  navigations: {
    alertConfiguration: { target: () => configurations, key: (row) => String(row.id) },
    alertDefinition: { target: () => definitions, key: (row) => String(row.id) },
    // One alert's incidents are all of its incident type: options on them are checked against it.
    alertIncidents: { target: () => incidents, contained: true, types: (row) => [incidentTypes[nameOf(row)]] },
  },
  permissions,
  checkList: requireScope,
  async update({ scope: s }, row, values) {
    await setAlertActive(s.db, s.tenantId, nameOf(row), values.isActive as boolean);
  },
};
