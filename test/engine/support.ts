// What the engine suites (one file per module of src/engine) share: a fresh database on one
// backend for the calling describe block, engines started on it with short leases and polls, and
// reads of the operations of the test family.
import { after, before } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import type { HandlerDefinition } from '../../src/engine/index.js';
import { eventually, TENANT } from '../support/backends.js';
import type { Backend, TestDatabase } from '../support/backends.js';

export const FAMILY = 'test';

/**
 * Hooks of the calling describe block: a fresh database on `backend` opened before its tests
 * (handed to `opened`, with the database for more connections); after them, every engine in
 * `engines` (those `startEngine` started, and any a test pushes) is stopped, then the database
 * is dropped.
 */
export function engineSuite(backend: Backend, opened: (db: Db, database: TestDatabase) => void = () => undefined) {
  let database: TestDatabase;
  let db: Db;
  const engines: Engine[] = [];

  before(async () => {
    database = await backend.create();
    db = await database.open();
    opened(db, database);
  });
  after(async () => {
    await Promise.all(engines.map((e) => e.stop(0)));
    await database.drop();
  });

  const startEngine = async (handlers: Record<string, HandlerDefinition>, options: ConstructorParameters<typeof Engine>[1] = {}) => {
    const engine = new Engine(db, { leaseMs: 400, pollIntervalMs: 50, retryBaseMs: 20, ...options });
    for (const [kind, handler] of Object.entries(handlers)) engine.register(kind, handler);
    await engine.start();
    engines.push(engine);
    return engine;
  };
  const read = (engine: Engine, id: string, tenant = TENANT) => engine.get(tenant, FAMILY, id);
  const settled = (engine: Engine, id: string) =>
    eventually(async () => {
      const op = await read(engine, id);
      return op && (op.status === 'succeeded' || op.status === 'failed') ? op : undefined;
    }, 15_000, `operation ${id} to end`);

  return { engines, startEngine, read, settled };
}
