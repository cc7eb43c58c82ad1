// Which blob store holds the uploads, and the sweep that empties ended sessions' containers.
//   - GRAPH_LRO_BLOB_DIR set: files in that directory (a shared file system for several instances);
//   - embedded database (PGlite) with a data directory: files in <data-dir>/blobs;
//   - otherwise (DATABASE_URL, or PGlite in memory): the database itself, which every instance reads.
import { join } from 'node:path';
import type { Db } from '../../db/db.js';
import type { BlobStore } from '../../storage/index.js';
import { DatabaseBlobStore, FileBlobStore } from '../../storage/index.js';
import { endExpiredSessions, liveSessions } from './store.js';

const stores = new WeakMap<Db, BlobStore>();

/** The store for this database, chosen once (the routes call this first; handlers find it by their ctx.db). */
export function bindBlobStore(db: Db, dataDir?: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  let store = stores.get(db);
  if (!store) {
    const dir = env.GRAPH_LRO_BLOB_DIR || (db.kind === 'pglite' && dataDir ? join(dataDir, 'blobs') : undefined);
    store = dir ? new FileBlobStore(dir) : new DatabaseBlobStore(db);
    stores.set(db, store);
  }
  return store;
}

/** The store bound to `db`; on a database no route was built for, the choice without a data directory. */
export const blobStoreOf = (db: Db): BlobStore => bindBlobStore(db);

/**
 * Ends sessions whose container expired and empties their containers, and containers no session
 * owns (left by a reset or deletion interrupted between the database and the store).
 */
export async function sweepContainers(db: Db, store: BlobStore): Promise<number> {
  let emptied = 0;
  for (;;) {
    const ended = await endExpiredSessions(db);
    for (const id of ended) await store.deleteContainer(id);
    emptied += ended.length;
    if (ended.length < 1000) break;
  }
  const containers = await store.containers();
  const live = containers.length ? await liveSessions(db, containers) : new Set<string>();
  for (const id of containers) {
    if (live.has(id)) continue;
    await store.deleteContainer(id);
    emptied += 1;
  }
  return emptied;
}

const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Sweeps a minute after start, then every 10 minutes, until `stop` aborts. */
export function startSweeping(db: Db, store: BlobStore, stop: AbortSignal, onError: (err: unknown) => void): void {
  if (stop.aborted) return;
  const sweep = () => void sweepContainers(db, store).catch(onError);
  const first = setTimeout(sweep, 60_000);
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  first.unref();
  timer.unref();
  stop.addEventListener(
    'abort',
    () => {
      clearTimeout(first);
      clearInterval(timer);
    },
    { once: true },
  );
}
