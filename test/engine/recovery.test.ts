// An embedded database is locked to one process, so at start every lease in it is the previous
// run's: a process killed mid-operation and started again resumes at once, not after the lease.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../src/db/open.js';
import { Engine } from '../../src/engine/index.js';
import { eventually, TENANT } from '../support/backends.js';
import { migrations } from '../../src/families/index.js';

const HOUR_MS = 60 * 60 * 1000;

test('an embedded process killed mid-operation resumes it at its next start, without waiting out the lease', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-recovery-'));
  try {
    const setup = await openDb({ dataDir: dir, migrations });
    await new Engine(setup).create({ tenantId: TENANT, family: 'test', kind: 'test.hang', id: 'interrupted', maxAttempts: 1 });
    await setup.close();

    // A real process takes it with an hour-long lease and is killed while the handler runs.
    const child = spawn(process.execPath, ['dist/test/fixtures/killable-worker.js', dir, String(HOUR_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    assert.equal(JSON.parse(line.toString()).id, 'interrupted');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const db = await openDb({ dataDir: dir, migrations });
    const engine = new Engine(db, { leaseMs: HOUR_MS, pollIntervalMs: HOUR_MS });
    engine.register('test.hang', { async handle() { return { statusDetail: 'finished after the restart' }; } });
    await engine.start();
    try {
      const op = await eventually(async () => {
        const read = await engine.get(TENANT, 'test', 'interrupted');
        return read?.status === 'succeeded' || read?.status === 'failed' ? read : undefined;
      }, 15_000, 'the interrupted operation to end');
      assert.deepEqual([op.status, op.statusDetail, op.attempts, op.interruptions], ['succeeded', 'finished after the restart', 2, 1]);
    } finally {
      await engine.stop(0);
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
