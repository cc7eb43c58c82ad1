// An entity as Graph writes it: its properties in declaration order (base types first), limited
// to $select, with `@odata.type` whenever the entity's type is not the one its collection
// declares (an abstract declared type: always).
import type { Row } from '../../db/db.js';
import type { EntityCollection } from './collection.js';
import type { EntityType } from './edm.js';
import { allProperties, qualifiedName } from './edm.js';

const propertyNames = new WeakMap<EntityType, string[]>();

function namesOf(type: EntityType): string[] {
  let names = propertyNames.get(type);
  if (!names) propertyNames.set(type, (names = Object.keys(allProperties(type))));
  return names;
}

/** The row's type: as the collection says, else its only concrete type, else the declared one. */
export const concreteType = (collection: EntityCollection, row: Row): EntityType =>
  collection.typeOf?.(row) ?? (collection.types?.length === 1 ? collection.types[0]! : collection.type);

/** The JSON value of one property of a row. */
export function valueOf(collection: EntityCollection, row: Row, name: string): unknown {
  const column = collection.columns[name];
  if (column?.read) return column.read(row);
  return row[column?.column ?? name];
}

export function entityJson(collection: EntityCollection, row: Row, select?: readonly string[]): Record<string, unknown> {
  const type = concreteType(collection, row);
  const json: Record<string, unknown> = type === collection.type ? {} : { '@odata.type': `#${qualifiedName(type)}` };
  const names = namesOf(type);
  for (const name of select?.length && !select.includes('*') ? select : names) {
    if (names.includes(name)) json[name] = valueOf(collection, row, name);
  }
  return json;
}
