// Child process of pglite.ts's initDataDir: `node pgliteInit.js <dataDir>` creates a new PGlite
// data directory (PGlite runs initdb when the directory has none) and exits, returning every byte
// initdb used to the operating system. A failure is one line on stderr and exit code 1.
import { PGlite } from '@electric-sql/pglite';
import { START_PARAMS } from './pglite.js';

try {
  const pglite = await PGlite.create({ dataDir: process.argv[2]!, startParams: START_PARAMS });
  await pglite.close();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
