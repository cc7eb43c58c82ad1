import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openPglite } from '../../src/db/pglite.js';

describe('openPglite', () => {
  test('creates a new data directory (initdb in a child process), and opens it again with what was written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pglite-test-'));
    const dir = join(root, 'pglite');
    try {
      const db = await openPglite(dir);
      try {
        assert.ok(existsSync(join(dir, 'PG_VERSION')));
        await db.query('CREATE TABLE t (n int)');
        await db.query('INSERT INTO t VALUES ($1)', [7]);
      } finally {
        await db.close();
      }
      const again = await openPglite(dir);
      try {
        assert.deepEqual(await again.query('SELECT n FROM t'), [{ n: 7 }]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('runs with small shared buffers, on disk and in memory: PGlite zeroes them at start, so all of them stay resident', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pglite-test-'));
    try {
      for (const db of [await openPglite(join(root, 'pglite')), await openPglite()]) {
        try {
          assert.deepEqual(await db.query('SHOW shared_buffers'), [{ shared_buffers: '16MB' }]);
        } finally {
          await db.close();
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a data directory that cannot be created fails the open with the reason', async () => {
    const root = mkdtempSync(join(tmpdir(), 'pglite-test-'));
    try {
      const file = join(root, 'file');
      writeFileSync(file, 'not a directory');
      await assert.rejects(openPglite(join(file, 'pglite')), /Creating the PGlite data directory/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
