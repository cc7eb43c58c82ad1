// OData system query options (spec §5.4), parsed and checked against a ResourceSpec. Names are
// accepted with or without `$` and in any case (`filter` ≡ `$filter` ≡ `$Filter`); plain
// parameters that are not option names are ignored, as Graph does.
import { badRequest } from '../../errors.js';
import type { FilterNode } from './filter.js';
import { parseFilter } from './filter.js';
import type { ResourceSpec } from './resource.js';
import { own, propertyNotFound, resolveProperty } from './resource.js';

export type QueryOptionName = 'select' | 'expand' | 'filter' | 'orderby' | 'top' | 'skip' | 'count' | 'skiptoken';

export interface OrderByItem {
  property: string;
  desc: boolean;
}

export interface QueryOptions {
  /** `['*']` when the client asked for all properties. */
  select?: string[];
  expand?: ExpandItem[];
  filter?: FilterNode;
  orderby?: OrderByItem[];
  top?: number;
  skip?: number;
  count?: boolean;
  /** Raw; checked by `seekToSql` against the query it continues. */
  skiptoken?: string;
}

/** `alertIncidents($top=5;$select=id)`: nested options are checked against the navigation's target. */
export interface ExpandItem {
  property: string;
  options: QueryOptions;
}

export interface AllowedOptions {
  /** A collection accepts every option; a single entity only $select and $expand. */
  collection: boolean;
  /** Largest $top accepted; default 999. */
  maxTop?: number;
  /** Restricts the options this route supports (each still subject to `collection`). */
  options?: readonly QueryOptionName[];
}

export const DEFAULT_MAX_TOP = 999;
const MAX_SKIP = 2147483647;
const OPTIONS: readonly QueryOptionName[] = ['select', 'expand', 'filter', 'orderby', 'top', 'skip', 'count', 'skiptoken'];
const ENTITY_OPTIONS: readonly QueryOptionName[] = ['select', 'expand'];
const NESTED_OPTIONS: readonly QueryOptionName[] = ['select', 'filter', 'orderby', 'top', 'count'];
/** Known OData options this service does not implement; a 400 also without the `$`. */
const UNSUPPORTED: readonly string[] = ['search', 'format', 'compute', 'apply', 'deltatoken'];

interface Context {
  permitted: readonly QueryOptionName[];
  maxTop: number;
  /** Appended to messages about nested options, e.g. ` in $expand 'alertIncidents'`. */
  where: string;
  /** Appended to "is not supported" messages. */
  scope: string;
  nested: boolean;
}

/** Parses a route's query (`request.query`): every malformed or unknown option is a 400 naming it. */
export function parseQueryOptions(query: Record<string, unknown>, spec: ResourceSpec, allowed: AllowedOptions): QueryOptions {
  const base = allowed.collection ? OPTIONS : ENTITY_OPTIONS;
  return parseOptions(Object.entries(query), spec, {
    permitted: allowed.options ? base.filter((o) => allowed.options?.includes(o)) : base,
    maxTop: allowed.maxTop ?? DEFAULT_MAX_TOP,
    where: '',
    scope: allowed.collection ? '' : ' on a single entity',
    nested: false,
  });
}

function parseOptions(entries: [string, unknown][], spec: ResourceSpec, ctx: Context): QueryOptions {
  const raw = new Map<QueryOptionName, string>();
  for (const [name, value] of entries) {
    const option = optionName(name, ctx);
    if (option === undefined) continue;
    if (raw.has(option) || Array.isArray(value)) {
      throw badRequest(`Query option '$${option}' was specified more than once, but it must be specified at most once${ctx.where}.`);
    }
    if (typeof value !== 'string') throw badRequest(`Invalid $${option} value${ctx.where}.`);
    if (!ctx.permitted.includes(option)) throw badRequest(`Query option '$${option}' is not supported${ctx.scope}.`);
    raw.set(option, value);
  }

  const options: QueryOptions = {};
  for (const [option, value] of raw) {
    switch (option) {
      case 'select': options.select = parseSelect(value, spec, ctx); break;
      case 'expand': options.expand = parseExpand(value, spec, ctx); break;
      case 'filter': options.filter = parseFilter(value, spec, `$filter${ctx.where}`); break;
      case 'orderby': options.orderby = parseOrderBy(value, spec, ctx); break;
      case 'top': options.top = parseCount('top', value, ctx.maxTop, ctx); break;
      case 'skip': options.skip = parseCount('skip', value, MAX_SKIP, ctx); break;
      case 'count': options.count = parseBoolean(value, ctx); break;
      case 'skiptoken':
        if (value === '') throw badRequest(`Invalid $skiptoken value.`);
        options.skiptoken = value;
        break;
    }
  }
  if (options.skip !== undefined && options.skiptoken !== undefined) {
    throw badRequest(`Query options '$skip' and '$skiptoken' cannot be used together.`);
  }
  return options;
}

function optionName(name: string, ctx: Context): QueryOptionName | undefined {
  const dollar = name.startsWith('$');
  const bare = (dollar ? name.slice(1) : name).toLowerCase();
  if ((OPTIONS as readonly string[]).includes(bare)) return bare as QueryOptionName;
  if (dollar || UNSUPPORTED.includes(bare)) throw badRequest(`Query option '${dollar ? name : `$${name}`}' is not supported${ctx.where}.`);
  if (ctx.nested) throw badRequest(`Invalid nested query option '${name}'${ctx.where}.`);
  return undefined;
}

function parseSelect(value: string, spec: ResourceSpec, ctx: Context): string[] {
  const names = splitList(value, '$select', ctx);
  if (names.includes('*')) return ['*'];
  for (const name of names) {
    if (own(spec.expandable, name)) throw badRequest(`The navigation property '${name}' cannot be used in $select${ctx.where}; use $expand.`);
    if (name.includes('/') || !own(spec.properties, name)) throw propertyNotFound(name, spec);
  }
  return [...new Set(names)];
}

function parseOrderBy(value: string, spec: ResourceSpec, ctx: Context): OrderByItem[] {
  const items: OrderByItem[] = [];
  for (const item of splitList(value, '$orderby', ctx)) {
    const m = /^(\S+)(?:\s+(asc|desc))?$/.exec(item);
    if (!m) throw badRequest(`Invalid $orderby value '${value}'${ctx.where}.`);
    const property = m[1] as string;
    if (resolveProperty(spec, property).sortable === false) {
      throw badRequest(`The property '${property}' cannot be used in the $orderby query option${ctx.where}.`);
    }
    if (items.some((i) => i.property === property)) throw badRequest(`Duplicate property '${property}' in $orderby${ctx.where}.`);
    items.push({ property, desc: m[2] === 'desc' });
  }
  return items;
}

function parseCount(option: 'top' | 'skip', value: string, max: number, ctx: Context): number {
  if (!/^\d{1,10}$/.test(value)) throw badRequest(`Invalid $${option} value '${value}'${ctx.where}.`);
  const n = Number(value);
  if (n > max) throw badRequest(`Invalid $${option} value '${value}'${ctx.where}. The value must be at most ${max}.`);
  return n;
}

function parseBoolean(value: string, ctx: Context): boolean {
  if (value !== 'true' && value !== 'false') throw badRequest(`Invalid $count value '${value}'${ctx.where}. Use true or false.`);
  return value === 'true';
}

function parseExpand(value: string, spec: ResourceSpec, ctx: Context): ExpandItem[] {
  const navigations = spec.expandable ?? {};
  if (value.trim() === '*') return Object.keys(navigations).map((property) => ({ property, options: {} }));
  const items: ExpandItem[] = [];
  for (const item of splitList(value, '$expand', ctx)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?$/s.exec(item);
    if (!m) throw badRequest(`Invalid $expand value '${value}'${ctx.where}.`);
    const property = m[1] as string;
    const nav = own(navigations, property);
    if (!nav) {
      if (own(spec.properties, property)) {
        throw badRequest(`Property '${property}' on type '${spec.typeName}' is not a navigation property. Only navigation properties can be expanded.`);
      }
      throw propertyNotFound(property, spec);
    }
    if (items.some((i) => i.property === property)) throw badRequest(`Duplicate navigation property '${property}' in $expand.`);
    const entries = m[2] === undefined || m[2].trim() === '' ? [] : split(m[2], ';', '$expand', value, ctx).map((pair) => nestedOption(pair, value, ctx));
    const where = ` in $expand '${property}'`;
    const options = parseOptions(entries, nav.target, {
      permitted: nav.collection ? NESTED_OPTIONS : ['select'],
      maxTop: ctx.maxTop,
      where,
      scope: nav.collection ? where : `${where}, a single-valued navigation property`,
      nested: true,
    });
    items.push({ property, options });
  }
  return items;
}

/**
 * The nested options of `property` in a (valid) `$expand` as the client wrote them, `$` added
 * where omitted: what a nested `@odata.nextLink` repeats.
 */
export function writtenNestedOptions(query: Record<string, unknown>, property: string): [string, string][] {
  const raw = Object.entries(query).find(([name]) => /^\$?expand$/i.test(name))?.[1];
  if (typeof raw !== 'string') return [];
  const ctx: Context = { permitted: OPTIONS, maxTop: DEFAULT_MAX_TOP, where: '', scope: '', nested: false };
  const item = splitList(raw, '$expand', ctx).find((i) => new RegExp(`^${property}\\s*\\(`).test(i));
  if (!item) return [];
  const inner = item.slice(item.indexOf('(') + 1, item.lastIndexOf(')'));
  if (inner.trim() === '') return [];
  return split(inner, ';', '$expand', raw, ctx).map((pair) => {
    const [name, value] = nestedOption(pair, raw, ctx);
    return [name.startsWith('$') ? name : `$${name}`, value];
  });
}

function nestedOption(pair: string, whole: string, ctx: Context): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw badRequest(`Invalid $expand value '${whole}'${ctx.where}.`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

function splitList(value: string, option: string, ctx: Context): string[] {
  return split(value, ',', option, value, ctx);
}

/** Splits on `sep` outside parentheses and quoted strings; every part trimmed and non-empty. */
function split(text: string, sep: string, option: string, whole: string, ctx: Context): string[] {
  const invalid = () => badRequest(`Invalid ${option} value '${whole}'${ctx.where}.`);
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === undefined) throw invalid();
      if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth < 0) throw invalid();
    else if ((c === sep && depth === 0) || c === undefined) {
      if (depth !== 0) throw invalid();
      const part = text.slice(start, i).trim();
      if (part === '') throw invalid();
      parts.push(part);
      start = i + 1;
    }
  }
  return parts;
}
