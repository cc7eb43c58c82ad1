// The database going away is an outage, not a crash: PostgreSQL behind a proxy that the tests cut
// and restore (test/support/proxy.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { openDb } from '../../src/db/open.js';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { Engine } from '../../src/engine/index.js';
import { eventually, postgres, TENANT } from '../support/backends.js';
import type { TestDatabase } from '../support/backends.js';
import type { DatabaseProxy } from '../support/proxy.js';
import { proxyDatabase } from '../support/proxy.js';
import { migrations } from '../../src/families/index.js';

describe('a PostgreSQL outage', () => {
  let database: TestDatabase;
  let proxy: DatabaseProxy;
  let db: Db;
  before(async () => {
    database = await postgres.create();
    await (await database.open()).close();
    proxy = await proxyDatabase(database.url!);
    db = await openDb({ databaseUrl: proxy.url, poolSize: 4, migrations });
  });
  after(async () => {
    await proxy.up().catch(() => undefined);
    await db.close();
    await proxy.close();
    await database.drop();
  });

  const restored = () => eventually(async () => ((await db.query('SELECT 1 AS one').catch(() => []))[0] ? true : undefined));

  test('a connection cut inside a transaction fails that transaction, not the process, and the pool recovers', async () => {
    const outcome = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await proxy.down();
      await tx.query('SELECT 2');
    });
    const err = await outcome.then(() => undefined, (e: unknown) => e);
    assert.equal(isDatabaseUnavailable(err), true, String(err));
    const refused = await db.query('SELECT 1').then(() => undefined, (e: unknown) => e);
    assert.equal(isDatabaseUnavailable(refused), true, String(refused));
    await proxy.up();
    await restored();
    assert.deepEqual(await db.transaction((tx) => tx.query('SELECT 3 AS n')), [{ n: 3 }]);
  });

  test('a COPY cut halfway ends its stream with the error', async () => {
    const stream = (await db.copyOut!('COPY (SELECT repeat(\'x\', 1000) FROM generate_series(1, 200000)) TO STDOUT'))!;
    let received = 0;
    const err = await (async () => {
      for await (const chunk of stream) {
        received += chunk.length;
        if (received > 100_000 && received - chunk.length <= 100_000) await proxy.down();
      }
    })().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error, 'the stream fails');
    assert.ok(received < 200_000_000, 'it ended before all the data');
    await proxy.up();
    await restored();
  });

  test('a process that opens the database before it is up waits for it instead of failing', async () => {
    await proxy.down();
    const waits: number[] = [];
    const opening = openDb({ databaseUrl: proxy.url, poolSize: 2, onUnavailable: (_err, ms) => waits.push(ms), migrations });
    await eventually(() => (waits.length >= 2 ? true : undefined), 20_000, 'two waits');
    await proxy.up();
    const late = await opening;
    assert.deepEqual(await late.query('SELECT 1 AS one'), [{ one: 1 }]);
    await late.close();
    await restored();
    const refused = await openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test', migrations }).then(() => undefined, (e: unknown) => e);
    assert.equal(isDatabaseUnavailable(refused), true, 'without onUnavailable the error is thrown');
  });

  test('an attempt cut short by the outage resumes after it without counting as a failure', async () => {
    const engine = new Engine(db, { leaseMs: 600, pollIntervalMs: 50 });
    let attempts = 0;
    engine.register('test.outage', {
      maxAttempts: 1,
      async handle(ctx) {
        attempts++;
        if (ctx.attempt > 1) return { statusDetail: 'done after the outage' };
        await proxy.down();
        await ctx.progress('writing while the database is away');
      },
    });
    await engine.start();
    try {
      await engine.create({ tenantId: TENANT, family: 'test', kind: 'test.outage', id: 'outage' });
      await eventually(() => (attempts === 1 ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await proxy.up();
      const op = await eventually(async () => {
        const read = await engine.get(TENANT, 'test', 'outage').catch(() => null);
        return read?.status === 'succeeded' || read?.status === 'failed' ? read : undefined;
      }, 20_000, 'the operation to end');
      assert.deepEqual([op.status, op.statusDetail, op.attempts, op.interruptions], ['succeeded', 'done after the outage', 2, 1]);
    } finally {
      await engine.stop(0);
    }
  });
});
