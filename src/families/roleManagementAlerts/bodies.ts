// Request bodies, checked strictly: every unknown or read-only property, wrong type or value
// out of range is a 400 that names the property.
import { badRequest } from '../../graph/errors.js';
import { formatDuration, parseDuration } from './duration.js';
import type { AlertName, ThresholdProperty } from './model.js';
import { alertId, CONFIGURATION_TYPES, DAY_MS, SCOPE_ID, SCOPE_TYPE } from './model.js';
import type { ConfigurationChange } from './store.js';

const ALERT_TYPE = 'microsoft.graph.unifiedRoleManagementAlert';
const CONFIGURATION_READ_ONLY = ['id', 'alertDefinitionId', 'scopeId', 'scopeType'];
const ALERT_READ_ONLY = [...CONFIGURATION_READ_ONLY, 'incidentCount', 'lastModifiedDateTime', 'lastScannedDateTime'];

function object(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) throw badRequest('A request body is required: a JSON object.');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

const doesNotExist = (name: string, type: string) =>
  badRequest(`The property '${name}' does not exist on type '${type}'. Only properties the type defines can be set.`, name);

const readOnly = (name: string, updatable: string) => badRequest(`The property '${name}' is read-only; only ${updatable} can be updated.`, name);

/** `@odata.type` as given, without the leading `#`; undefined when absent. */
function odataType(body: Record<string, unknown>): string | undefined {
  const value = body['@odata.type'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid value for '@odata.type': expected a string such as '#microsoft.graph.…'.`, '@odata.type');
  return value.replace(/^#/, '');
}

/** PATCH `…/alerts/{id}`: only `isActive` (false dismisses the alert, true re-activates it). */
export function parseAlertPatch(body: unknown): { isActive: boolean } {
  const json = object(body);
  const type = odataType(json);
  if (type !== undefined && type !== ALERT_TYPE) {
    throw badRequest(`'@odata.type' is '#${type}', but an alert is of type '#${ALERT_TYPE}'.`, '@odata.type');
  }
  for (const name of Object.keys(json)) {
    if (name === 'isActive' || name === '@odata.type') continue;
    if (ALERT_READ_ONLY.includes(name)) throw readOnly(name, "'isActive'");
    throw doesNotExist(name, ALERT_TYPE);
  }
  if (!('isActive' in json)) throw badRequest(`The request body must set 'isActive' (false dismisses the alert).`, 'isActive');
  if (typeof json.isActive !== 'boolean') throw badRequest(`Invalid value for property 'isActive': expected true or false.`, 'isActive');
  return { isActive: json.isActive };
}

/**
 * PATCH `…/alertConfigurations/{id}`: `@odata.type` is mandatory (with or without `#`) and must be
 * the configuration's own type; then `isEnabled` and that subtype's thresholds. `isEnabled` is
 * also accepted as the string "true" or "false", as one of Graph's own doc examples sends it.
 */
export function parseConfigurationPatch(body: unknown, tenantId: string, name: AlertName): ConfigurationChange {
  const json = object(body);
  const type = CONFIGURATION_TYPES[name];
  const given = odataType(json);
  if (given === undefined) {
    throw badRequest(`The request body must contain '@odata.type' with the configuration's type, '#${type.odataType}'.`, '@odata.type');
  }
  if (given !== type.odataType) {
    throw badRequest(`'@odata.type' is '#${given}', but configuration '${alertId(tenantId, name)}' is of type '#${type.odataType}'.`, '@odata.type');
  }
  const updatable = ['isEnabled', ...type.thresholds.map((t) => t.name)];
  const change: ConfigurationChange = { columns: {} };
  for (const [prop, value] of Object.entries(json)) {
    if (prop === '@odata.type') continue;
    if (prop === 'isEnabled') {
      change.isEnabled = parseBoolean(prop, value);
      continue;
    }
    const threshold = type.thresholds.find((t) => t.name === prop);
    if (threshold) {
      change.columns[threshold.column] = parseThreshold(threshold, value);
      continue;
    }
    if (CONFIGURATION_READ_ONLY.includes(prop)) throw readOnly(prop, updatable.map((u) => `'${u}'`).join(', '));
    throw doesNotExist(prop, type.odataType);
  }
  if (change.isEnabled === undefined && Object.keys(change.columns).length === 0) {
    throw badRequest(`The request body sets nothing; properties that can be updated: ${updatable.map((u) => `'${u}'`).join(', ')}.`);
  }
  return change;
}

function parseBoolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badRequest(`Invalid value for property '${name}': expected true or false.`, name);
}

function parseThreshold(t: ThresholdProperty, value: unknown): number {
  if (value === null) throw badRequest(`Property '${t.name}' cannot be null.`, t.name);
  if (t.type === 'int') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < t.min || value > t.max) {
      throw badRequest(`Invalid value for property '${t.name}': expected a whole number from ${t.min} to ${t.max}; got ${JSON.stringify(value)}.`, t.name);
    }
    return value;
  }
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    throw badRequest(
      `Invalid value for property '${t.name}': expected an ISO 8601 duration in days, hours, minutes and seconds such as 'P30D' or 'PT1H'; got ${JSON.stringify(value)}.`,
      t.name,
    );
  }
  const range = `from ${formatDuration(t.min)} to ${formatDuration(t.max)}`;
  if (t.wholeDays && ms % DAY_MS !== 0) {
    throw badRequest(`Invalid value for property '${t.name}': expected a whole number of days ${range}; got '${value as string}'.`, t.name);
  }
  if (ms < t.min || ms > t.max) throw badRequest(`Invalid value for property '${t.name}': expected a duration ${range}; got '${value as string}'.`, t.name);
  return ms;
}

/** POST `…/alerts/refresh`: `{"scopeId": "/", "scopeType": "DirectoryRole"}`, both required. */
export function parseRefreshAll(body: unknown): void {
  const json = object(body);
  for (const name of Object.keys(json)) if (name !== 'scopeId' && name !== 'scopeType') throw badRequest(`The action 'refresh' has no parameter '${name}'.`, name);
  for (const [name, only] of [['scopeId', SCOPE_ID], ['scopeType', SCOPE_TYPE]] as const) {
    const value = json[name];
    if (value === undefined || value === null) throw badRequest(`The parameter '${name}' is required and cannot be null.`, name);
    if (typeof value !== 'string') throw badRequest(`Invalid value for parameter '${name}': expected a string.`, name);
    if (value !== only) throw badRequest(`Invalid value for parameter '${name}': only '${only}' is supported; got '${value}'.`, name);
  }
}

/** Actions without parameters (refresh one alert, remediate): no body, or `{}`. */
export function requireNoParameters(body: unknown, action: string): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw badRequest(`The action '${action}' takes no parameters; send no request body.`);
}
