import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row, Statement } from './db.js';
import { INT8_OID, TIMESTAMPTZ_OID, sqlText, timestamptzToIso } from './db.js';

const parsers = {
  [TIMESTAMPTZ_OID]: timestamptzToIso,
  [INT8_OID]: Number,
};

/** Embedded PostgreSQL (PGlite): one connection in this process, in `dataDir` or in memory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers });
  await pglite.exec("SET TimeZone = 'UTC'");
  const run = async <R extends Row>(target: Pick<PGlite, 'query'>, sql: string | Statement, params?: readonly unknown[]) =>
    (await target.query<R>(sqlText(sql), params as unknown[] | undefined, { parsers })).rows;

  const query: Queryable['query'] = (sql, params) => run(pglite, sql, params);
  return {
    kind: 'pglite',
    query,
    control: { query },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      pglite.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) })),
    listen: (channel, onNotify) => pglite.listen(channel, onNotify),
    close: () => pglite.close(),
  };
}
