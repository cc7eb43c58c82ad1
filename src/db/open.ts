import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { lockEmbeddedDatabase } from './lock.js';
import { migrate } from './migrate.js';
import type { Migration } from './migrations/index.js';
import { isDatabaseUnavailable } from './unavailable.js';

export interface OpenOptions {
  /** `postgres://…`: a shared PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** PGlite's data directory; in memory when absent. */
  dataDir?: string;
  poolSize?: number;
  /**
   * PostgreSQL: when the server does not answer (not started yet, restarting), wait and try again,
   * calling this before each wait, instead of failing. For a service started with or before its
   * database; commands that should fail fast leave it out.
   */
  onUnavailable?: (err: unknown, retryInMs: number) => void;
  /** The schema to bring the database to: families/index.ts's `migrations` (every family's and the core's). */
  migrations: readonly Migration[];
}

/** Opens the database and brings its schema up to date; an embedded one on disk is locked to this process. */
export async function openDb(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) return migrated(await connectPostgres(options.databaseUrl, options), options.migrations);
  if (!options.dataDir) return migrated(await openPglite(), options.migrations);
  const unlock = lockEmbeddedDatabase(options.dataDir);
  try {
    const db = await openPglite(options.dataDir);
    return await migrated({ ...db, lockedToProcess: true, close: () => db.close().finally(unlock) }, options.migrations);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function connectPostgres(url: string, options: OpenOptions): Promise<Db> {
  for (let wait = 500; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await openPostgres(url, { max: options.poolSize });
    } catch (err) {
      if (!options.onUnavailable || !isDatabaseUnavailable(err)) throw err;
      options.onUnavailable(err, wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function migrated(db: Db, migrations: readonly Migration[]): Promise<Db> {
  try {
    await migrate(db, migrations);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
