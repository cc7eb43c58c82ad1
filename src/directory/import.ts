// Importing a snapshot: check all of it, map it to rows, and replace the tenant's directory in
// one transaction. Bad input is rejected as a whole, with every problem found (up to 100 listed).
import type { Db } from '../db/db.js';
import { isGuid } from '../auth/guid.js';
import { toRows } from './mapping.js';
import type { DirectoryRows, ImportSummary } from './model.js';
import { DirectoryImportError, Problems } from './problems.js';
import { DIRECTORY_KINDS, replaceDirectory } from './store.js';
import { validateSnapshot } from './validate.js';

/** Checks a tenant id: Entra's GUID, kept in lower case as tokens carry it. */
export function tenantIdOf(tenantId: string): string {
  if (!isGuid(tenantId)) throw new DirectoryImportError([`tenant: '${tenantId}' is not a tenant id (a GUID)`]);
  return tenantId.toLowerCase();
}

/** The rows a snapshot maps to; throws DirectoryImportError listing every problem. */
export function snapshotRows(snapshot: unknown): DirectoryRows {
  const problems = new Problems();
  const valid = validateSnapshot(snapshot, problems);
  if (problems.count === 0) {
    const rows = toRows(valid, problems);
    if (problems.count === 0) return rows;
  }
  throw new DirectoryImportError(problems.list());
}

/** Replaces the tenant's directory with the snapshot (Graph shapes; see docs/directory.md). */
export async function importDirectory(db: Db, tenantId: string, snapshot: unknown): Promise<ImportSummary> {
  const tenant = tenantIdOf(tenantId);
  const rows = snapshotRows(snapshot);
  return replaceDirectory(db, tenant, async (writer) => {
    for (const kind of DIRECTORY_KINDS) await writer.insert(kind, rows[kind]);
  });
}
