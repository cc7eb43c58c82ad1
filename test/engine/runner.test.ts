// The runner (src/engine/runner.ts): retries with backoff, permanent errors, timeouts, the
// failure budget after a lost lease, and graceful shutdown.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine, PermanentError } from '../../src/engine/index.js';
import { claimOperations } from '../../src/engine/store.js';
import { backends, eventually, sleep, TENANT } from '../support/backends.js';
import { engineSuite, FAMILY } from './support.js';

for (const backend of backends) {
  describe(`runner on ${backend.name}`, () => {
    let db: Db;
    const { startEngine, read, settled } = engineSuite(backend, (opened) => (db = opened));

    test('a failing handler is retried with backoff, visibly, and fails after max attempts', async () => {
      const seen: number[] = [];
      // Retries far enough apart that each attempt's statusDetail is read before the next replaces it, on a busy machine too.
      const engine = await startEngine(
        {
          'test.flaky': {
            maxAttempts: 3,
            async handle(ctx) {
              seen.push(ctx.attempt);
              throw new Error(`boom ${ctx.attempt}`);
            },
          },
        },
        { retryBaseMs: 500 },
      );
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
  });
}
