// The Graph types a family serves, declared once as data: entity, complex and enum types with
// their properties (Edm types), keys, navigation properties and base types, under the official
// names. graph/ derives everything else from these declarations: query options, body
// validation, JSON and $metadata. What the service adds beyond the schema (which properties a
// client may set, value ranges) is declared beside the schema facts, on the same property.

export type Primitive = 'Edm.String' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Boolean' | 'Edm.DateTimeOffset' | 'Edm.Date' | 'Edm.Duration' | 'Edm.Guid' | 'Edm.Double';

interface Named {
  namespace: string;
  name: string;
}

export interface EnumType extends Named {
  kind: 'enum';
  /** Members with their values, in declaration order (OData compares enums by value). */
  members: readonly { name: string; value: number }[];
}

/** Rules the service applies to a value a client sends (the schema says nothing of them). */
export interface ValueRules {
  /** Strings: at most this many characters; and never empty. */
  maxLength?: number;
  /** Int32: inclusive range. Duration: inclusive range in milliseconds. */
  min?: number;
  max?: number;
  /** Duration: whole days only. */
  wholeDays?: boolean;
  /** Enum or String: the only values accepted on write (the others are the schema's, not served). */
  accepted?: readonly string[];
  /** Collections: at most this many items. */
  maxItems?: number;
  /** A body may not set it to null (whatever the schema's nullability, which `nullable` states). */
  refuseNull?: boolean;
  /** Boolean: also the strings "true" and "false" (one of Graph's own doc examples sends them). */
  acceptsString?: boolean;
}

export interface Property extends ValueRules {
  type: Primitive | EnumType | ComplexType;
  collection?: boolean;
  /** Edm's default is nullable. */
  nullable?: boolean;
  /** Written by the service only: a body setting it is refused. */
  readOnly?: boolean;
  /** Must be given (non-null) on create. */
  required?: boolean;
  /** Required, unless the navigation of this name is bound instead (`referenceValue`: `code` or `value@odata.bind`). */
  unlessBound?: string;
}

export interface Navigation {
  /** Lazy: types refer to each other. */
  type: () => EntityType;
  collection?: boolean;
  containsTarget?: boolean;
  /** A client may set it with `<name>@odata.bind`: the path of the collection its targets live in. */
  bindable?: string;
  /** Must be bound on create. */
  required?: boolean;
}

export interface StructuredType extends Named {
  baseType?: StructuredType;
  abstract?: boolean;
  /** Own properties (not the base type's), in the order the service writes them. */
  properties: Readonly<Record<string, Property>>;
  navigations: Readonly<Record<string, Navigation>>;
}

export interface ComplexType extends StructuredType {
  kind: 'complex';
  baseType?: ComplexType;
}

export interface EntityType extends StructuredType {
  kind: 'entity';
  baseType?: EntityType;
}

export type NamedType = EnumType | ComplexType | EntityType;

export const qualifiedName = (type: Named) => `${type.namespace}.${type.name}`;

export const GRAPH = 'microsoft.graph';

interface StructuredOptions<T> {
  baseType?: T;
  abstract?: boolean;
  properties?: Record<string, Property>;
  navigations?: Record<string, Navigation>;
}

export function entityType(namespace: string, name: string, options: StructuredOptions<EntityType> = {}): EntityType {
  return { kind: 'entity', namespace, name, properties: {}, navigations: {}, ...options };
}

/** Every complex type declared, by qualified name: a body names a derived one with `@odata.type`. */
const complexTypes = new Map<string, ComplexType>();

export function complexType(namespace: string, name: string, options: StructuredOptions<ComplexType> = {}): ComplexType {
  const type: ComplexType = { kind: 'complex', namespace, name, properties: {}, navigations: {}, ...options };
  complexTypes.set(qualifiedName(type), type);
  return type;
}

/** The concrete complex types a value of `declared` may have: itself unless abstract, and those derived from it. */
export function concreteComplexTypes(declared: ComplexType): ComplexType[] {
  return [...complexTypes.values()].filter((t) => !t.abstract && lineage(t).includes(declared));
}

/** Members valued 0, 1, 2… unless given as `[name, value]`. */
export function enumType(namespace: string, name: string, members: readonly (string | [string, number])[]): EnumType {
  return { kind: 'enum', namespace, name, members: members.map((m, i) => (typeof m === 'string' ? { name: m, value: i } : { name: m[0], value: m[1] })) };
}

/** `microsoft.graph.entity`: the base of every entity type, with the key `id`. */
export const ENTITY = entityType(GRAPH, 'entity', { abstract: true, properties: { id: { type: 'Edm.String', nullable: false, readOnly: true } } });

/** The key property of every entity type here (inherited from `microsoft.graph.entity`). */
export const KEY = 'id';

/** The type and its bases, the root first. */
export function lineage<T extends StructuredType>(type: T): T[] {
  const chain: T[] = [];
  for (let t: StructuredType | undefined = type; t; t = t.baseType) chain.unshift(t as T);
  return chain;
}

/** Every property, the base types' first, in declaration order. */
export function allProperties(type: StructuredType): Record<string, Property> {
  return Object.assign({}, ...lineage(type).map((t) => t.properties)) as Record<string, Property>;
}

export function allNavigations(type: StructuredType): Record<string, Navigation> {
  return Object.assign({}, ...lineage(type).map((t) => t.navigations)) as Record<string, Navigation>;
}

export const derivesFrom = (type: StructuredType, base: StructuredType) => lineage(type).includes(base);

/** The Edm type name of a property as CSDL writes it, e.g. `Collection(microsoft.graph.publicError)`. */
export function typeName(property: Pick<Property, 'type' | 'collection'>): string {
  const name = typeof property.type === 'string' ? property.type : qualifiedName(property.type);
  return property.collection ? `Collection(${name})` : name;
}
