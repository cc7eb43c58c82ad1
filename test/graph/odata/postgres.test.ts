// The generated SQL run for real, on PostgreSQL (DATABASE_URL) and on embedded PGlite: filters,
// ORDER BY and keyset paging are checked against an independent model of OData's semantics.
import { after, before, describe, test } from 'node:test';
import { numberedAfter } from './compiled.js';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { parseFilter } from '../../../src/graph/odata/filter.js';
import { parseQueryOptions } from '../../../src/graph/odata/query.js';
import { makeSkiptoken, queryFingerprint, seekToSql } from '../../../src/graph/odata/skiptoken.js';
import { effectiveSort, filterToSql, orderByToSql } from '../../../src/graph/odata/sql.js';
import type { SortKey } from '../../../src/graph/odata/sql.js';
import { assertBadRequest, operationSpec as spec, STATUSES } from './fixtures.js';

type Row = Record<string, unknown>;

interface Backend {
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const TIMESTAMPTZ_OID = 1184;
/** PostgreSQL's UTC text output as ISO 8601, microseconds kept (as the service's Db layer does). */
const toIso = (raw: string) => raw.replace(' ', 'T').replace(/\+00$/, 'Z');

async function openPostgres(): Promise<Backend> {
  const client = new pg.Client({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    options: '-c TimeZone=UTC',
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMPTZ_OID ? toIso : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  return { query: async (sql, params) => (await client.query(sql, params)).rows as Row[], close: () => client.end() };
}

async function openPglite(): Promise<Backend> {
  const db = await PGlite.create();
  await db.exec("SET TimeZone = 'UTC'");
  const parsers = { [TIMESTAMPTZ_OID]: toIso };
  return { query: async (sql, params) => (await db.query<Row>(sql, params, { parsers })).rows, close: () => db.close() };
}

interface Item {
  id: string;
  name: string | null;
  created: string;
  last: string | null;
  active: boolean | null;
  status: string;
  n: number | null;
  scope: string | null;
}

// Datetimes in fixed-width UTC so that string order is time order; several differ by 1 µs.
const INSTANTS = ['2023-12-31T23:00:00.000000Z', '2024-01-01T00:00:00.000001Z', '2024-01-01T00:00:00.000002Z', '2024-01-01T00:00:00.500000Z', '2024-03-01T12:00:00.000000Z'];
const NAMES = ['alpha', 'Alpha', 'ALPHA', 'beta', 'BETA', 'gamma', null, '50%_off', '5000', '50abc', 'back\\slash', 'bslash', "o'neil", 'x_y', 'xay'];

function fixtures(): Item[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)] as T;
  return Array.from({ length: 48 }, (_, i) => ({
    id: `${i % 3 === 0 ? 'R' : 'r'}${String(i).padStart(2, '0')}`,
    name: pick(NAMES),
    created: pick(INSTANTS),
    last: pick([...INSTANTS, null]),
    active: pick([true, false, null]),
    status: pick(STATUSES.slice(0, 4)),
    n: pick([-5, 0, 3, 10, null]),
    scope: pick(['/', 'Tenant', 'tenant', null]),
  })).sort(() => random() - 0.5);
}

const ITEMS = fixtures();

/** The entity a route would return for a row: JSON property names, ISO datetimes. */
const entity = (row: Row) => ({
  id: row.id, displayName: row.name, createdDateTime: row.created_at, lastActionDateTime: row.last_action_at,
  isActive: row.active, status: row.status, incidentCount: row.n, scopeId: row.scope_id,
});

// The model: OData ordering (null smallest, enums by member order, C-collation strings).
const MODEL_VALUE: Record<string, (item: Item) => unknown> = {
  id: (i) => i.id, displayName: (i) => i.name, createdDateTime: (i) => i.created, lastActionDateTime: (i) => i.last,
  isActive: (i) => (i.active === null ? null : Number(i.active)), status: (i) => STATUSES.indexOf(i.status as never), incidentCount: (i) => i.n,
};

function modelOrder(items: Item[], sort: SortKey[]): string[] {
  const compare = (a: unknown, b: unknown) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as string) < (b as string) ? -1 : 1);
  return [...items]
    .sort((x, y) => {
      for (const { property, desc } of sort) {
        const value = MODEL_VALUE[property] as (item: Item) => unknown;
        const c = compare(value(x), value(y));
        if (c !== 0) return desc ? -c : c;
      }
      return 0;
    })
    .map((i) => i.id);
}

const lower = (s: string | null) => (s === null ? null : s.toLowerCase());
const at = (instant: string) => (t: string | null) => t !== null && t > instant;

// OData semantics, written independently of the compiler: comparisons with null are false
// (except eq/ne null), ne is true for null, not negates; strings ignore case except id and scopeId.
const FILTERS: [string, (i: Item) => boolean][] = [
  ["displayName eq 'alpha'", (i) => lower(i.name) === 'alpha'],
  ["displayName eq 'ALPHA'", (i) => lower(i.name) === 'alpha'],
  ["not (displayName eq 'alpha')", (i) => lower(i.name) !== 'alpha'],
  ["displayName ne 'alpha'", (i) => lower(i.name) !== 'alpha'],
  ['displayName eq null', (i) => i.name === null],
  ['displayName ne null', (i) => i.name !== null],
  ["startswith(displayName,'50%')", (i) => i.name?.startsWith('50%') ?? false],
  ["contains(displayName,'_')", (i) => i.name?.includes('_') ?? false],
  ["endswith(displayName,'\\slash')", (i) => i.name?.endsWith('\\slash') ?? false],
  ["not startswith(displayName,'B')", (i) => !(lower(i.name)?.startsWith('b') ?? false)],
  ["displayName eq 'o''neil'", (i) => i.name === "o'neil"],
  ["displayName gt 'b'", (i) => i.name !== null && (lower(i.name) as string) > 'b'],
  ["displayName in ('GAMMA','beta')", (i) => ['gamma', 'beta'].includes(lower(i.name) as string)],
  ["not (displayName in ('gamma'))", (i) => lower(i.name) !== 'gamma'],
  ["'beta' eq displayName", (i) => lower(i.name) === 'beta'],
  ["id eq 'r01'", (i) => i.id === 'r01'],
  ["id eq 'r03'", () => false],
  ["id in ('r01','R03','r03')", (i) => ['r01', 'R03'].includes(i.id)],
  ["scopeId eq 'Tenant'", (i) => i.scope === 'Tenant'],
  ['createdDateTime gt 2024-01-01T00:00:00.000001Z', (i) => at('2024-01-01T00:00:00.000001Z')(i.created)],
  ['createdDateTime eq 2024-01-01T00:00:00.000002Z', (i) => i.created === '2024-01-01T00:00:00.000002Z'],
  ['createdDateTime le 2024-01-01T01:00:00.5+01:00', (i) => i.created <= '2024-01-01T00:00:00.500000Z'],
  ['not (lastActionDateTime lt 2024-01-01T00:00:00.5Z)', (i) => !(i.last !== null && i.last < '2024-01-01T00:00:00.500000Z')],
  ['lastActionDateTime ge 2024-01-01T00:00:00Z and lastActionDateTime lt 2024-03-01T12:00:00Z', (i) => i.last !== null && i.last >= '2024-01-01T00:00:00.000000Z' && i.last < '2024-03-01T12:00:00.000000Z'],
  ['isActive', (i) => i.active === true],
  ['not isActive', (i) => i.active !== true],
  ['not not isActive', (i) => i.active === true],
  ['isActive eq false', (i) => i.active === false],
  ['isActive ne false', (i) => i.active !== false],
  ["status in ('running','failed') and incidentCount ge 3", (i) => ['running', 'failed'].includes(i.status) && i.n !== null && i.n >= 3],
  ["status eq microsoft.graph.longRunningOperationStatus'succeeded'", (i) => i.status === 'succeeded'],
  ["not (status eq 'running' or incidentCount lt 0)", (i) => !(i.status === 'running' || (i.n !== null && i.n < 0))],
  ["incidentCount gt 0 or displayName eq 'beta' and isActive eq false", (i) => (i.n !== null && i.n > 0) || (lower(i.name) === 'beta' && i.active === false)],
  ['incidentCount ne 3', (i) => i.n !== 3],
  ['not (incidentCount in (3, 10))', (i) => i.n !== 3 && i.n !== 10],
];

const SORTS: string[] = [
  '',
  'createdDateTime desc',
  'createdDateTime',
  'displayName asc,lastActionDateTime desc',
  'isActive desc,displayName desc',
  'status,lastActionDateTime',
  'incidentCount desc,createdDateTime asc',
  'lastActionDateTime desc',
  'id desc',
];

for (const [name, open] of [['PostgreSQL', openPostgres], ['PGlite', openPglite]] as const) {
  describe(`SQL on ${name}`, () => {
    let db: Backend;

    before(async () => {
      db = await open();
      await db.query(`CREATE TEMP TABLE items (
        id text COLLATE "C" PRIMARY KEY, name text COLLATE "C", created_at timestamptz NOT NULL, last_action_at timestamptz,
        active boolean, status text NOT NULL, n integer, scope_id text COLLATE "C",
        resource_location text, status_detail text, secret text)`);
      for (const i of ITEMS) {
        await db.query('INSERT INTO items (id, name, created_at, last_action_at, active, status, n, scope_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          i.id, i.name, i.created, i.last, i.active, i.status, i.n, i.scope,
        ]);
      }
    });

    after(() => db?.close());

    const select = async (filter: string, orderBy: string, params: unknown[], limit?: number) =>
      db.query(`SELECT * FROM items WHERE ${filter} ORDER BY ${orderBy}${limit === undefined ? '' : ` LIMIT ${limit}`}`, params);

    test('every filter selects exactly the rows OData semantics select', async () => {
      let nonTrivial = 0;
      for (const [text, predicate] of FILTERS) {
        const params: unknown[] = [];
        const where = numberedAfter(params, filterToSql(parseFilter(text, spec), spec));
        const rows = await select(where, 'id', params);
        const expected = ITEMS.filter(predicate).map((i) => i.id).sort();
        assert.deepEqual(rows.map((r) => r.id), expected, `$filter=${text}  ->  ${where}`);
        if (expected.length > 0 && expected.length < ITEMS.length) nonTrivial += 1;
      }
      assert.ok(nonTrivial >= FILTERS.length - 1, 'the fixtures should make the filters discriminate');
    });

    test('a long flat chain runs', async () => {
      const text = Array.from({ length: 150 }, (_, k) => `incidentCount ne ${k + 100}`).join(' and ');
      const params: unknown[] = [];
      const rows = await select(numberedAfter(params, filterToSql(parseFilter(text, spec), spec)), 'id', params);
      assert.equal(rows.length, ITEMS.length);
    });

    test('ORDER BY follows OData ordering: nulls smallest, enums by member, the key last', async () => {
      for (const orderby of SORTS) {
        const options = parseQueryOptions(orderby ? { $orderby: orderby } : {}, spec, { collection: true });
        const sort = effectiveSort(options.orderby, spec);
        const rows = await select('TRUE', orderByToSql(sort, spec), []);
        assert.deepEqual(rows.map((r) => r.id), modelOrder(ITEMS, sort), `$orderby=${orderby}`);
      }
    });

    /** Follows $skiptoken pages the way a client follows @odata.nextLink. */
    async function pageThrough(query: Record<string, string>, top: number): Promise<string[][]> {
      const pages: string[][] = [];
      let skiptoken: string | undefined;
      do {
        const options = parseQueryOptions({ ...query, $top: String(top), ...(skiptoken ? { $skiptoken: skiptoken } : {}) }, spec, { collection: true });
        const sort = effectiveSort(options.orderby, spec);
        const fingerprint = queryFingerprint(options);
        const params: unknown[] = [];
        const where = ['TRUE'];
        if (options.filter) where.push(numberedAfter(params, filterToSql(options.filter, spec)));
        if (options.skiptoken) where.push(numberedAfter(params, seekToSql(options.skiptoken, sort, spec, fingerprint)));
        const rows = await select(where.join(' AND '), orderByToSql(sort, spec), params, top + 1);
        const page = rows.slice(0, top);
        pages.push(page.map((r) => r.id as string));
        skiptoken = rows.length > top ? makeSkiptoken(sort, entity(page.at(-1) as Row), fingerprint) : undefined;
        assert.ok(pages.length <= ITEMS.length + 1, 'paging does not terminate');
      } while (skiptoken);
      return pages;
    }

    test('keyset paging returns every row once, in order, for mixed directions, nulls and ties', async () => {
      for (const orderby of SORTS) {
        for (const filter of [undefined, "not (status eq 'failed')"]) {
          const query: Record<string, string> = { ...(orderby ? { $orderby: orderby } : {}), ...(filter ? { $filter: filter } : {}) };
          const options = parseQueryOptions(query, spec, { collection: true });
          const items = filter ? ITEMS.filter((i) => i.status !== 'failed') : ITEMS;
          const expected = modelOrder(items, effectiveSort(options.orderby, spec));
          for (const top of [1, 4, 7]) {
            const pages = await pageThrough(query, top);
            assert.deepEqual(pages.flat(), expected, `$orderby=${orderby} $filter=${filter} $top=${top}`);
            assert.ok(pages.slice(0, -1).every((p) => p.length === top), 'every page but the last is full');
          }
        }
      }
    });

    test('a token from one query is refused by another', async () => {
      const sort = effectiveSort([{ property: 'createdDateTime', desc: true }], spec);
      const [first] = await select('TRUE', orderByToSql(sort, spec), [], 1);
      const token = makeSkiptoken(sort, entity(first as Row), queryFingerprint({ orderby: [{ property: 'createdDateTime', desc: true }] }));
      const other = parseQueryOptions({ $orderby: 'createdDateTime desc', $filter: 'isActive', $skiptoken: token }, spec, { collection: true });
      assertBadRequest(() => numberedAfter([], seekToSql(token, sort, spec, queryFingerprint(other))), 'Invalid $skiptoken value.');
    });
  });
}
