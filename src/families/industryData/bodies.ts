// Request bodies, checked strictly: an unknown or read-only property, a wrong type, a value out of
// range or a binding that names nothing is a 400 whose message and target name the property.
import { badRequest } from '../../graph/errors.js';
import { isDateTimeOffset } from '../../graph/odata/filter.js';
import { DATA_DOMAINS, FILE_FORMATS, MAX_NAME_LENGTH, MAX_USER_MATCHING_SETTINGS, OTHER_CONNECTOR_TYPES, ROOT_PATH, TYPES } from './model.js';
import type { ConnectorFields, InboundFlowFields, SourceSystemFields, UserMatchingSetting } from './store.js';

type Json = Record<string, unknown>;

function object(body: unknown): Json {
  if (body === undefined || body === null) throw badRequest('A request body is required: a JSON object.');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Json;
}

const doesNotExist = (name: string, type: string) =>
  badRequest(`The property '${name}' does not exist on type '${type}'. Only properties the type defines can be set.`, name);

const readOnly = (name: string) => badRequest(`The property '${name}' is read-only and cannot be set.`, name);

type Readers = Record<string, (value: unknown, target: string) => void>;

interface PropertyRules {
  readonly readOnly?: readonly string[];
  /** Navigation properties: set only through `<name>@odata.bind`. */
  readonly navigation?: readonly string[];
  /** Before each name in errors, for nested objects (`userMatchingSettings[0].`). */
  readonly prefix?: string;
}

/**
 * Hands each property of `json` to its reader, with the name errors quote; `@odata.type` is the
 * caller's to check. Read-only, navigation and unknown properties are 400s.
 */
function readProperties(json: Json, type: string, readers: Readers, { readOnly: fixed = [], navigation = [], prefix = '' }: PropertyRules = {}): void {
  for (const [key, value] of Object.entries(json)) {
    if (key === '@odata.type') continue;
    const target = prefix + key;
    const read = Object.hasOwn(readers, key) ? readers[key] : undefined;
    if (read) read(value, target);
    else if (navigation.includes(key)) throw badRequest(`'${target}' is a navigation property; bind it with '${key}@odata.bind'.`, target);
    else if (fixed.includes(key)) throw readOnly(target);
    else throw doesNotExist(target, type);
  }
}

/** `@odata.type` without the leading `#`; undefined when absent. */
function odataType(json: Json, target = '@odata.type'): string | undefined {
  const value = json['@odata.type'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid value for '@odata.type': expected a string such as '#microsoft.graph.…'.`, target);
  return value.replace(/^#/, '');
}

function checkType(json: Json, expected: string, target: string): void {
  const type = odataType(json, target);
  if (type !== undefined && type !== expected) throw badRequest(`'@odata.type' is '#${type}', but '${target}' is of type '#${expected}'.`, target);
}

function name(value: unknown, property: string, nullable = false): string | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'string') throw badRequest(`Invalid value for property '${property}': expected a string${nullable ? ' or null' : ''}.`, property);
  if (value.trim() === '') throw badRequest(`Property '${property}' cannot be empty.`, property);
  if (value.length > MAX_NAME_LENGTH) throw badRequest(`Property '${property}' is longer than ${MAX_NAME_LENGTH} characters.`, property);
  return withoutNul(value, property);
}

/** PostgreSQL text cannot hold U+0000: refused here as a 400 rather than failing the write (a 500). */
function withoutNul(value: string, property: string): string {
  if (value.includes('\u0000')) throw badRequest(`Invalid value for '${property}': the character U+0000 is not allowed.`, property);
  return value;
}

function required(json: Json, property: string, what: string): unknown {
  const value = json[property];
  if (value === undefined || value === null) throw badRequest(`The property '${property}' is required to create ${what}.`, property);
  return value;
}

/**
 * The key of the entity `value` binds (`<nav>@odata.bind`): an absolute or relative URL of
 * `external/industryData/<collection>`, the key as `('id')`, `(id)` or `/id`.
 */
export function bindTarget(value: unknown, property: string, collection: string): string {
  const example = `'https://graph.microsoft.com/beta/${ROOT_PATH}/${collection}('{id}')'`;
  const invalid = () => badRequest(`Invalid value for '${property}': expected the URL of an entity of ${ROOT_PATH}/${collection}, such as ${example}.`, property);
  if (typeof value !== 'string' || value.trim() === '') throw invalid();
  let path: string;
  try {
    path = decodeURIComponent(value.trim());
  } catch {
    throw invalid();
  }
  const absolute = /^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.exec(path);
  if (absolute) path = absolute[1] ?? '';
  path = path.replace(/^\/+/, '').replace(/^(beta|v1\.0)\//i, '');
  const prefix = `${ROOT_PATH}/${collection}`;
  if (path.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) throw invalid();
  const keyPart = path.slice(prefix.length);
  const m = /^\('((?:[^']|'')+)'\)$/.exec(keyPart) ?? /^\(([^()'/]+)\)$/.exec(keyPart) ?? /^\/([^/()']+)$/.exec(keyPart);
  if (!m) throw invalid();
  return withoutNul(m[1]!.replace(/''/g, "'").trim(), property);
}

/** A reference value (`{"code": "…"}`) of the given type. */
function referenceValue(value: unknown, property: string, type: string, codes?: readonly string[]): { code: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`Invalid value for property '${property}': expected an object such as {"code": "…"}.`, property);
  }
  const json = value as Json;
  checkType(json, type, property);
  for (const key of Object.keys(json)) {
    if (key === '@odata.type' || key === 'code') continue;
    if (key === 'value@odata.bind' || key === 'value') {
      throw badRequest(`'${property}.${key}' is not supported: give the reference value's 'code'.`, `${property}.${key}`);
    }
    throw doesNotExist(`${property}.${key}`, type);
  }
  const code = json.code;
  if (typeof code !== 'string' || code.trim() === '') throw badRequest(`The property '${property}.code' is required: a non-empty string.`, `${property}.code`);
  if (codes && !codes.includes(code)) {
    throw badRequest(`Invalid value for '${property}.code': '${code}' is not one of ${codes.map((c) => `'${c}'`).join(', ')}.`, `${property}.code`);
  }
  if (code.length > MAX_NAME_LENGTH) throw badRequest(`'${property}.code' is longer than ${MAX_NAME_LENGTH} characters.`, `${property}.code`);
  return { code: withoutNul(code, `${property}.code`) };
}

function userMatchingSettings(value: unknown): UserMatchingSetting[] {
  const property = 'userMatchingSettings';
  if (!Array.isArray(value)) throw badRequest(`Invalid value for property '${property}': expected an array.`, property);
  if (value.length > MAX_USER_MATCHING_SETTINGS) throw badRequest(`'${property}' holds more than ${MAX_USER_MATCHING_SETTINGS} settings.`, property);
  return value.map((item: unknown, i) => {
    const at = `${property}[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`Invalid value for '${at}': expected an object.`, at);
    const json = item as Json;
    checkType(json, 'microsoft.graph.industryData.userMatchingSetting', at);
    const setting: UserMatchingSetting = { matchTarget: null, priorityOrder: null, sourceIdentifier: null };
    readProperties(
      json,
      'microsoft.graph.industryData.userMatchingSetting',
      {
        matchTarget: (v, target) => (setting.matchTarget = v === null ? null : referenceValue(v, target, TYPES.userMatchTarget)),
        sourceIdentifier: (v, target) => (setting.sourceIdentifier = v === null ? null : referenceValue(v, target, TYPES.identifierType)),
        priorityOrder: (v, target) => {
          if (v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647)) {
            throw badRequest(`Invalid value for '${target}': expected a whole number from 0.`, target);
          }
          setting.priorityOrder = v as number | null;
        },
        'roleGroup@odata.bind': (v, target) => (setting.roleGroupId = bindTarget(v, target, 'roleGroups')),
      },
      { navigation: ['roleGroup'], prefix: `${at}.` },
    );
    return setting;
  });
}

function sourceSystemFields(json: Json): Partial<SourceSystemFields> {
  checkType(json, TYPES.sourceSystem, '@odata.type');
  const fields: Partial<SourceSystemFields> = {};
  readProperties(
    json,
    TYPES.sourceSystem,
    {
      displayName: (value, key) => (fields.displayName = name(value, key)!),
      vendor: (value, key) => (fields.vendor = name(value, key, true)),
      userMatchingSettings: (value) => (fields.userMatchingSettings = userMatchingSettings(value)),
    },
    { readOnly: ['id'] },
  );
  return fields;
}

/** POST `…/sourceSystems`: displayName required; vendor and userMatchingSettings optional. */
export function parseSourceSystemCreate(body: unknown): SourceSystemFields {
  const json = object(body);
  required(json, 'displayName', 'a source system');
  const fields = sourceSystemFields(json);
  return { displayName: fields.displayName!, vendor: fields.vendor ?? null, userMatchingSettings: fields.userMatchingSettings ?? [] };
}

/** PATCH `…/sourceSystems/{id}`: any of displayName, vendor, userMatchingSettings (replaced whole). */
export function parseSourceSystemPatch(body: unknown): Partial<SourceSystemFields> {
  const fields = sourceSystemFields(object(body));
  if (Object.keys(fields).length === 0) throw badRequest(`The request body sets nothing; properties that can be updated: 'displayName', 'vendor', 'userMatchingSettings'.`);
  return fields;
}

/** `@odata.type` of a connector body: only azureDataLakeConnector is created by this service. */
function connectorType(json: Json, mandatory: boolean): void {
  const type = odataType(json);
  if (type === undefined) {
    if (mandatory) throw badRequest(`The request body must contain '@odata.type': '#${TYPES.azureDataLakeConnector}' (the connector's type).`, '@odata.type');
    return;
  }
  if (type === TYPES.azureDataLakeConnector) return;
  if (OTHER_CONNECTOR_TYPES.includes(type)) {
    throw badRequest(`Connectors of type '#${type}' are not supported by this service; use '#${TYPES.azureDataLakeConnector}'.`, '@odata.type');
  }
  throw badRequest(`'@odata.type' is '#${type}', which is not a data connector type; use '#${TYPES.azureDataLakeConnector}'.`, '@odata.type');
}

function connectorFields(json: Json): Partial<ConnectorFields> {
  const fields: Partial<ConnectorFields> = {};
  readProperties(
    json,
    TYPES.azureDataLakeConnector,
    {
      displayName: (value, key) => (fields.displayName = name(value, key)!),
      fileFormat: (value, key) => {
        if (value === null) throw badRequest(`Property 'fileFormat' cannot be null.`, key);
        fields.fileFormat = referenceValue(value, key, TYPES.fileFormat, FILE_FORMATS).code;
      },
      'sourceSystem@odata.bind': (value, key) => (fields.sourceSystemId = bindTarget(value, key, 'sourceSystems')),
    },
    { readOnly: ['id'], navigation: ['sourceSystem'] },
  );
  return fields;
}

/** POST `…/dataConnectors` (spec §4.2): `@odata.type`, displayName, fileFormat and `sourceSystem@odata.bind`. */
export function parseConnectorCreate(body: unknown): ConnectorFields {
  const json = object(body);
  connectorType(json, true);
  const what = 'a data connector';
  required(json, 'displayName', what);
  required(json, 'fileFormat', what);
  required(json, 'sourceSystem@odata.bind', what);
  const fields = connectorFields(json);
  return { displayName: fields.displayName!, fileFormat: fields.fileFormat!, sourceSystemId: fields.sourceSystemId! };
}

/** PATCH `…/dataConnectors/{id}`: any of displayName, fileFormat, `sourceSystem@odata.bind`. */
export function parseConnectorPatch(body: unknown): Partial<ConnectorFields> {
  const json = object(body);
  connectorType(json, false);
  const fields = connectorFields(json);
  if (Object.keys(fields).length === 0) {
    throw badRequest(`The request body sets nothing; properties that can be updated: 'displayName', 'fileFormat', 'sourceSystem@odata.bind'.`);
  }
  return fields;
}

function dateTime(value: unknown, property: string): string {
  if (typeof value !== 'string' || !isDateTimeOffset(value)) {
    throw badRequest(`Invalid value for property '${property}': expected a DateTimeOffset such as '2024-09-01T00:00:00Z'.`, property);
  }
  return value;
}

/** POST `…/inboundFlows`: an inboundFileFlow bound to a data connector. */
export function parseInboundFlowCreate(body: unknown): InboundFlowFields {
  const json = object(body);
  const type = odataType(json);
  if (type === undefined) throw badRequest(`The request body must contain '@odata.type': '#${TYPES.inboundFileFlow}'.`, '@odata.type');
  if (type !== TYPES.inboundFileFlow) {
    throw badRequest(`Inbound flows of type '#${type}' are not supported by this service; use '#${TYPES.inboundFileFlow}'.`, '@odata.type');
  }
  const what = 'an inbound flow';
  for (const property of ['displayName', 'dataDomain', 'effectiveDateTime', 'dataConnector@odata.bind']) required(json, property, what);
  const fields: Partial<InboundFlowFields> = { expirationDateTime: null, yearId: null };
  readProperties(
    json,
    TYPES.inboundFileFlow,
    {
      displayName: (value, key) => (fields.displayName = name(value, key)!),
      dataDomain: (value, key) => {
        if (value !== DATA_DOMAINS[0]) throw badRequest(`Invalid value for property 'dataDomain': only '${DATA_DOMAINS[0]}' is supported.`, key);
        fields.dataDomain = value;
      },
      effectiveDateTime: (value, key) => (fields.effectiveDateTime = dateTime(value, key)),
      expirationDateTime: (value, key) => (fields.expirationDateTime = value === null ? null : dateTime(value, key)),
      'dataConnector@odata.bind': (value, key) => (fields.connectorId = bindTarget(value, key, 'dataConnectors')),
      'year@odata.bind': (value, key) => (fields.yearId = bindTarget(value, key, 'years')),
    },
    { readOnly: ['id', 'readinessStatus'], navigation: ['dataConnector', 'year'] },
  );
  if (fields.expirationDateTime && Date.parse(fields.expirationDateTime) <= Date.parse(fields.effectiveDateTime!)) {
    throw badRequest(`'expirationDateTime' must be after 'effectiveDateTime'.`, 'expirationDateTime');
  }
  return fields as InboundFlowFields;
}

/** Actions and functions without parameters (validate): no body, or `{}`. */
export function requireNoParameters(body: unknown, action: string): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw badRequest(`The action '${action}' takes no parameters; send no request body.`);
}
