import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { lockEmbeddedDatabase } from './lock.js';
import { migrate } from './migrate.js';

export interface OpenOptions {
  /** `postgres://…`: a shared PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** PGlite's data directory; in memory when absent. */
  dataDir?: string;
  poolSize?: number;
}

/** Opens the database and brings its schema up to date; an embedded one on disk is locked to this process. */
export async function openDb(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) return migrated(await openPostgres(options.databaseUrl, { max: options.poolSize }));
  if (!options.dataDir) return migrated(await openPglite());
  const unlock = lockEmbeddedDatabase(options.dataDir);
  try {
    const db = await openPglite(options.dataDir);
    return await migrated({ ...db, lockedToProcess: true, close: () => db.close().finally(unlock) });
  } catch (err) {
    unlock();
    throw err;
  }
}

async function migrated(db: Db): Promise<Db> {
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
