// One page of a Graph collection: $filter, $orderby, $top (the page size, as Graph treats it),
// $skip, $count, $select, and server-driven paging through @odata.nextLink with a keyset
// $skiptoken (stable while rows are added or removed).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/sql.js';
import { and } from '../db/sql.js';
import { contextUrl, serviceRoot } from './context.js';
import type { ExpandItem, QueryOptions } from './odata/query.js';
import { parseQueryOptions } from './odata/query.js';
import type { ResourceSpec } from './odata/resource.js';
import { makeSkiptoken, queryFingerprint, seekToSql } from './odata/skiptoken.js';
import { effectiveSort, filterToSql, orderByToSql } from './odata/sql.js';
import { parsePrefer, preferredInteger } from './prefer.js';
import type { Services } from './services.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export interface PageQuery {
  /** A condition over the source's columns. */
  where?: Sql;
  /** The ORDER BY list (trusted text built from the spec). */
  orderBy: string;
  limit: number;
  offset?: number;
}

export interface ListSource<T> {
  spec: ResourceSpec;
  /** Context path, e.g. `identityGovernance/roleManagementAlerts/operations`. */
  path: string;
  /** Path of @odata.nextLink when it differs from the context path (which writes keys as `('id')`). */
  linkPath?: string;
  fetch(query: PageQuery): Promise<T[]>;
  count(where: Sql | undefined): Promise<number>;
  toJson(item: T, select?: readonly string[]): Record<string, unknown>;
  /** The values a $skiptoken records of the page's last item (default: its JSON). */
  values?(item: T): Record<string, unknown>;
  /** Checks of the parsed options beyond the spec's (a required filter). */
  check?(options: QueryOptions): void;
  /** The expanded navigation properties of each item of the page, appended to its JSON (`$expand`). */
  expand?(page: T[], expand: readonly ExpandItem[], root: string): Promise<Record<string, unknown>[]>;
}

export async function listPage<T>(request: FastifyRequest, reply: FastifyReply, services: Pick<Services, 'publicUrl'>, source: ListSource<T>) {
  const query = request.query as Record<string, unknown>;
  const options = parseQueryOptions(query, source.spec, { collection: true, maxTop: MAX_PAGE_SIZE });
  source.check?.(options);
  const maxPageSize = preferredInteger(parsePrefer(request.headers.prefer), 'odata.maxpagesize', MAX_PAGE_SIZE);
  if (maxPageSize && options.top === undefined) reply.header('preference-applied', `odata.maxpagesize=${maxPageSize}`);
  const pageSize = options.top ?? maxPageSize ?? DEFAULT_PAGE_SIZE;

  const sort = effectiveSort(options.orderby, source.spec);
  const fingerprint = queryFingerprint(options);
  const filter = options.filter ? filterToSql(options.filter, source.spec) : undefined;
  const seek = options.skiptoken ? seekToSql(options.skiptoken, sort, source.spec, fingerprint) : undefined;

  const [rows, count] = await Promise.all([
    pageSize === 0
      ? Promise.resolve([])
      : source.fetch({
          where: and([filter, seek]),
          orderBy: orderByToSql(sort, source.spec),
          limit: pageSize + 1,
          ...(options.skiptoken ? {} : { offset: options.skip }),
        }),
    options.count ? source.count(filter) : undefined,
  ]);
  const page = rows.slice(0, pageSize);
  const root = serviceRoot(request, services.publicUrl);
  const body: Record<string, unknown> = { '@odata.context': contextUrl(root, source.path, { select: options.select, expand: options.expand }) };
  if (count !== undefined) body['@odata.count'] = count;
  const expanded = options.expand?.length && source.expand ? await source.expand(page, options.expand, root) : undefined;
  body.value = page.map((item, i) => ({ ...source.toJson(item, options.select), ...expanded?.[i] }));
  if (rows.length > pageSize) {
    const last = page.at(-1)!;
    const token = makeSkiptoken(sort, source.values ? source.values(last) : source.toJson(last), fingerprint);
    body['@odata.nextLink'] = nextLink(`${root}/${source.linkPath ?? source.path}`, query, token, options.top === undefined ? maxPageSize : undefined);
  }
  return body;
}

/** The same query with `$skiptoken` in place of `$skip`/`$skiptoken`. */
function nextLink(base: string, query: Record<string, unknown>, token: string, maxPageSize: number | undefined): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (/^\$?(skip|skiptoken)$/i.test(name)) continue;
    for (const v of [value].flat()) search.append(name, String(v));
  }
  search.set('$skiptoken', token);
  // A page size chosen with Prefer is not in the URL; a client following the link without the
  // header still gets pages of that size.
  if (maxPageSize !== undefined) search.set('$top', String(maxPageSize));
  return `${base}?${search.toString().replace(/%24/g, '$')}`;
}
