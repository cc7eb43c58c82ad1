// The change feed (src/engine/changes.ts): subscriptions woken by changes made elsewhere.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import type { Operation } from '../../src/engine/index.js';
import { backends, TENANT } from '../support/backends.js';
import { engineSuite, FAMILY } from './support.js';

for (const backend of backends) {
  describe(`changes on ${backend.name}`, () => {
    let db: Db;
    const { engines, startEngine, settled } = engineSuite(backend, (opened) => (db = opened));

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
