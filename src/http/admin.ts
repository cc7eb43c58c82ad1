// graph-lro's own administration, outside Graph's namespace: replacing a tenant's directory
// snapshot while the server runs (the embedded database serves one process at a time), and the
// faults it injects.
import type { FastifyInstance } from 'fastify';
import type { Verifier } from '../auth/index.js';
import { directoryImport } from '../auth/index.js';
import type { Db } from '../db/db.js';
import { DirectoryImportError, importDirectory } from '../directory/index.js';
import { GraphError } from '../errors.js';
import { authenticated } from '../graph/route.js';
import type { FaultSettings } from './faults.js';
import { FaultsError, parseFaults } from './faults.js';

/** A directory snapshot of a million users is a few hundred megabytes of JSON. */
const SNAPSHOT_LIMIT = 512 * 1024 * 1024;

export function registerAdmin(app: FastifyInstance, db: Db, verifier: Verifier, faults?: FaultSettings): void {
  // Authorised from the headers before the body is read: only importers may send hundreds of MB.
  app.put('/admin/directory', { bodyLimit: SNAPSHOT_LIMIT, onRequest: authenticated(verifier, directoryImport) }, async (request) => {
    try {
      return await importDirectory(db, request.principal!.tenantId, request.body);
    } catch (err) {
      if (!(err instanceof DirectoryImportError)) throw err;
      const details = err.problems.map((problem) => {
        const at = problem.indexOf(': ');
        return { code: 'InvalidSnapshot', message: at < 0 ? problem : problem.slice(at + 2), target: at < 0 ? '' : problem.slice(0, at) };
      });
      throw new GraphError(400, 'BadRequest', `The snapshot was rejected and nothing was imported: ${err.problems.length} problem(s).`, { details });
    }
  });
  if (faults) {
    // Faults on demand (faults.ts): read, replaced whole, or cleared; for this process only.
    const admin = { onRequest: authenticated(verifier, directoryImport) };
    app.get('/admin/faults', admin, async () => faults.get());
    app.put('/admin/faults', admin, async (request) => {
      try {
        faults.set(parseFaults(request.body ?? {}));
      } catch (err) {
        if (!(err instanceof FaultsError)) throw err;
        throw new GraphError(400, 'BadRequest', `The faults were rejected and nothing changed: ${err.problems.length} problem(s).`, { details: err.problems });
      }
      return faults.get();
    });
    app.delete('/admin/faults', admin, async (_request, reply) => {
      faults.set({});
      return reply.code(204).send();
    });
  }
}
