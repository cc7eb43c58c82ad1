// What an upload may leave behind in each blob store: the suites assert there is none.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/db/db.js';
import { isContainerName } from '../../src/storage/index.js';

/** Chunks no blob and no staged block points at, and bodies still registered. */
export async function databaseLeftovers(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blob_objects o WHERE o.version = c.version)
       AND NOT EXISTS (SELECT 1 FROM blob_blocks b WHERE b.version = c.version))::int + (SELECT count(*) FROM blob_uploads)::int AS n`,
  );
  return Number(row!.n);
}

/** Bodies left in .tmp/ and content files no blob points at. */
export function fileLeftovers(root: string): number {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  let n = 0;
  for (const owner of list(join(root, '.tmp'))) n += list(join(root, '.tmp', owner)).length;
  for (const container of list(root).filter(isContainerName)) {
    const dir = join(root, container);
    const live = new Set<string>();
    for (const meta of list(join(dir, 'blobs')).filter((f) => f.endsWith('.json'))) {
      live.add((JSON.parse(readFileSync(join(dir, 'blobs', meta), 'utf8')) as { version: string }).version);
    }
    n += list(join(dir, 'data')).filter((v) => !live.has(v)).length + list(join(dir, 'tmp')).length;
  }
  return n;
}

