// What OData query options see of a collection (odata/resource.ts's ResourceSpec), derived from
// the model: every property of the collection's types with its Edm type mapped to SQL, paths
// through complex properties and single-valued navigations, and the expandable navigations.
import type { NavigationSpec, PropertySpec, PropertyType, ResourceSpec } from '../odata/resource.js';
import type { Column, EntityCollection } from './collection.js';
import { isContained } from './collection.js';
import type { EntityType, Property, StructuredType } from './edm.js';
import { allNavigations, allProperties, KEY, qualifiedName } from './edm.js';

const PRIMITIVE: Partial<Record<string, PropertyType>> = {
  'Edm.String': 'string',
  'Edm.Guid': 'string',
  'Edm.Int32': 'int',
  'Edm.Boolean': 'boolean',
  'Edm.DateTimeOffset': 'datetime',
};

/** The concrete types of a collection (its declared type when it has no others). */
export const typesOf = (collection: EntityCollection): readonly EntityType[] => collection.types ?? [collection.type];

/** The property a path names: `code` of `fileFormat`, or `isEnabled` of the `alertConfiguration` navigation. */
function propertyAt(types: readonly StructuredType[], path: string): Property | undefined {
  const [head, ...rest] = path.split('/');
  for (const type of types) {
    const property = allProperties(type)[head!];
    if (property && rest.length === 0) return property;
    if (property && typeof property.type === 'object' && property.type.kind === 'complex' && !property.collection) {
      const found = propertyAt([property.type], rest.join('/'));
      if (found) return found;
    }
    const nav = allNavigations(type)[head!];
    if (nav && !nav.collection && rest.length) return propertyAt([nav.type()], rest.join('/'));
  }
  return undefined;
}

function propertySpec(name: string, property: Property | undefined, column: Column): PropertySpec {
  const enumType = typeof property?.type === 'object' && property.type.kind === 'enum' ? property.type : undefined;
  const primitive = property && !property.collection && typeof property.type === 'string' ? PRIMITIVE[property.type] : undefined;
  const type: PropertyType | undefined = property?.collection ? undefined : enumType ? 'enum' : primitive;
  const queryable = type !== undefined && column.column !== undefined;
  return {
    // A property without a column is written from code and never reaches SQL (not queryable).
    column: column.column ?? 'NULL',
    type: type ?? 'string',
    ...(enumType ? { values: enumType.members.map((m) => m.name), enumType: qualifiedName(enumType) } : {}),
    ...(column.notNull || name === KEY ? { nullable: false } : {}),
    ...(column.caseSensitive ? { caseSensitive: true } : {}),
    filterable: column.filterable ?? queryable,
    sortable: column.sortable ?? queryable,
  };
}

/** The properties of `types` (and the paths `columns` maps) as query options see them. */
export function specFor(typeName: string, types: readonly EntityType[], columns: Readonly<Record<string, Column>>): ResourceSpec {
  const names = new Set(types.flatMap((t) => Object.keys(allProperties(t))));
  const properties: Record<string, PropertySpec> = {};
  for (const name of names) properties[name] = propertySpec(name, propertyAt(types, name), columns[name] ?? {});
  // Paths (`fileFormat/code`) mapped to a column of their own.
  for (const [name, column] of Object.entries(columns)) {
    if (name.includes('/')) properties[name] = propertySpec(name, propertyAt(types, name), column);
  }
  return { typeName, key: KEY, properties };
}

const cache = new WeakMap<EntityCollection, Map<string, ResourceSpec>>();
/** Each collection's spec over all its types: what most requests ask for, looked up without a key. */
const defaults = new WeakMap<EntityCollection, ResourceSpec>();

/** The spec of `collection`, or of its rows of `types` only (one alert's incidents are of one type). */
export function specOf(collection: EntityCollection, types?: readonly EntityType[]): ResourceSpec {
  if (types === undefined) {
    let spec = defaults.get(collection);
    if (!spec) defaults.set(collection, (spec = specOf(collection, typesOf(collection))));
    return spec;
  }
  const key = types.map(qualifiedName).join(' ');
  let specs = cache.get(collection);
  if (!specs) cache.set(collection, (specs = new Map()));
  const known = specs.get(key);
  if (known) return known;
  const spec = specFor(qualifiedName(collection.type), types, collection.columns);
  specs.set(key, spec);
  const expandable: Record<string, NavigationSpec> = {};
  for (const [name, source] of Object.entries(collection.navigations ?? {})) {
    const nav = allNavigations(collection.type)[name];
    if (nav) expandable[name] = { target: specOf(source.target()), collection: nav.collection === true };
  }
  if (Object.keys(expandable).length) (spec as { expandable?: Record<string, NavigationSpec> }).expandable = expandable;
  return spec;
}

/**
 * The spec of one entity of the collection: its contained navigations narrowed to the types the
 * row's targets have (`$expand=alertIncidents($select=…)` on one alert checks that alert's type).
 */
export function entitySpecOf(collection: EntityCollection, row: Record<string, unknown>): ResourceSpec {
  const base = specOf(collection);
  if (!base.expandable) return base;
  let narrowed: Record<string, NavigationSpec> | undefined;
  for (const [name, source] of Object.entries(collection.navigations ?? {})) {
    if (!isContained(source) || !source.types) continue;
    narrowed ??= { ...base.expandable };
    narrowed[name] = { target: specOf(source.target(), source.types(row)), collection: true };
  }
  return narrowed ? { ...base, expandable: narrowed } : base;
}
