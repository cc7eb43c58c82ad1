// Reading a collection: its relation (the family's SQL) with the page's condition, order and
// bounds around it, assembled here as one statement.
import type { Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import { compile, raw, sql } from '../../db/sql.js';
import type { PageQuery } from '../list.js';
import type { EntityCollection, Scope } from './collection.js';

const where = (condition: Sql | undefined) => (condition ? sql` WHERE ${condition}` : raw(''));

export function pageOf(scope: Scope, collection: EntityCollection, page: PageQuery, parent?: Row): Promise<Row[]> {
  const bounds = `ORDER BY ${page.orderBy} LIMIT ${Math.trunc(page.limit)}${page.offset ? ` OFFSET ${Math.trunc(page.offset)}` : ''}`;
  return scope.db.query(...compile(sql`SELECT * FROM (${collection.rows(scope, parent)}) v${where(page.where)} ${raw(bounds)}`));
}

export async function countOf(scope: Scope, collection: EntityCollection, condition: Sql | undefined, parent?: Row): Promise<number> {
  const [row] = await scope.db.query<{ n: number }>(...compile(sql`SELECT count(*)::int AS n FROM (${collection.rows(scope, parent)}) v${where(condition)}`));
  return row?.n ?? 0;
}

/** The rows with these keys, by key (a missing one is absent). */
export async function rowsByKeys(scope: Scope, collection: EntityCollection, keys: readonly string[], parent?: Row): Promise<Map<string, Row>> {
  if (keys.length === 0) return new Map();
  const rows = await scope.db.query(...compile(sql`SELECT * FROM (${collection.rows(scope, parent)}) v WHERE v.id = ANY(${[...new Set(keys)]}::text[])`));
  return new Map(rows.map((r) => [String(r.id), r]));
}

export async function rowByKey(scope: Scope, collection: EntityCollection, key: string, parent?: Row): Promise<Row | undefined> {
  return (await rowsByKeys(scope, collection, [key], parent)).get(key);
}
