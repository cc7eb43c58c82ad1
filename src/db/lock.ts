// PGlite does not stop a second process from opening the same files, and two would corrupt
// them: every process that opens an embedded database holds `<dir>.lock` (its pid) while it does.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Whether a process of this machine with this pid runs (EPERM: it does, as another user). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
}

/** Takes the lock of the embedded database in `dir`; returns its release. A dead holder's lock is taken over. */
export function lockEmbeddedDatabase(dir: string): () => void {
  mkdirSync(dirname(dir), { recursive: true });
  const path = `${dir}.lock`;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && isProcessAlive(pid)) {
        throw new DatabaseInUseError(
          `The embedded database in ${dir} is in use by process ${pid} (a running graph-lro serve?). It serves one process at a time: ` +
            'stop it first, import through the running server\'s admin endpoint (PUT /admin/directory), or run every process on a shared PostgreSQL (DATABASE_URL).',
        );
      }
      rmSync(path, { force: true });
    }
  }
}
