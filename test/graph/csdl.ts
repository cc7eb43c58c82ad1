// Reads OData CSDL XML (a `$metadata` document) into a normalized description, and compares a
// served document against Graph's official one. The XML is parsed by OASIS's own CSDL XML → CSDL
// JSON converter (npm `odata-csdl`, the OData TC's reference tool), in strict mode: a document it
// accepts is well-formed CSDL as the TC reads it (right edm/edmx namespaces, known elements and
// attributes, no two schema children or properties of one name). This file only reshapes that
// JSON: aliases resolved, `$Collection` folded back into `Collection(...)`, JSON CSDL defaults
// made explicit.
//
// The converter does not resolve references (a `graph.user` nobody declares is fine to it), does
// not need an EntityContainer, and rewrites every qualified name into the shortest form it knows
// (`microsoft.graph.x` becomes `graph.x` when the schema has Alias="graph"); `qualify` undoes that.
import { createRequire } from 'node:module';

type CsdlJsonValue = string | number | boolean | null | CsdlJsonValue[] | CsdlJsonObject;
interface CsdlJsonObject {
  [key: string]: CsdlJsonValue | undefined;
}
interface ConverterOptions {
  strict?: boolean;
  lineNumbers?: boolean;
  annotations?: boolean;
  messages?: unknown[];
}

// odata-csdl is CommonJS and ships no types: its one export, typed here.
const { xml2json } = createRequire(import.meta.url)('odata-csdl') as {
  xml2json(xml: string, options?: ConverterOptions): CsdlJsonObject;
};

export type TypeKind = 'entity' | 'complex' | 'enum';

export interface CsdlProperty {
  /** Qualified: `Edm.String`, `microsoft.graph.publicError`, `Collection(Edm.String)`. */
  type: string;
  /**
   * As JSON CSDL reads it: true only where the XML says so or, for a single value, says nothing.
   * A collection without a Nullable attribute reads false (the XML leaves it unspecified).
   */
  nullable: boolean;
}

export interface CsdlNavigation {
  /** Qualified target type, `Collection(...)` for a collection. */
  type: string;
  nullable: boolean;
  containsTarget: boolean;
}

export interface CsdlType {
  /** Qualified: namespace + name. */
  name: string;
  kind: TypeKind;
  /** Qualified, when declared. */
  baseType?: string;
  abstract: boolean;
  openType: boolean;
  /** The key declared on this type itself (not inherited), entity types only. */
  key?: string[];
  properties: Record<string, CsdlProperty>;
  navigations: Record<string, CsdlNavigation>;
  /** Enum types: member → value (values are filled in 0, 1, … when the XML gives none). */
  members: Record<string, number | string>;
}

export interface CsdlContainerChild {
  name: string;
  /** Qualified entity type (an entity set's element type, without `Collection`). */
  type: string;
  /** Navigation property path → target, as written (targets are not resolved). */
  bindings: Record<string, string>;
}

export interface CsdlContainer {
  /** Qualified. */
  name: string;
  entitySets: Record<string, CsdlContainerChild>;
  singletons: Record<string, CsdlContainerChild>;
  /** Import name → qualified action or function name. */
  actionImports: Record<string, string>;
  functionImports: Record<string, string>;
}

export interface CsdlParameter {
  name: string;
  type: string;
  nullable: boolean;
}

export interface CsdlOperation {
  kind: 'action' | 'function';
  /** Qualified. Overloads share a name; bound ones differ by `bindingType`. */
  name: string;
  bound: boolean;
  /** The first parameter's type when bound (qualified, `Collection(...)` kept). */
  bindingType?: string;
  /** Every parameter but the binding one. */
  parameters: CsdlParameter[];
  returnType?: { type: string; nullable: boolean };
}

export interface CsdlDocument {
  version: string;
  /** Alias → namespace, from the schemas and the references' includes. */
  aliases: Record<string, string>;
  namespaces: string[];
  types: Record<string, CsdlType>;
  container?: CsdlContainer;
  operations: CsdlOperation[];
}

const isObject = (value: CsdlJsonValue | undefined): value is CsdlJsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Keys of a JSON CSDL object that name members, not `$Kind`-like fields or `@Term` annotations. */
const memberKeys = (object: CsdlJsonObject) => Object.keys(object).filter((key) => !key.startsWith('$') && !key.includes('@'));
const str = (value: CsdlJsonValue | undefined) => (typeof value === 'string' ? value : undefined);

/** Parses CSDL XML; throws with the converter's message (and line) on anything it rejects. */
export function parseCsdl(xml: string): CsdlDocument {
  const json = xml2json(xml, { strict: true });
  const version = str(json.$Version) ?? '';

  const aliases: Record<string, string> = {};
  const namespaces: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (key.startsWith('$') || !isObject(value)) continue;
    namespaces.push(key);
    const alias = str(value.$Alias);
    if (alias) aliases[alias] = key;
  }
  if (isObject(json.$Reference)) {
    for (const reference of Object.values(json.$Reference)) {
      if (!isObject(reference) || !Array.isArray(reference.$Include)) continue;
      for (const include of reference.$Include) {
        if (!isObject(include)) continue;
        const namespace = str(include.$Namespace);
        const alias = str(include.$Alias);
        if (namespace && alias) aliases[alias] = namespace;
      }
    }
  }

  /** `graph.x` → `microsoft.graph.x`; `Edm.*` and unknown prefixes stay as written. */
  const qualify = (name: string) => {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    return `${aliases[prefix] ?? prefix}${name.slice(dot)}`;
  };
  /** A JSON CSDL `$Type` (absent: Edm.String) with its `$Collection`. */
  const typeOf = (object: CsdlJsonObject) => {
    const type = qualify(str(object.$Type) ?? 'Edm.String');
    return object.$Collection === true ? `Collection(${type})` : type;
  };

  const types: Record<string, CsdlType> = {};
  const operations: CsdlOperation[] = [];
  let container: CsdlContainer | undefined;

  for (const namespace of namespaces) {
    const schema = json[namespace] as CsdlJsonObject;
    for (const name of memberKeys(schema)) {
      const element = schema[name];
      const qualified = `${namespace}.${name}`;
      if (Array.isArray(element)) {
        for (const overload of element) if (isObject(overload)) operations.push(readOperation(qualified, overload, typeOf));
        continue;
      }
      if (!isObject(element)) continue;
      switch (element.$Kind) {
        case 'EntityType':
        case 'ComplexType':
          types[qualified] = readStructured(qualified, element, element.$Kind === 'EntityType' ? 'entity' : 'complex', qualify, typeOf);
          break;
        case 'EnumType': {
          const members: Record<string, number | string> = {};
          for (const member of memberKeys(element)) {
            const value = element[member];
            if (typeof value === 'number' || typeof value === 'string') members[member] = value;
          }
          types[qualified] = { name: qualified, kind: 'enum', abstract: false, openType: false, properties: {}, navigations: {}, members };
          break;
        }
        case 'EntityContainer':
          container = readContainer(qualified, element, qualify);
          break;
        default: // TypeDefinition, Term: not part of this description
          break;
      }
    }
  }

  return { version, aliases, namespaces, types, ...(container ? { container } : {}), operations };
}

function readStructured(
  name: string,
  element: CsdlJsonObject,
  kind: 'entity' | 'complex',
  qualify: (name: string) => string,
  typeOf: (object: CsdlJsonObject) => string,
): CsdlType {
  const type: CsdlType = {
    name,
    kind,
    abstract: element.$Abstract === true,
    openType: element.$OpenType === true,
    properties: {},
    navigations: {},
    members: {},
  };
  const baseType = str(element.$BaseType);
  if (baseType) type.baseType = qualify(baseType);
  if (Array.isArray(element.$Key)) {
    // A key part is a property name, or { alias: path } for a key in a complex property.
    type.key = element.$Key.map((part) => (typeof part === 'string' ? part : isObject(part) ? String(Object.values(part)[0]) : String(part)));
  }
  for (const member of memberKeys(element)) {
    const value = element[member];
    if (!isObject(value)) continue;
    if (value.$Kind === 'NavigationProperty') {
      type.navigations[member] = { type: typeOf(value), nullable: value.$Nullable === true, containsTarget: value.$ContainsTarget === true };
    } else {
      type.properties[member] = { type: typeOf(value), nullable: value.$Nullable === true };
    }
  }
  return type;
}

function readOperation(name: string, overload: CsdlJsonObject, typeOf: (object: CsdlJsonObject) => string): CsdlOperation {
  const bound = overload.$IsBound === true;
  const all = (Array.isArray(overload.$Parameter) ? overload.$Parameter : []).filter(isObject).map(
    (parameter): CsdlParameter => ({ name: str(parameter.$Name) ?? '', type: typeOf(parameter), nullable: parameter.$Nullable === true }),
  );
  const operation: CsdlOperation = {
    kind: overload.$Kind === 'Function' ? 'function' : 'action',
    name,
    bound,
    parameters: bound ? all.slice(1) : all,
  };
  if (bound && all[0]) operation.bindingType = all[0].type;
  if (isObject(overload.$ReturnType)) operation.returnType = { type: typeOf(overload.$ReturnType), nullable: overload.$ReturnType.$Nullable === true };
  return operation;
}

function readContainer(name: string, element: CsdlJsonObject, qualify: (name: string) => string): CsdlContainer {
  const container: CsdlContainer = { name, entitySets: {}, singletons: {}, actionImports: {}, functionImports: {} };
  for (const member of memberKeys(element)) {
    const child = element[member];
    if (!isObject(child)) continue;
    const action = str(child.$Action);
    const func = str(child.$Function);
    if (action) container.actionImports[member] = qualify(action);
    else if (func) container.functionImports[member] = qualify(func);
    else {
      // An entity set is `$Collection: true`; a singleton has no `$Collection`.
      const bindings: Record<string, string> = {};
      if (isObject(child.$NavigationPropertyBinding)) {
        for (const [path, target] of Object.entries(child.$NavigationPropertyBinding)) if (typeof target === 'string') bindings[path] = target;
      }
      const entry = { name: member, type: qualify(str(child.$Type) ?? ''), bindings };
      (child.$Collection === true ? container.entitySets : container.singletons)[member] = entry;
    }
  }
  return container;
}

export interface Comparison {
  /** One human-readable line per difference from the official document. */
  mismatches: string[];
  /** Served types the official document does not declare (qualified names), so nothing was checked. */
  notChecked: string[];
  /** Served operations with no official operation of that name and binding type, as `name(bindingType)`. */
  operationsNotChecked: string[];
}

export interface CompareOptions {
  /** Also require a served property's or navigation's nullability to equal the official one. */
  nullable?: boolean;
}

type OfficialMember = { owner: string; property?: CsdlProperty; navigation?: CsdlNavigation };

/**
 * Checks every type the served document declares that the official one also declares:
 * same kind, base type and abstractness; every served property and navigation exists on the
 * official type or one of its official base types, as the same kind of member with the same type
 * (a navigation also with the same ContainsTarget); every served enum member is an official one
 * with the same value. Served bound operations whose name and binding type the official document
 * also has must take the same parameters and return the same type. Anything the official
 * document lacks is listed as not checked.
 */
export function compareToOfficial(served: CsdlDocument, official: CsdlDocument, options: CompareOptions = {}): Comparison {
  const mismatches: string[] = [];
  const notChecked: string[] = [];
  const operationsNotChecked: string[] = [];

  /** The member as the official type or the nearest of its official base types declares it. */
  const officialMember = (typeName: string, member: string): OfficialMember | undefined => {
    const seen = new Set<string>();
    for (let type = official.types[typeName]; type && !seen.has(type.name); type = type.baseType ? official.types[type.baseType] : undefined) {
      seen.add(type.name);
      const property = type.properties[member];
      if (property) return { owner: type.name, property };
      const navigation = type.navigations[member];
      if (navigation) return { owner: type.name, navigation };
    }
    return undefined;
  };

  for (const type of Object.values(served.types).sort((a, b) => a.name.localeCompare(b.name))) {
    const reference = official.types[type.name];
    if (!reference) {
      notChecked.push(type.name);
      continue;
    }
    const at = type.name;
    if (type.kind !== reference.kind) {
      mismatches.push(`${at}: served as ${type.kind} type, official ${reference.kind} type`);
      continue;
    }
    if (type.baseType !== reference.baseType) {
      mismatches.push(`${at}: base type ${type.baseType ?? '(none)'}, official ${reference.baseType ?? '(none)'}`);
    }
    if (type.abstract !== reference.abstract) {
      mismatches.push(`${at}: ${type.abstract ? 'abstract' : 'not abstract'}, official ${reference.abstract ? 'abstract' : 'not abstract'}`);
    }
    for (const [name, property] of Object.entries(type.properties)) {
      const found = officialMember(type.name, name);
      if (!found) mismatches.push(`${at}/${name}: no such property on official ${type.name} or its base types`);
      else if (!found.property) mismatches.push(`${at}/${name}: served as a property, official ${found.owner}/${name} is a navigation property`);
      else {
        if (property.type !== found.property.type) mismatches.push(`${at}/${name}: type ${property.type}, official ${found.owner}/${name} is ${found.property.type}`);
        if (options.nullable && property.nullable !== found.property.nullable) {
          mismatches.push(`${at}/${name}: nullable ${property.nullable}, official ${found.owner}/${name} nullable ${found.property.nullable}`);
        }
      }
    }
    for (const [name, navigation] of Object.entries(type.navigations)) {
      const found = officialMember(type.name, name);
      if (!found) mismatches.push(`${at}/${name}: no such navigation property on official ${type.name} or its base types`);
      else if (!found.navigation) mismatches.push(`${at}/${name}: served as a navigation property, official ${found.owner}/${name} is a property`);
      else {
        if (navigation.type !== found.navigation.type) mismatches.push(`${at}/${name}: type ${navigation.type}, official ${found.owner}/${name} is ${found.navigation.type}`);
        if (navigation.containsTarget !== found.navigation.containsTarget) {
          mismatches.push(`${at}/${name}: ContainsTarget ${navigation.containsTarget}, official ${found.navigation.containsTarget}`);
        }
        if (options.nullable && navigation.nullable !== found.navigation.nullable) {
          mismatches.push(`${at}/${name}: nullable ${navigation.nullable}, official ${found.owner}/${name} nullable ${found.navigation.nullable}`);
        }
      }
    }
    for (const [name, value] of Object.entries(type.members)) {
      if (!Object.hasOwn(reference.members, name)) mismatches.push(`${at}: member ${name} is not an official member (${Object.keys(reference.members).join(', ')})`);
      else if (String(reference.members[name]) !== String(value)) mismatches.push(`${at}: member ${name} = ${value}, official ${reference.members[name]}`);
    }
  }

  for (const operation of served.operations) {
    const signature = `${operation.name}(${operation.bindingType ?? ''})`;
    const reference = official.operations.find(
      (candidate) => candidate.name === operation.name && candidate.bound === operation.bound && candidate.bindingType === operation.bindingType,
    );
    if (!reference) {
      operationsNotChecked.push(signature);
      continue;
    }
    if (operation.kind !== reference.kind) mismatches.push(`${signature}: served as ${operation.kind}, official ${reference.kind}`);
    const describe = (parameters: CsdlParameter[]) => parameters.map((p) => `${p.name}: ${p.type}`).join(', ') || '(none)';
    if (describe(operation.parameters) !== describe(reference.parameters)) {
      mismatches.push(`${signature}: parameters ${describe(operation.parameters)}, official ${describe(reference.parameters)}`);
    }
    if (operation.returnType?.type !== reference.returnType?.type) {
      mismatches.push(`${signature}: returns ${operation.returnType?.type ?? 'nothing'}, official ${reference.returnType?.type ?? 'nothing'}`);
    }
  }

  return { mismatches, notChecked, operationsNotChecked };
}

/**
 * Qualified names the document uses but does not declare (base types, property, navigation,
 * parameter and return types, entity set and singleton types), each with where it is used.
 * `Edm.*` is always declared. A `$metadata` document is meant to be reference-closed.
 */
export function danglingReferences(doc: CsdlDocument): string[] {
  const dangling: string[] = [];
  const check = (type: string | undefined, where: string) => {
    if (!type) return;
    const element = /^Collection\((.*)\)$/.exec(type)?.[1] ?? type;
    if (element.startsWith('Edm.') || doc.types[element]) return;
    dangling.push(`${element} (${where})`);
  };
  for (const type of Object.values(doc.types)) {
    check(type.baseType, `base type of ${type.name}`);
    for (const [name, property] of Object.entries(type.properties)) check(property.type, `${type.name}/${name}`);
    for (const [name, navigation] of Object.entries(type.navigations)) check(navigation.type, `${type.name}/${name}`);
  }
  for (const operation of doc.operations) {
    const signature = `${operation.name}(${operation.bindingType ?? ''})`;
    check(operation.bindingType, `binding parameter of ${signature}`);
    for (const parameter of operation.parameters) check(parameter.type, `parameter ${parameter.name} of ${signature}`);
    check(operation.returnType?.type, `return type of ${signature}`);
  }
  if (doc.container) {
    for (const child of [...Object.values(doc.container.entitySets), ...Object.values(doc.container.singletons)]) {
      check(child.type, `${doc.container.name}/${child.name}`);
    }
  }
  return dangling;
}
