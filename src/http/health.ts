// Unauthenticated probes for orchestrators; they reveal nothing about the data.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/db.js';
import { GraphError } from '../errors.js';

export function registerHealth(app: FastifyInstance, db: Db): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    try {
      await db.query('SELECT 1');
    } catch {
      throw new GraphError(503, 'serviceNotAvailable', 'The database is not reachable.', { headers: { 'retry-after': '5' } });
    }
    return { status: 'ready' };
  });
}
