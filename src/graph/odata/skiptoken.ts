// Keyset paging. A $skiptoken is base64url JSON `{"q": fingerprint, "v": [sort values of the
// last row]}`; the fingerprint (a short hash of $filter and $orderby) ties it to its query, so a
// token reused with another query, or any garbage, is a 400, never a SQL error.
//
// The seek predicate follows ORDER BY exactly (same expressions, nulls first ascending and last
// descending): a row comparison `(a, b) > ($1, $2)` when every key is non-null and the
// directions agree (an index can serve it), an OR-chain otherwise.
import { createHash } from 'node:crypto';
import type { Sql } from '../../db/sql.js';
import { join, raw, shared, sql } from '../../db/sql.js';
import { badRequest } from '../../errors.js';
import { isDateTimeOffset } from './filter.js';
import type { QueryOptions } from './query.js';
import type { ResourceSpec } from './resource.js';
import { isNullable, mappedProperty } from './resource.js';
import type { SortKey, SortTerm } from './sql.js';
import { sortTerms } from './sql.js';

const MAX_TOKEN_LENGTH = 4096;

/** A short hash of what a token's position depends on: the filter and the requested order. */
export function queryFingerprint(options: Pick<QueryOptions, 'filter' | 'orderby'>): string {
  const canonical = JSON.stringify({ filter: options.filter ?? null, orderby: options.orderby ?? [] });
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/**
 * The token for the page after `lastRow`: the last returned entity keyed by JSON property name
 * (a path like `a/b` is read from nested objects). Datetimes as ISO strings keep the Db layer's
 * microseconds; a Date is accepted but has milliseconds only.
 */
export function makeSkiptoken(sort: readonly SortKey[], lastRow: Record<string, unknown>, fingerprint: string): string {
  const values = sort.map(({ property }) => {
    const value = valueAt(lastRow, property);
    if (value instanceof Date) return value.toISOString();
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
    throw new Error(`makeSkiptoken: the row has no usable value for '${property}'.`);
  });
  return Buffer.from(JSON.stringify({ q: fingerprint, v: values })).toString('base64url');
}

function valueAt(row: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(row, path)) return row[path];
  let value: unknown = row;
  for (const segment of path.split('/')) {
    value = value !== null && typeof value === 'object' && Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
  }
  return value;
}

const invalid = () => badRequest('Invalid $skiptoken value.');

/** Decodes and checks a token against this query's sort and fingerprint; a 400 otherwise. */
function readSkiptoken(token: string, sort: readonly SortKey[], spec: ResourceSpec, fingerprint: string): unknown[] {
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (payload === null || typeof payload !== 'object') throw invalid();
  const { q, v } = payload as { q?: unknown; v?: unknown };
  if (q !== fingerprint || !Array.isArray(v) || v.length !== sort.length) throw invalid();
  sort.forEach(({ property: path }, i) => {
    const property = mappedProperty(spec, path, '$orderby');
    const value: unknown = v[i];
    if (value === null) {
      if (!isNullable(spec, path, property)) throw invalid();
      return;
    }
    const ok =
      property.type === 'int' ? Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647
        : property.type === 'boolean' ? typeof value === 'boolean'
          : property.type === 'datetime' ? typeof value === 'string' && isDateTimeOffset(value)
            : typeof value === 'string' && !value.includes('\u0000');
    if (!ok) throw invalid();
  });
  return v;
}

/** The condition selecting the rows after the token's row, in the order of `sort` (see orderByToSql). */
export function seekToSql(token: string, sort: readonly SortKey[], spec: ResourceSpec, fingerprint: string): Sql {
  const terms = sortTerms(sort, spec);
  const values = readSkiptoken(token, sort, spec, fingerprint);
  const seek = terms.map((term, i) => {
    const value = term.toParam(values[i]);
    return { term, expr: raw(term.expr), param: value === null ? null : sql`${shared(value)}::${raw(term.cast)}` };
  });
  const uniform = seek.every((s) => !s.term.nullable && s.term.desc === terms[0]?.desc);
  if (uniform && seek.length > 1) {
    return sql`(${join(seek.map((s) => s.expr), ', ')}) ${raw(terms[0]?.desc ? '<' : '>')} (${join(seek.map((s) => s.param!), ', ')})`;
  }
  const branches: Sql[] = [];
  seek.forEach(({ term, param }, i) => {
    const after = afterValue(term, param);
    if (after === null) return;
    const ties = seek.slice(0, i).map((s) => (s.param === null ? sql`${s.expr} IS NULL` : sql`${s.expr} = ${s.param}`));
    branches.push(ties.length ? sql`(${join([...ties, after], ' AND ')})` : after);
  });
  return branches.length ? sql`(${join(branches, ' OR ')})` : raw('FALSE');
}

/** Rows strictly after `param` on this key alone, or null when there are none (nulls last, desc). */
function afterValue(term: SortTerm, param: Sql | null): Sql | null {
  const expr = raw(term.expr);
  if (param === null) return term.desc ? null : sql`${expr} IS NOT NULL`;
  const cmp = sql`${expr} ${raw(term.desc ? '<' : '>')} ${param}`;
  return term.nullable && term.desc ? sql`(${cmp} OR ${expr} IS NULL)` : cmp;
}
