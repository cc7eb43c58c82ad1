import type { Db } from './db.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import { migrate } from './migrate.js';

export interface OpenOptions {
  /** `postgres://…`: a shared PostgreSQL; otherwise embedded PGlite. */
  databaseUrl?: string;
  /** PGlite's data directory; in memory when absent. */
  dataDir?: string;
  poolSize?: number;
}

/** Opens the database and brings its schema up to date. */
export async function openDb(options: OpenOptions): Promise<Db> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, { max: options.poolSize })
    : await openPglite(options.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
