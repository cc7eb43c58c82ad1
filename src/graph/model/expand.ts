// $expand: each navigation property asked for, appended to its entity's JSON in the order asked.
// A single-valued one is the related entity (one query for the whole page); a contained
// collection is paged like a list of its own: nested $top is the page size (default 100),
// `nav@odata.count` and `nav@odata.nextLink` (which repeats the nested options) as Graph writes them.
import type { Row } from '../../db/db.js';
import { DEFAULT_PAGE_SIZE } from '../list.js';
import type { ExpandItem } from '../odata/query.js';
import { writtenNestedOptions } from '../odata/query.js';
import { makeSkiptoken, queryFingerprint } from '../odata/skiptoken.js';
import { effectiveSort, filterToSql, orderByToSql } from '../odata/sql.js';
import type { ContainedSource, EntityCollection, ReferenceSource, Scope } from './collection.js';
import { isContained } from './collection.js';
import { entityJson, valueOf } from './json.js';
import { countOf, pageOf, rowsByKeys } from './rows.js';
import { specOf } from './spec.js';

/** An entity's place: `alerts('{id}')` in context URLs and `alerts/{id}` in links. */
export interface Located {
  context: string;
  link: string;
}

type Json = Record<string, unknown>;

async function related(scope: Scope, source: ReferenceSource, rows: readonly Row[], item: ExpandItem): Promise<Json[]> {
  const target = source.target();
  const keys = rows.map((row) => source.key(row));
  const found = await rowsByKeys(scope, target, keys.filter((k): k is string => k !== null));
  return keys.map((key) => {
    const row = key === null ? undefined : found.get(key);
    return { [item.property]: row ? entityJson(target, row, item.options.select) : null };
  });
}

async function contained(scope: Scope, source: ContainedSource, parent: Row, item: ExpandItem, root: string, at: Located, query: Record<string, unknown>): Promise<Json> {
  const target = source.target();
  // The options were checked against the parent's (or, in a list, any parent's) target types;
  // every property maps to the same column whatever the type.
  const spec = specOf(target);
  const o = item.options;
  const name = item.property;
  const pageSize = o.top ?? DEFAULT_PAGE_SIZE;
  const sort = effectiveSort(o.orderby, spec);
  const where = o.filter ? filterToSql(o.filter, spec) : undefined;
  const [rows, count] = await Promise.all([
    pageSize === 0 ? [] : pageOf(scope, target, { where, orderBy: orderByToSql(sort, spec), limit: pageSize + 1 }, parent),
    o.count ? countOf(scope, target, where, parent) : undefined,
  ]);
  const json: Json = { [`${name}@odata.context`]: `${root}/$metadata#${at.context}/${name}` };
  if (count !== undefined) json[`${name}@odata.count`] = count;
  const shown = rows.slice(0, pageSize);
  json[name] = shown.map((row) => entityJson(target, row, o.select));
  if (rows.length > pageSize) {
    const last = shown.at(-1)!;
    const search = new URLSearchParams(writtenNestedOptions(query, name));
    const values = Object.fromEntries(sort.map((k) => [k.property, valueOf(target, last, k.property)]));
    search.set('$skiptoken', makeSkiptoken(sort, values, queryFingerprint(o)));
    json[`${name}@odata.nextLink`] = `${root}/${at.link}/${name}?${search.toString().replace(/%24/g, '$')}`;
  }
  return json;
}

/** The expanded navigation properties of each row, in the order asked for. */
export async function expansions(
  scope: Scope,
  collection: EntityCollection,
  rows: readonly Row[],
  expand: readonly ExpandItem[],
  root: string,
  located: (row: Row) => Located,
  /** The request's query: nested nextLinks repeat its options as written. */
  query: Record<string, unknown>,
): Promise<Json[]> {
  const results: Json[] = rows.map(() => ({}));
  for (const item of expand) {
    const source = collection.navigations?.[item.property];
    if (!source) continue;
    if (isContained(source)) {
      const parts = await Promise.all(rows.map((row) => contained(scope, source, row, item, root, located(row), query)));
      parts.forEach((part, i) => Object.assign(results[i]!, part));
    } else {
      (await related(scope, source, rows, item)).forEach((part, i) => Object.assign(results[i]!, part));
    }
  }
  return results;
}
