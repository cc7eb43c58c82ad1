// Request bodies read against the model, strictly: every unknown, read-only or navigation
// property, wrong type, missing required property, value out of the service's rules or malformed
// `@odata.bind` is a 400 whose `target` names the property (`userMatchingSettings[0].matchTarget.code`).
import type { Row } from '../../db/db.js';
import { badRequest } from '../../errors.js';
import { isDateTimeOffset } from '../odata/filter.js';
import type { EntityCollection, Values } from './collection.js';
import { formatDuration, parseDuration } from './duration.js';
import type { ComplexType, EntityType, Property, StructuredType } from './edm.js';
import { allNavigations, allProperties, concreteComplexTypes, qualifiedName } from './edm.js';
import { concreteType } from './json.js';
import { typesOf } from './spec.js';

type Json = Record<string, unknown>;

const DAY_MS = 86_400_000;
const INT32 = { min: -2147483648, max: 2147483647 };

/** What a value is called in messages: a property of an entity, or a parameter of an action. */
type Noun = 'property' | 'parameter';

export function object(body: unknown): Json {
  if (body === undefined || body === null) throw badRequest('A request body is required: a JSON object.');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
  return body as Json;
}

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ');
const article = (what: string) => `${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}`;
const capitalized = (what: string) => what[0]!.toUpperCase() + what.slice(1);

const doesNotExist = (target: string, type: StructuredType) =>
  badRequest(`The property '${target}' does not exist on type '${qualifiedName(type)}'. Only properties the type defines can be set.`, target);

/** `@odata.type` without its leading `#`; undefined when absent. */
function odataType(json: Json, target: string): string | undefined {
  const value = json['@odata.type'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`Invalid value for '@odata.type': expected a string such as '#microsoft.graph.…'.`, target);
  return value.replace(/^#/, '');
}

/** PostgreSQL text cannot hold U+0000: refused here as a 400 rather than failing the write. */
function withoutNul(value: string, target: string): string {
  if (value.includes('\u0000')) throw badRequest(`Invalid value for '${target}': the character U+0000 is not allowed.`, target);
  return value;
}

/**
 * The key of the entity `value` binds (`<nav>@odata.bind`): an absolute or relative URL of the
 * collection at `path`, the key as `('id')`, `(id)` or `/id`.
 */
export function bindTarget(value: unknown, target: string, path: string): string {
  const example = `'https://graph.microsoft.com/beta/${path}('{id}')'`;
  const invalid = () => badRequest(`Invalid value for '${target}': expected the URL of an entity of ${path}, such as ${example}.`, target);
  if (typeof value !== 'string' || value.trim() === '') throw invalid();
  let rest: string;
  try {
    rest = decodeURIComponent(value.trim());
  } catch {
    throw invalid();
  }
  const absolute = /^https?:\/\/[^/?#]+(\/[^?#]*)?$/i.exec(rest);
  if (absolute) rest = absolute[1] ?? '';
  rest = rest.replace(/^\/+/, '').replace(/^(beta|v1\.0)\//i, '');
  if (rest.slice(0, path.length).toLowerCase() !== path.toLowerCase()) throw invalid();
  const keyPart = rest.slice(path.length);
  const m = /^\('((?:[^']|'')+)'\)$/.exec(keyPart) ?? /^\(([^()'/]+)\)$/.exec(keyPart) ?? /^\/([^/()']+)$/.exec(keyPart);
  if (!m) throw invalid();
  return withoutNul(m[1]!.replace(/''/g, "'").trim(), target);
}

/** One value of `property`'s type (not null), checked against the service's rules. */
function readValue(property: Property, value: unknown, target: string, noun: Noun): unknown {
  const invalid = (expected: string) => badRequest(`Invalid value for ${noun} '${target}': ${expected}.`, target);
  const type = property.type;
  if (typeof type === 'object' && type.kind === 'complex') return readComplex(type, value, target);
  if (typeof type === 'object' && type.kind === 'enum') {
    if (typeof value !== 'string') throw invalid(`expected a member of '${qualifiedName(type)}'`);
    return accepted(property, value, target, noun) ?? (type.members.some((m) => m.name === value) ? value : invalidMember(value, type.members.map((m) => m.name), target, noun));
  }
  switch (type) {
    case 'Edm.String':
    case 'Edm.Guid': {
      if (typeof value !== 'string') throw invalid('expected a string');
      if (value.trim() === '') throw badRequest(`${capitalized(noun)} '${target}' cannot be empty.`, target);
      if (property.maxLength !== undefined && value.length > property.maxLength) {
        throw badRequest(`${capitalized(noun)} '${target}' is longer than ${property.maxLength} characters.`, target);
      }
      return accepted(property, value, target, noun) ?? withoutNul(value, target);
    }
    case 'Edm.Int32':
    case 'Edm.Int64': {
      const min = property.min ?? INT32.min;
      const max = property.max ?? INT32.max;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw invalid(`expected a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
      }
      return value;
    }
    case 'Edm.Double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid('expected a number');
      return value;
    case 'Edm.Boolean':
      if (typeof value === 'boolean') return value;
      if (property.acceptsString && (value === 'true' || value === 'false')) return value === 'true';
      throw invalid('expected true or false');
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || !isDateTimeOffset(value)) throw invalid(`expected a DateTimeOffset such as '2024-09-01T00:00:00Z'`);
      return value;
    case 'Edm.Date':
      if (typeof value !== 'string' || !isDate(value)) throw invalid(`expected a Date such as '2024-09-01'`);
      return value;
    case 'Edm.Duration':
      return readDuration(property, value, target, noun);
  }
}

/** `YYYY-MM-DD`, a day that exists. */
function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function accepted(property: Property, value: string, target: string, noun: Noun): string | undefined {
  if (!property.accepted) return undefined;
  if (property.accepted.includes(value)) return value;
  return invalidMember(value, property.accepted, target, noun);
}

function invalidMember(value: string, members: readonly string[], target: string, noun: Noun): never {
  if (members.length === 1) throw badRequest(`Invalid value for ${noun} '${target}': only '${members[0]}' is supported; got '${value}'.`, target);
  throw badRequest(`Invalid value for ${noun} '${target}': '${value}' is not one of ${quoted(members)}.`, target);
}

/** Milliseconds. */
function readDuration(property: Property, value: unknown, target: string, noun: Noun): number {
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    throw badRequest(
      `Invalid value for ${noun} '${target}': expected an ISO 8601 duration in days, hours, minutes and seconds such as 'P30D' or 'PT1H'; got ${JSON.stringify(value)}.`,
      target,
    );
  }
  const min = property.min ?? 0;
  const range = property.max === undefined ? `of at least ${formatDuration(min)}` : `from ${formatDuration(min)} to ${formatDuration(property.max)}`;
  if (property.wholeDays && ms % DAY_MS !== 0) {
    throw badRequest(`Invalid value for ${noun} '${target}': expected a whole number of days ${range}; got '${value as string}'.`, target);
  }
  if (ms < min || (property.max !== undefined && ms > property.max)) {
    throw badRequest(`Invalid value for ${noun} '${target}': expected a duration ${range}; got '${value as string}'.`, target);
  }
  return ms;
}

/** A property's value: null where allowed, a collection item by item, else one value. */
function readProperty(property: Property, value: unknown, target: string, noun: Noun): unknown {
  if (value === null) {
    if (property.nullable === false || property.required || property.refuseNull) throw badRequest(`${capitalized(noun)} '${target}' cannot be null.`, target);
    return null;
  }
  if (!property.collection) return readValue(property, value, target, noun);
  if (!Array.isArray(value)) throw badRequest(`Invalid value for ${noun} '${target}': expected an array.`, target);
  if (property.maxItems !== undefined && value.length > property.maxItems) {
    throw badRequest(`'${target}' holds more than ${property.maxItems} items.`, target);
  }
  return value.map((item, i) => readValue({ ...property, collection: false }, item, `${target}[${i}]`, noun));
}

/** The type of a complex value by its `@odata.type`: the declared type or a concrete one derived from it. */
function complexTypeOf(declared: ComplexType, json: Json, target: string): ComplexType {
  const given = odataType(json, target);
  if (given === qualifiedName(declared) && !declared.abstract) return declared;
  const concrete = concreteComplexTypes(declared);
  if (given === undefined) {
    if (!declared.abstract) return declared;
    if (concrete.length === 1) return concrete[0]!;
    throw badRequest(`'${target}' must carry '@odata.type': ${quoted(concrete.map((t) => `#${qualifiedName(t)}`))}.`, target);
  }
  const match = concrete.find((t) => qualifiedName(t) === given);
  if (match) return match;
  throw badRequest(`'@odata.type' is '#${given}', but '${target}' is of type '#${qualifiedName(declared)}'.`, target);
}

/**
 * The members of `json` under the names `type` declares: Graph matches property names
 * case-insensitively (its own examples send `createBasedOnOrgPlusroleGroup`); an exact name wins,
 * and one name given twice in two spellings is a 400.
 */
function canonicalNames(type: StructuredType, json: Json, prefix: string): Json {
  const declared = [...Object.keys(allProperties(type)), ...Object.keys(allNavigations(type)).map((n) => `${n}@odata.bind`)];
  let renamed: Json | undefined;
  for (const key of Object.keys(json)) {
    if (declared.includes(key)) continue;
    const name = declared.find((d) => d.toLowerCase() === key.toLowerCase());
    if (name === undefined) continue;
    renamed ??= { ...json };
    if (Object.hasOwn(renamed, name)) throw badRequest(`'${prefix}${name}' is given twice, as '${name}' and '${key}'.`, prefix + name);
    renamed[name] = renamed[key];
    delete renamed[key];
  }
  return renamed ?? json;
}

function readComplex(declared: ComplexType, value: unknown, target: string): Values {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`Invalid value for '${target}': expected an object.`, target);
  const type = complexTypeOf(declared, value as Json, target);
  const json = canonicalNames(type, value as Json, `${target}.`);
  const values = readMembers(type, json, { prefix: `${target}.`, method: 'create' });
  // A derived type is the caller's to know (`#…simplePasswordSettings`).
  if (type !== declared) values['@odata.type'] = qualifiedName(type);
  for (const [name, property] of Object.entries(allProperties(type))) {
    if (!property.required || (json[name] !== undefined && json[name] !== null)) continue;
    const bind = property.unlessBound === undefined ? undefined : `${property.unlessBound}@odata.bind`;
    if (bind === undefined) throw badRequest(`The property '${target}.${name}' is required.`, `${target}.${name}`);
    if (json[bind] === undefined) throw badRequest(`'${target}' needs '${name}' or '${bind}'.`, `${target}.${name}`);
  }
  return values;
}

interface MemberContext {
  /** Before each name in errors: `userMatchingSettings[0].` in nested objects. */
  prefix: string;
  method: 'create' | 'update';
}

/** Every member of an object of `type`, each checked; `@odata.type` is the caller's to check. */
function readMembers(type: StructuredType, json: Json, ctx: MemberContext): Values {
  const properties = allProperties(type);
  const navigations = allNavigations(type);
  const values: Values = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@odata.type') continue;
    const target = ctx.prefix + key;
    const bound = key.endsWith('@odata.bind') ? key.slice(0, -'@odata.bind'.length) : undefined;
    const navigation = bound === undefined ? undefined : Object.hasOwn(navigations, bound) ? navigations[bound] : undefined;
    if (bound !== undefined && navigation?.bindable !== undefined) {
      values[bound] = bindTarget(value, target, navigation.bindable);
      continue;
    }
    if (Object.hasOwn(navigations, key)) throw badRequest(`'${target}' is a navigation property; bind it with '${key}@odata.bind'.`, target);
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!property) throw doesNotExist(target, type);
    if (property.readOnly) throw badRequest(`The property '${target}' is read-only and cannot be set.`, target);
    values[key] = readProperty(property, value, target, 'property');
  }
  return values;
}

/** The names a body may set on `type`: its writable properties and bindable navigations. */
function settable(type: StructuredType): string[] {
  const properties = Object.entries(allProperties(type)).filter(([, p]) => !p.readOnly).map(([n]) => n);
  const binds = Object.entries(allNavigations(type)).filter(([, n]) => n.bindable !== undefined).map(([n]) => `${n}@odata.bind`);
  return [...properties, ...binds];
}

/** The members a create body must carry: required properties and bindings. */
const requiredMembers = (type: StructuredType): string[] => [
  ...Object.entries(allProperties(type)).filter(([, p]) => p.required).map(([n]) => n),
  ...Object.entries(allNavigations(type)).filter(([, n]) => n.required).map(([n]) => `${n}@odata.bind`),
];

/** The type a create body names (or the collection's only creatable type). */
function createType(collection: EntityCollection, json: Json): EntityType {
  const creatable = typesOf(collection).filter((t) => !t.abstract);
  const expected = quoted(creatable.map((t) => `#${qualifiedName(t)}`));
  const given = odataType(json, '@odata.type');
  if (given === undefined) {
    if (collection.bodyType?.create === 'required' || creatable.length !== 1) {
      throw badRequest(`The request body must contain '@odata.type': ${expected} (the ${collection.what}'s type).`, '@odata.type');
    }
    return creatable[0]!;
  }
  const match = creatable.find((t) => qualifiedName(t) === given);
  if (match) return match;
  if (collection.unsupportedTypes?.includes(given)) {
    throw badRequest(`${capitalized(collection.what)}s of type '#${given}' are not supported by this service; use ${expected}.`, '@odata.type');
  }
  throw badRequest(`'@odata.type' is '#${given}', which is not ${article(collection.what)} type; use ${expected}.`, '@odata.type');
}

/** An update body's type: the row's own. */
function updateType(collection: EntityCollection, json: Json, row: Row): EntityType {
  const type = concreteType(collection, row);
  const given = odataType(json, '@odata.type');
  const own = `#${qualifiedName(type)}`;
  if (given === undefined) {
    if (collection.bodyType?.update === 'required') {
      throw badRequest(`The request body must contain '@odata.type' with the ${collection.what}'s type, '${own}'.`, '@odata.type');
    }
    return type;
  }
  // The entity's own type, or the collection's declared one unless the collection asks for the exact type.
  if (given === qualifiedName(type) || (given === qualifiedName(collection.type) && collection.bodyType?.update !== 'required')) return type;
  throw badRequest(`'@odata.type' is '#${given}', but ${collection.what} '${String(row.id)}' is of type '${own}'.`, '@odata.type');
}

/** POST to a collection: the values of the new entity, every one checked. */
export function readCreate(collection: EntityCollection, body: unknown): { type: EntityType; values: Values } {
  const given = object(body);
  const type = createType(collection, given);
  const json = canonicalNames(type, given, '');
  for (const key of requiredMembers(type)) {
    if (json[key] === undefined || json[key] === null) throw badRequest(`The property '${key}' is required to create ${article(collection.what)}.`, key);
  }
  const values = readMembers(type, json, { prefix: '', method: 'create' });
  collection.validate?.(values, 'create');
  return { type, values };
}

/** PATCH of an entity: the values it changes; a body that changes nothing is a 400. */
export function readUpdate(collection: EntityCollection, body: unknown, row: Row): Values {
  const given = object(body);
  const type = updateType(collection, given, row);
  const json = canonicalNames(type, given, '');
  const values = readMembers(type, json, { prefix: '', method: 'update' });
  if (Object.keys(values).length === 0) throw badRequest(`The request body sets nothing; properties that can be updated: ${quoted(settable(type))}.`);
  collection.validate?.(values, 'update', row);
  return values;
}

/** The parameters of an action: each declared one checked, required ones present, no others. */
export function readParameters(action: string, parameters: Readonly<Record<string, Property>>, body: unknown): Values {
  if (Object.keys(parameters).length === 0) {
    if (body === undefined || body === null) return {};
    if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return {};
    throw badRequest(`The action '${action}' takes no parameters; send no request body.`);
  }
  const json = object(body);
  for (const name of Object.keys(json)) if (!Object.hasOwn(parameters, name)) throw badRequest(`The action '${action}' has no parameter '${name}'.`, name);
  const values: Values = {};
  for (const [name, parameter] of Object.entries(parameters)) {
    const value = json[name];
    if (value === undefined || value === null) {
      if (parameter.required) throw badRequest(`The parameter '${name}' is required and cannot be null.`, name);
      continue;
    }
    values[name] = readProperty(parameter, value, name, 'parameter');
  }
  return values;
}
