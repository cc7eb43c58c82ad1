// Which blob store holds the uploads, and the sweeps that empty ended sessions' containers and
// remove the bodies of uploads whose process died.
//   - GRAPH_LRO_BLOB_DIR set: files in that directory (a shared file system for several instances);
//   - embedded database (PGlite) with a data directory: files in <data-dir>/blobs, whose only
//     writer is this process (the data directory's lock);
//   - otherwise (DATABASE_URL, or PGlite in memory): the database itself, which every instance reads.
import { join } from 'node:path';
import type { Db } from '../../db/db.js';
import type { BlobStore } from '../../storage/index.js';
import { DatabaseBlobStore, FileBlobStore } from '../../storage/index.js';
import { endExpiredSessions, liveSessions } from './store.js';

/** The store a server on `db` (with its data directory) keeps uploads in; the family opens it once, at start. */
export function openBlobStore(db: Db, dataDir?: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  const embedded = db.kind === 'pglite' && dataDir ? join(dataDir, 'blobs') : undefined;
  const dir = env.GRAPH_LRO_BLOB_DIR || embedded;
  return dir ? new FileBlobStore(dir, { exclusive: dir === embedded }) : new DatabaseBlobStore(db);
}

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
/** Abandoned bodies are looked for this often (the database store's lease is 30 s). */
const ABANDONED_INTERVAL_MS = 30_000;

/**
 * Removes abandoned bodies at once and every 30 s; sweeps containers a minute after start, then
 * every 10 minutes; until the returned function stops it.
 */
export function startSweeping(db: Db, store: BlobStore, onError: (err: unknown) => void): () => void {
  const discard = () => void store.discardAbandoned().catch(onError);
  const sweep = () => void sweepContainers(db, store).catch(onError);
  discard();
  const timers = [setTimeout(sweep, 60_000), setInterval(sweep, SWEEP_INTERVAL_MS), setInterval(discard, ABANDONED_INTERVAL_MS)];
  for (const timer of timers) timer.unref();
  return () => timers.forEach(clearTimeout);
}
