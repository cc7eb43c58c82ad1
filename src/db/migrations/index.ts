import { operations } from './0001_operations.js';
import { directory } from './0002_directory.js';
import { claimFunction } from './0006_claim_function.js';
import { claimPath } from './0007_claim_path.js';
import { interruptions } from './0008_interruptions.js';
import { blobUploads } from './0009_blob_uploads.js';
import { directoryGroups } from './0013_directory_groups.js';

export interface Migration {
  version: number;
  name: string;
  /** Run one by one (PGlite's extended protocol takes one statement per query). */
  statements: readonly string[];
}

/**
 * The engine's, the directory's and the blob store's migrations. Each family lists its own
 * (Family.migrations); families/index.ts puts them all in one sequence. Versions are unique across
 * all of them; a migration once released is never edited, only followed by another.
 */
export const coreMigrations: readonly Migration[] = [operations, directory, claimFunction, claimPath, interruptions, blobUploads, directoryGroups];

/** In version order; two with one version are a programming error. */
export function inOrder(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (i > 0 && sorted[i - 1]!.version === m.version) throw new Error(`Migrations '${sorted[i - 1]!.name}' and '${m.name}' share version ${m.version}.`);
  });
  return sorted;
}
