// $filter and $orderby as PostgreSQL. Values only ever travel as parameters of the fragments
// returned (db/sql.ts numbers them where the statement is assembled); column names come only from
// the ResourceSpec.
//
// Semantics (OData, two-valued): a comparison with a null property is false, except
// `eq null`/`ne null`; `ne` is true for null (`IS DISTINCT FROM`); `not` negates. Negations are
// pushed down to the comparisons, so the SQL keeps plain, index-friendly predicates.
// Case: strings compare case-insensitively (`lower(col)`), as Graph does for directory
// properties, unless the property is declared `caseSensitive`; the key and enums are exact.
// Nulls sort first ascending and last descending (OData: null is the smallest value).
import type { Sql } from '../../db/sql.js';
import { join, raw, sql } from '../../db/sql.js';
import type { FilterNode, Literal } from './filter.js';
import type { OrderByItem } from './query.js';
import type { PropertySpec, ResourceSpec } from './resource.js';
import { isCaseInsensitive, isNullable, mappedProperty } from './resource.js';

export type SortKey = OrderByItem;

const NEGATED = { eq: 'ne', ne: 'eq', gt: 'le', ge: 'lt', lt: 'ge', le: 'gt' } as const;
const SQL_OP = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const CAST = { string: 'text', enum: 'text', datetime: 'timestamptz', boolean: 'boolean', int: 'integer' } as const;

/** A parameter cast to the property's SQL type. */
const param = (value: unknown, cast: string): Sql => sql`${value}::${raw(cast)}`;

const literalValue = (literal: Literal): unknown => (literal.type === 'null' ? null : literal.value);

/** SQL for a parsed `$filter`; callers AND it with their own conditions. */
export function filterToSql(node: FilterNode, spec: ResourceSpec): Sql {
  return compile(node, false, spec);
}

function compile(node: FilterNode, negated: boolean, spec: ResourceSpec): Sql {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const and = (node.kind === 'and') !== negated;
      return sql`(${join(node.operands.map((n) => compile(n, negated, spec)), and ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      return compile(node.operand, !negated, spec);
    case 'compare':
      return compare(node, negated, spec);
    case 'in':
      return inList(node, negated, spec);
    case 'call':
      return call(node, negated, spec);
  }
}

interface Operand {
  property: PropertySpec;
  column: string;
  /** The column as compared: `lower(col)` when case-insensitive. */
  lhs: string;
  nullable: boolean;
  insensitive: boolean;
}

function operand(spec: ResourceSpec, path: string): Operand {
  const property = mappedProperty(spec, path, '$filter');
  const insensitive = isCaseInsensitive(spec, path, property);
  return { property, column: property.column, lhs: insensitive ? `lower(${property.column})` : property.column, nullable: isNullable(spec, path, property), insensitive };
}

/** A condition that is also true where the column is null (a negated comparison, OData-style). */
const orNull = (o: Operand, condition: Sql) => (o.nullable ? sql`(${condition} OR ${raw(o.column)} IS NULL)` : condition);

function compare(node: Extract<FilterNode, { kind: 'compare' }>, negated: boolean, spec: ResourceSpec): Sql {
  const o = operand(spec, node.property);
  const op = negated ? NEGATED[node.op] : node.op;
  if (node.value.type === 'null') return raw(`${o.column} ${op === 'eq' ? 'IS NULL' : 'IS NOT NULL'}`);
  const p = param(literalValue(node.value), CAST[o.property.type]);
  const rhs = o.insensitive ? sql`lower(${p})` : p;
  const lhs = raw(o.lhs);
  switch (op) {
    case 'eq': return sql`${lhs} = ${rhs}`;
    case 'ne': return o.nullable ? sql`${lhs} IS DISTINCT FROM ${rhs}` : sql`${lhs} <> ${rhs}`;
    default: {
      const condition = sql`${lhs} ${raw(SQL_OP[op])} ${rhs}`;
      return negated ? orNull(o, condition) : condition;
    }
  }
}

function inList(node: Extract<FilterNode, { kind: 'in' }>, negated: boolean, spec: ResourceSpec): Sql {
  const o = operand(spec, node.property);
  const p = param(node.values.map(literalValue), `${CAST[o.property.type]}[]`);
  const list = o.insensitive ? sql`(SELECT lower(v) FROM unnest(${p}) AS v)` : sql`(${p})`;
  const lhs = raw(o.lhs);
  return negated ? orNull(o, sql`${lhs} <> ALL ${list}`) : sql`${lhs} = ANY ${list}`;
}

/** `%`, `_` and `\` in the value match themselves (`ESCAPE '\'`). */
export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function call(node: Extract<FilterNode, { kind: 'call' }>, negated: boolean, spec: ResourceSpec): Sql {
  const o = operand(spec, node.property);
  const escaped = escapeLike(node.value);
  const pattern = node.fn === 'startswith' ? `${escaped}%` : node.fn === 'endswith' ? `%${escaped}` : `%${escaped}%`;
  const p = param(pattern, 'text');
  const like = sql`${raw(o.lhs)} ${raw(negated ? 'NOT LIKE' : 'LIKE')} ${o.insensitive ? sql`lower(${p})` : p} ESCAPE '\\'`;
  return negated ? orNull(o, like) : like;
}

/** The requested order plus the key as final tie-breaker, in the last requested direction (asc if none). */
export function effectiveSort(orderby: readonly OrderByItem[] | undefined, spec: ResourceSpec): SortKey[] {
  const sort = [...(orderby ?? [])];
  if (!sort.some((k) => k.property === spec.key)) sort.push({ property: spec.key, desc: sort.at(-1)?.desc ?? false });
  return sort;
}

/** How a sort key is compared in SQL; shared by ORDER BY and the keyset predicate so they agree. */
export interface SortTerm {
  expr: string;
  desc: boolean;
  nullable: boolean;
  /** Cast for a parameter compared with `expr`. */
  cast: string;
  /** The parameter value for a row's value of this property. */
  toParam(value: unknown): unknown;
}

/** Enums sort by declaration order (OData compares enums by value), through their ordinal. */
export function sortTerms(sort: readonly SortKey[], spec: ResourceSpec): SortTerm[] {
  return sort.map(({ property: path, desc }) => {
    const property = mappedProperty(spec, path, '$orderby');
    const nullable = isNullable(spec, path, property);
    const values = property.type === 'enum' ? property.values : undefined;
    if (!values) return { expr: property.column, desc, nullable, cast: CAST[property.type], toParam: (v: unknown) => v };
    const cases = values.map((v, i) => `WHEN '${v.replace(/'/g, "''")}' THEN ${i}`).join(' ');
    return {
      expr: `(CASE ${property.column} ${cases} END)`,
      desc,
      nullable: true,
      cast: 'integer',
      toParam: (v: unknown) => (typeof v === 'string' && values.includes(v) ? values.indexOf(v) : null),
    };
  });
}

/** The ORDER BY list (without the keywords) for an effective sort. */
export function orderByToSql(sort: readonly SortKey[], spec: ResourceSpec): string {
  return sortTerms(sort, spec)
    .map((t) => `${t.expr} ${t.desc ? 'DESC' : 'ASC'}${t.nullable ? (t.desc ? ' NULLS LAST' : ' NULLS FIRST') : ''}`)
    .join(', ');
}
