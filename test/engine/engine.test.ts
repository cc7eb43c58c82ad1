// The Engine (src/engine/engine.ts): an operation's whole life through its API, a create that
// its own worker claims at once, and the retention sweep.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import { backends, eventually, OTHER_TENANT, sleep, TENANT } from '../support/backends.js';
import { instant } from '../support/time.js';
import { engineSuite, FAMILY } from './support.js';

for (const backend of backends) {
  describe(`engine on ${backend.name}`, () => {
    let db: Db;
    const { startEngine, read, settled } = engineSuite(backend, (opened) => (db = opened));

    test('an operation goes notStarted → running → succeeded with its timestamps, detail and result', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const engine = await startEngine({
        'test.lifecycle': {
          async handle(ctx) {
            await ctx.progress('step 1 of 2');
            await gate;
            return { resourceLocation: 'https://example.test/things/1', result: { count: 7 }, statusDetail: 'done' };
          },
        },
      }, { workerId: 'lifecycle' });
      const reader = new Engine(db);
      const { operation: created, created: isNew } = await reader.create({ tenantId: TENANT, family: FAMILY, kind: 'test.lifecycle', resourceLocation: '' });
      assert.equal(isNew, true);
      assert.equal(created.status, 'notStarted');
      assert.match(created.id, /^[0-9a-f-]{36}$/);
      assert.equal(created.createdAt, created.lastActionAt);
      assert.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      assert.equal(created.resourceLocation, '');

      const running = await eventually(async () => {
        const op = await read(engine, created.id);
        return op?.statusDetail === 'step 1 of 2' ? op : undefined;
      });
      assert.equal(running.status, 'running');
      assert.equal(running.attempts, 1);
      assert.ok(instant(running.lastActionAt) > instant(created.createdAt), 'lastActionDateTime moves on progress');
      release();
      const done = await settled(engine, created.id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.statusDetail, 'done');
      assert.equal(done.resourceLocation, 'https://example.test/things/1');
      assert.deepEqual(done.result, { count: 7 });
      assert.equal(done.createdAt, created.createdAt);
      assert.ok(instant(done.lastActionAt) >= instant(running.lastActionAt));
      assert.equal(await read(engine, created.id, OTHER_TENANT), null, 'another tenant does not see it');
    });

    test('a create of its own on a worker with a free slot is claimed by it at once; with no free slot it waits for a claim', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const ran: string[] = [];
      const options = { concurrency: 1, pollIntervalMs: 600_000 };
      const here = await startEngine({ 'test.eager': { async handle(ctx) { ran.push(`here ${ctx.operation.id}`); await gate; } } }, { ...options, workerId: 'eager-here' });
      await startEngine({ 'test.eager': { async handle(ctx) { ran.push(`there ${ctx.operation.id}`); } } }, { ...options, workerId: 'eager-there' });

      const first = await here.create({ tenantId: TENANT, family: FAMILY, kind: 'test.eager', id: 'eager-1' });
      assert.deepEqual([first.created, first.operation.status, first.operation.attempts], [true, 'running', 1]);
      const [row] = await db.query<{ lease_owner: string }>(`SELECT lease_owner FROM operations WHERE id = 'eager-1'`);
      assert.equal(row!.lease_owner, 'eager-here');
      await eventually(async () => ran.includes('here eager-1') || undefined);

      // The only slot is busy: the operation waits, and the other worker's claim takes it.
      const second = await here.create({ tenantId: TENANT, family: FAMILY, kind: 'test.eager', id: 'eager-2' });
      assert.deepEqual([second.operation.status, second.operation.attempts], ['notStarted', 0]);
      assert.equal((await settled(here, 'eager-2')).status, 'succeeded');
      release();
      assert.equal((await settled(here, 'eager-1')).status, 'succeeded');
      assert.deepEqual(ran, ['here eager-1', 'there eager-2']);
    });

    test('the retention sweep purges ended operations past retention and nothing else', async () => {
      const engine = await startEngine({ 'test.retained': { async handle() {} } }, { retentionMs: 200 });
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.retained', id: 'retained' });
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.never-run', id: 'pending' });
      await settled(engine, 'retained');
      assert.equal(await engine.sweep(), 0, 'kept while within retention');
      await sleep(250);
      const purged = await Promise.all([engine.sweep(), engine.sweep()]);
      assert.equal(purged[0]! + purged[1]!, 1, 'two sweeps at once purge it once');
      assert.equal(await read(engine, 'retained'), null);
      assert.equal((await read(engine, 'pending'))!.status, 'notStarted');
    });
  });
}
