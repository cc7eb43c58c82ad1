import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, Row, Statement } from './db.js';
import { INT8_OID, TIMESTAMPTZ_OID, sqlText, timestamptzToIso } from './db.js';

const parsers = {
  [TIMESTAMPTZ_OID]: timestamptzToIso,
  [INT8_OID]: Number,
};

/**
 * PGlite's command line plus what this service sets (a `-c` wins over the data directory's
 * postgresql.conf, where initdb wrote shared_buffers = 128MB, a server's default).
 * shared_buffers: PGlite keeps PostgreSQL's shared memory in its WebAssembly heap and zeroes it at
 * start, so all of it is resident for the life of the process, used or not (a WebAssembly heap
 * never shrinks). 16MB instead of 128MB takes an idle server's WebAssembly heap from about 154 MB
 * of RSS to about 32 MB (bench/idle). Pages that do not fit stay in the operating system's cache
 * of the data directory's files, a pread away: seeding and refreshing tenants of up to 100,000
 * users took as long as with 128MB; at 1,000,000 users, about 15 % longer.
 */
export const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/**
 * Creates the data directory when it has none, in a child process. PGlite runs initdb in a second
 * PGlite and an initdb WebAssembly module of their own, then copies the result through an
 * in-memory tar: several hundred MB that nothing references afterwards but that stayed resident in
 * an idle server (until a garbage collection happened to run, and then as free memory kept by
 * malloc, also when initdb ran in a worker thread). A process that exits gives all of it back.
 */
async function initDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const child = spawn(process.execPath, [fileURLToPath(new URL('./pgliteInit.js', import.meta.url)), dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`Creating the PGlite data directory ${dataDir} failed (${signal ?? `exit code ${code}`}): ${stderr.trim()}`)),
    );
  });
}

/** Embedded PostgreSQL (PGlite): one connection in this process, in `dataDir` or in memory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) await initDataDir(dataDir);
  const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers, startParams: START_PARAMS });
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
