// What a route exposes to OData query options: JSON property names mapped to SQL, with types,
// so every option is checked against it before any SQL is written.
import { badRequest } from '../../errors.js';

export type PropertyType = 'string' | 'datetime' | 'enum' | 'boolean' | 'int';

export interface PropertySpec {
  /** SQL column (or a parenthesised expression). Comes from code only, never from input. */
  column: string;
  /** `int` is Edm.Int32; `enum` is stored as text holding the member name. */
  type: PropertyType;
  /** Enum members in declaration order; $orderby sorts enums in this order (OData: by value). */
  values?: readonly string[];
  /** Qualified enum type, e.g. `microsoft.graph.longRunningOperationStatus`; checked in `type'member'` literals. */
  enumType?: string;
  /** Default true. Declare NOT NULL columns `false`: simpler SQL that indexes can serve. The key is never null. */
  nullable?: boolean;
  /** Strings compare case-insensitively in $filter (Graph's directory behaviour) unless true. The key is always exact. */
  caseSensitive?: boolean;
  /** Default true. */
  filterable?: boolean;
  /** Default true. */
  sortable?: boolean;
}

export interface NavigationSpec {
  target: ResourceSpec;
  /** Collection-valued navigations accept nested $filter/$orderby/$top/$count in $expand. */
  collection: boolean;
}

export interface ResourceSpec {
  /** e.g. `microsoft.graph.longRunningOperation` (used in messages). */
  typeName: string;
  /** JSON property name (or a path like `alertConfiguration/isEnabled` the route can join) -> SQL. */
  properties: Readonly<Record<string, PropertySpec>>;
  /** JSON property that is the unique key, e.g. `id`; the final tie-breaker of every sort. */
  key: string;
  /** Navigation properties allowed in $expand (and, when single-valued, in $filter paths). */
  expandable?: Readonly<Record<string, NavigationSpec>>;
}

export const own = <T>(record: Readonly<Record<string, T>> | undefined, name: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;

export const propertyNotFound = (name: string, spec: ResourceSpec) =>
  badRequest(`Could not find a property named '${name}' on type '${spec.typeName}'.`);

/** The property a name or a path through single-valued navigations designates, or a 400. */
export function resolveProperty(spec: ResourceSpec, path: string): PropertySpec {
  const direct = own(spec.properties, path);
  if (direct) return direct;
  const slash = path.indexOf('/');
  if (slash < 0) throw propertyNotFound(path, spec);
  const head = path.slice(0, slash);
  const nav = own(spec.expandable, head);
  if (!nav) throw propertyNotFound(head, spec);
  if (nav.collection) throw badRequest(`The collection-valued navigation property '${head}' cannot be used in a path; lambda operators (any/all) are not supported.`);
  return resolveProperty(nav.target, path.slice(slash + 1));
}

/** The property as the route maps it to SQL; paths the route does not map are a 400. */
export function mappedProperty(spec: ResourceSpec, path: string, option: '$filter' | '$orderby'): PropertySpec {
  const property = own(spec.properties, path);
  if (property) return property;
  resolveProperty(spec, path);
  throw badRequest(`The property path '${path}' cannot be used in ${option} on this resource.`);
}

export const isNullable = (spec: ResourceSpec, path: string, property: PropertySpec) =>
  path !== spec.key && property.nullable !== false;

export const isCaseInsensitive = (spec: ResourceSpec, path: string, property: PropertySpec) =>
  property.type === 'string' && path !== spec.key && property.caseSensitive !== true;

export function edmType(property: PropertySpec): string {
  switch (property.type) {
    case 'string': return 'Edm.String';
    case 'datetime': return 'Edm.DateTimeOffset';
    case 'boolean': return 'Edm.Boolean';
    case 'int': return 'Edm.Int32';
    case 'enum': return property.enumType ?? 'enum';
  }
}
