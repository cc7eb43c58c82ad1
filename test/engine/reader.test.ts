// OperationReader (src/engine/reader.ts): reads arriving in one turn of the event loop share one
// query; each answer is the operation as the database has it after the read was asked (no cache);
// a key of another tenant reads as missing. On both backends.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import { Engine } from '../../src/engine/index.js';
import { OperationReader } from '../../src/engine/reader.js';
import { backends, TENANT } from '../support/backends.js';
import { engineSuite, FAMILY } from './support.js';

const OTHER_TENANT = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

for (const backend of backends) {
  describe(`reader on ${backend.name}`, () => {
    let db: Db;
    engineSuite(backend, (opened) => (db = opened));

    /** The database, with each query it is asked counted (the real one answers). */
    const counted = () => {
      const calls: string[] = [];
      const counting: Db = { ...db, query: (sql, params) => (calls.push(typeof sql === 'string' ? sql : sql.text), db.query(sql, params)) };
      return { db: counting, calls };
    };

    const create = async (tenantId: string, id: string) => {
      const engine = new Engine(db);
      await engine.create({ tenantId, family: FAMILY, kind: 'test.read', id, input: {} });
    };

    test('a burst of reads is one query; each gets its own operation, or null', async () => {
      for (let i = 0; i < 20; i++) await create(TENANT, `read-${i}`);
      await create(OTHER_TENANT, 'theirs');
      const { db: counting, calls } = counted();
      const reader = new OperationReader(counting);
      const ids = Array.from({ length: 20 }, (_, i) => `read-${i}`);
      const [mine, again, missing, foreign] = await Promise.all([
        Promise.all(ids.map((id) => reader.get(TENANT, id))),
        reader.get(TENANT, 'read-3'),
        reader.get(TENANT, 'no-such-operation'),
        reader.get(TENANT, 'theirs'),
      ]);
      assert.deepEqual(mine.map((op) => op?.id), ids);
      assert.ok(mine.every((op) => op?.tenantId === TENANT && op.status === 'notStarted'));
      assert.equal(again?.id, 'read-3');
      assert.equal(missing, null);
      assert.equal(foreign, null, "another tenant's operation reads as missing");
      assert.equal(calls.length, 1, `one query for the burst, not ${calls.length}`);
    });

    test('a read asked after a write sees the write', async () => {
      await create(TENANT, 'changing');
      const reader = new OperationReader(db);
      assert.equal((await reader.get(TENANT, 'changing'))?.statusDetail, null);
      await db.query(`UPDATE operations SET status_detail = 'step 2' WHERE tenant_id = $1 AND id = 'changing'`, [TENANT]);
      assert.equal((await reader.get(TENANT, 'changing'))?.statusDetail, 'step 2');
    });

    test('a failed query fails every read of its batch, and the next batch runs', async () => {
      let fail = true;
      const flaky: Db = { ...db, query: (sql, params) => (fail ? Promise.reject(new Error('connection lost')) : db.query(sql, params)) };
      const reader = new OperationReader(flaky);
      const results = await Promise.allSettled([reader.get(TENANT, 'read-1'), reader.get(TENANT, 'read-2')]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
      fail = false;
      assert.equal((await reader.get(TENANT, 'read-1'))?.id, 'read-1');
    });
  });
}
