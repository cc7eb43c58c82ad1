import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openPostgres } from '../../src/db/postgres.js';
import { migrate } from '../../src/db/migrate.js';
import { migrations } from '../../src/families/index.js';
import { postgres } from '../support/backends.js';

describe('migrations on postgres', () => {
  test('processes starting at once apply each migration exactly once', async () => {
    const database = await postgres.create();
    try {
      const dbs = await Promise.all(Array.from({ length: 4 }, () => openPostgres(database.url!, { max: 2 })));
      try {
        const applied = await Promise.all(dbs.map((db) => migrate(db, migrations)));
        const versions = migrations.map((m) => m.version);
        assert.deepEqual(applied.flat().sort((a, b) => a - b), versions, 'every version applied by exactly one of them');
        assert.deepEqual(await migrate(dbs[0]!, migrations), [], 'nothing left to apply');
        const rows = await dbs[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => r.version), versions);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
      }
    } finally {
      await database.drop();
    }
  });
});
