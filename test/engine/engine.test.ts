import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine, PermanentError } from '../../src/engine/index.js';
import type { HandlerDefinition, Operation } from '../../src/engine/index.js';
import { claimOperations, completeOperations, reportProgress } from '../../src/engine/store.js';
import { backends, eventually, OTHER_TENANT, sleep, TENANT } from '../support/backends.js';
import type { TestDatabase } from '../support/backends.js';
import { instant } from '../support/time.js';

const FAMILY = 'test';

for (const backend of backends) {
  describe(`engine on ${backend.name}`, () => {
    let database: TestDatabase;
    let db: Db;
    const engines: Engine[] = [];

    before(async () => {
      database = await backend.create();
      db = await database.open();
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

    test('a failing handler is retried with backoff, visibly, and fails after max attempts', async () => {
      const seen: number[] = [];
      const engine = await startEngine({
        'test.flaky': {
          maxAttempts: 3,
          async handle(ctx) {
            seen.push(ctx.attempt);
            throw new Error(`boom ${ctx.attempt}`);
          },
        },
      });
      const sub = engine.changes.subscribe(TENANT, 'flaky');
      const { operation } = await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.flaky', id: 'flaky' });
      const details: string[] = [];
      for (;;) {
        await sub.changed(5_000);
        const op = (await read(engine, operation.id))!;
        if (op.statusDetail && details.at(-1) !== op.statusDetail) details.push(op.statusDetail);
        if (op.status === 'failed') break;
        assert.equal(op.status === 'notStarted' || op.status === 'running', true);
      }
      sub.close();
      assert.deepEqual(seen, [1, 2, 3]);
      assert.match(details[0]!, /^Attempt 1 of 3 failed \(boom 1\); retrying in [\d.]+ s\.$/);
      assert.equal(details.at(-1), 'Failed after 3 attempts: boom 3');
      const final = (await read(engine, operation.id))!;
      assert.equal(final.attempts, 3);
    });

    test('a PermanentError fails the operation at once, with its message as statusDetail', async () => {
      const engine = await startEngine({ 'test.permanent': { async handle() { throw new PermanentError('the connector is gone'); } } });
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.permanent', id: 'permanent' });
      const op = await settled(engine, 'permanent');
      assert.equal(op.status, 'failed');
      assert.equal(op.statusDetail, 'the connector is gone');
      assert.equal(op.attempts, 1);
    });

    test('an attempt past its timeout fails the operation and aborts the handler’s signal', async () => {
      let aborted: unknown;
      const engine = await startEngine({
        'test.slow': {
          timeoutMs: 150,
          async handle(ctx) {
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
            aborted = ctx.signal.reason;
          },
        },
      });
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.slow', id: 'slow' });
      const op = await settled(engine, 'slow');
      assert.equal(op.status, 'failed');
      assert.equal(op.statusDetail, 'Timed out after 0.2 s.');
      assert.equal(op.attempts, 1);
      assert.equal((aborted as Error).name, 'TimeoutError');
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

    test('after a lost lease the handler still has its whole failure budget', async () => {
      const engine = new Engine(db);
      await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.budget', id: 'budget', maxAttempts: 2 });
      await claimOperations(db, { owner: 'dead-worker', kinds: ['test.budget'], limit: 1, leaseMs: 50, retentionMs: 60_000, maxInterruptions: 10 });
      await sleep(80);
      const seen: number[] = [];
      const live = await startEngine({ 'test.budget': { async handle(ctx) { seen.push(ctx.attempt); throw new Error(`boom ${ctx.attempt}`); } } });
      const op = await settled(live, 'budget');
      assert.deepEqual(seen, [2, 3], 'two failed attempts after the interrupted one');
      assert.equal(op.statusDetail, 'Failed after 2 attempts: boom 3');
    });

    test('graceful shutdown lets short work finish and hands long work back to another worker', async () => {
      let releaseLong!: () => void;
      const longGate = new Promise<void>((r) => (releaseLong = r));
      const first = new Engine(db, { leaseMs: 5_000, pollIntervalMs: 50 });
      let started = 0;
      first.register('test.shutdown', {
        async handle(ctx) {
          started++;
          if (ctx.operation.input.long) await Promise.race([longGate, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
          else await sleep(100);
        },
      });
      await first.start();
      await first.create({ tenantId: TENANT, family: FAMILY, kind: 'test.shutdown', id: 'short-work' });
      await first.create({ tenantId: TENANT, family: FAMILY, kind: 'test.shutdown', id: 'long-work', input: { long: true } });
      await eventually(() => (started === 2 ? true : undefined));
      await first.stop(300);
      assert.equal((await read(first, 'short-work'))!.status, 'succeeded');
      const handedBack = (await read(first, 'long-work'))!;
      assert.equal(handedBack.status, 'running');
      assert.deepEqual([handedBack.attempts, handedBack.interruptions], [1, 1], 'the interrupted attempt does not count as a failure');
      assert.match(handedBack.statusDetail!, /Handed back/);
      releaseLong();
      const second = await startEngine({ 'test.shutdown': { async handle() { return { statusDetail: 'resumed' }; } } }, { pollIntervalMs: 600_000 });
      const done = await settled(second, 'long-work');
      assert.equal(done.status, 'succeeded');
      assert.equal(done.attempts, 2);
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

    test('a subscription wakes on a change made by another engine', async () => {
      const watcher = new Engine(db);
      await watcher.start({ workers: false });
      engines.push(watcher);
      const { operation } = await watcher.create({ tenantId: TENANT, family: FAMILY, kind: 'test.watched', id: 'watched' });
      const sub = watcher.changes.subscribe(TENANT, operation.id);
      assert.equal(await sub.changed(50), false, 'nothing changed yet');
      const waiting = sub.changed(10_000);
      await startEngine({ 'test.watched': { async handle(ctx) { await ctx.progress('halfway'); } } });
      assert.equal(await waiting, true);
      sub.close();
      const op: Operation = (await settled(watcher, operation.id))!;
      assert.equal(op.status, 'succeeded');
    });
  });
}
