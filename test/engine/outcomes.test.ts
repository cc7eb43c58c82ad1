import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import type { HandlerDefinition } from '../../src/engine/index.js';
import { backends, eventually, freshDatabase, TENANT } from '../support/backends.js';

const FAMILY = 'test';

for (const backend of backends) {
  describe(`outcomes the database refuses, on ${backend.name}`, () => {
    let db: Db;
    freshDatabase(backend, (opened) => (db = opened));

    const run = async (handlers: Record<string, HandlerDefinition>, body: (engine: Engine) => Promise<void>) => {
      const engine = new Engine(db, { leaseMs: 2_000, pollIntervalMs: 50 });
      for (const [kind, handler] of Object.entries(handlers)) engine.register(kind, handler);
      await engine.start();
      try {
        await body(engine);
      } finally {
        await engine.stop(0);
      }
    };
    const settled = (engine: Engine, id: string) =>
      eventually(async () => {
        const op = await engine.get(TENANT, FAMILY, id);
        return op && (op.status === 'succeeded' || op.status === 'failed') ? op : undefined;
      }, 15_000, `operation ${id} to end`);

    test('U+0000 in a result, a statusDetail or a progress report is stored as U+FFFD', async () => {
      await run(
        {
          'test.nul': {
            async handle(ctx) {
              await ctx.progress('reading u\0');
              return { statusDetail: 'done with u\0', result: { errors: [{ value: 'a\0b', 'k\0': 1 }] } };
            },
          },
        },
        async (engine) => {
          await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.nul', id: 'nul' });
          const op = await settled(engine, 'nul');
          assert.equal(op.status, 'succeeded');
          assert.equal(op.statusDetail, 'done with u\uFFFD');
          assert.deepEqual(op.result, { errors: [{ value: 'a\uFFFDb', 'k\uFFFD': 1 }] });
        },
      );
    });

    test('an outcome the database cannot store fails its own operation and none of the others written with it', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      await run(
        {
          'test.batch': {
            async handle(ctx) {
              started++;
              await gate;
              // A lone surrogate: JSON.stringify escapes it, and jsonb refuses the escape.
              return ctx.operation.input.bad ? { result: { value: '\ud800' } } : { statusDetail: 'stored' };
            },
          },
        },
        async (engine) => {
          const ids = ['b1', 'b2', 'bad', 'b3', 'b4'];
          for (const id of ids) await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.batch', id, input: { bad: id === 'bad' } });
          await eventually(() => (started === ids.length ? true : undefined));
          release();
          const ops = await Promise.all(ids.map((id) => settled(engine, id)));
          for (const op of ops) {
            if (op.id === 'bad') {
              assert.equal(op.status, 'failed');
              assert.match(op.statusDetail!, /^The operation's outcome could not be stored: /);
            } else {
              assert.deepEqual([op.status, op.statusDetail], ['succeeded', 'stored'], op.id);
            }
          }
          // The worker is free for more work afterwards.
          await engine.create({ tenantId: TENANT, family: FAMILY, kind: 'test.batch', id: 'after' });
          assert.equal((await settled(engine, 'after')).status, 'succeeded');
        },
      );
    });
  });
}
