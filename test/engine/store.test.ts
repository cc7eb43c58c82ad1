// The operation store (src/engine/store.ts): creates with dedupe and inside the caller's
// transaction, claims of lost leases (interruptions, poison), and fenced worker writes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import { claimOperations, completeOperations, reportProgress } from '../../src/engine/store.js';
import { backends, eventually, OTHER_TENANT, sleep, TENANT } from '../support/backends.js';
import type { TestDatabase } from '../support/backends.js';
import { instant } from '../support/time.js';
import { engineSuite, FAMILY } from './support.js';

for (const backend of backends) {
  describe(`store on ${backend.name}`, () => {
    let database: TestDatabase;
    let db: Db;
    const { startEngine, read, settled } = engineSuite(backend, (opened, created) => ((db = opened), (database = created)));

    test('concurrent creates with one dedupe key or one id give one operation; a finished one is replaced', async () => {
      const engine = new Engine(db);
      const byKey = await Promise.all(
        Array.from({ length: 20 }, () => engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.idle', dedupeKey: 'connector-1' })),
      );
      assert.equal(byKey.filter((r) => r.created).length, 1);
      assert.equal(new Set(byKey.map((r) => r.operation.id)).size, 1);
      const otherTenant = await engine.create({ tenantId: OTHER_TENANT, family: FAMILY, kind: 'test.idle', dedupeKey: 'connector-1' });
      assert.equal(otherTenant.created, true, 'dedupe is per tenant');

      const byId = await Promise.all(
        Array.from({ length: 20 }, () => engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.idle', id: 'refresh:alert-1' })),
      );
      assert.equal(byId.filter((r) => r.created).length, 1);
      assert.ok(byId.every((r) => r.operation.id === 'refresh:alert-1'));

      // Once the operation has ended, asking again starts a new run under the same id.
      await db.query(`UPDATE operations SET status = 'succeeded' WHERE id = 'refresh:alert-1'`);
      await sleep(5);
      const again = await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.idle', id: 'refresh:alert-1' });
      assert.equal(again.created, true);
      assert.equal(again.operation.status, 'notStarted');
      assert.ok(instant(again.operation.createdAt) > instant(byId[0]!.operation.createdAt));
    });

    test('create joins the caller’s transaction: a rollback leaves nothing, a commit wakes a worker at once, also for a run again', async () => {
      let started = 0;
      const engine = await startEngine({ 'test.tx': { async handle() { started++; } } }, { pollIntervalMs: 600_000 });
      await assert.rejects(
        db.transaction(async (tx) => {
          await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.tx', id: 'tx-rolled-back' }, tx);
          throw new Error('domain write failed');
        }),
        /domain write failed/,
      );
      assert.equal(await read(engine, 'tx-rolled-back'), null);
      await db.transaction((tx) => engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.tx', id: 'tx-committed' }, tx));
      // The poll interval is ten minutes: only the NOTIFY can have started it.
      const done = await settled(engine, 'tx-committed');
      assert.equal(done.status, 'succeeded');
      assert.equal(started, 1);
      // Started again under its id (the insert's ON CONFLICT DO UPDATE): that update wakes a worker too.
      await db.transaction((tx) => engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.tx', id: 'tx-committed' }, tx));
      await eventually(async () => started === 2 || undefined);
      assert.equal((await settled(engine, 'tx-committed')).status, 'succeeded');
    });

    test('a worker that dies loses its lease: another worker retries, and the dead worker’s writes are fenced', async () => {
      const engine = new Engine(db);
      const { operation } = await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.hang', id: 'orphan', statusDetail: '' });
      let dead: { workerId: string; attempt: number };
      if (database.url) {
        // A real worker process, killed with SIGKILL while its handler runs.
        const child = spawn(process.execPath, ['dist/test/fixtures/killable-worker.js', database.url, '300'], { stdio: ['ignore', 'pipe', 'inherit'] });
        const [line] = (await once(child.stdout!, 'data')) as [Buffer];
        dead = JSON.parse(line.toString());
        child.kill('SIGKILL');
        await once(child, 'exit');
      } else {
        // PGlite has one process: a claim that is never completed stands for the dead worker.
        const [claimed] = await claimOperations(db, { owner: 'dead-worker', kinds: ['test.hang'], limit: 1, leaseMs: 300, retentionMs: 60_000, maxInterruptions: 10 });
        dead = { workerId: 'dead-worker', attempt: claimed!.attempts };
      }
      assert.equal(dead.attempt, 1);
      const running = (await read(engine, operation.id))!;
      assert.equal(running.status, 'running');

      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const survivor = await startEngine({ 'test.hang': { async handle() { await gate; return { statusDetail: 'finished by the survivor' }; } } });
      const retried = await eventually(async () => {
        const op = await read(survivor, operation.id);
        return op?.attempts === 2 ? op : undefined;
      });
      assert.equal(retried.status, 'running', 'the client keeps seeing running');
      assert.equal(retried.statusDetail, 'Resumed: the worker running attempt 1 stopped responding (this does not count as a failed attempt).');
      assert.equal(retried.interruptions, 1);

      // The dead worker's late writes change nothing.
      const stale = { tenantId: TENANT, id: operation.id, attempt: 1 };
      assert.equal(await reportProgress(db, dead.workerId, stale, 'zombie progress'), false);
      const accepted = await completeOperations(db, dead.workerId, 60_000, [{ ...stale, status: 'failed', statusDetail: 'zombie' }]);
      assert.equal(accepted.size, 0);
      assert.equal((await read(survivor, operation.id))!.status, 'running');

      release();
      const done = await settled(survivor, operation.id);
      assert.equal(done.status, 'succeeded');
      assert.equal(done.statusDetail, 'finished by the survivor');
    });

    test('a lost lease is an interruption, not a failed attempt: it spends its own budget, then fails as poison', async () => {
      const engine = new Engine(db);
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.orphan1', id: 'poison', maxAttempts: 1 });
      const claim = (owner: string) => claimOperations(db, { owner, kinds: ['test.orphan1'], limit: 10, leaseMs: 50, retentionMs: 60_000, maxInterruptions: 3 });
      assert.equal((await claim('dead-1')).length, 1);
      for (const [owner, attempts] of [['dead-2', 2], ['dead-3', 3]] as const) {
        await sleep(80);
        const [again] = await claim(owner);
        assert.deepEqual([again?.status, again?.attempts, again?.interruptions], ['running', attempts, attempts - 1], 'one failure allowed, yet it runs again');
      }
      await sleep(80);
      assert.equal((await claim('dead-4')).length, 0);
      const op = (await read(engine, 'poison'))!;
      assert.equal(op.status, 'failed');
      assert.equal(op.statusDetail, 'Failed: the workers running it stopped responding 3 times; an operation that ends every worker that takes it is not retried further.');
    });
  });
}
