// `graph-lro directory import` and `graph-lro demo` as a user runs them, against a fresh
// PostgreSQL database and an embedded data directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_TENANT_ID } from '../../src/cli/defaults.js';
import type { Db } from '../../src/db/db.js';
import { generateDemoSnapshot } from '../../src/directory/index.js';
import { OTHER_TENANT, TENANT, postgres, type TestDatabase } from '../support/backends.js';
import { smallSnapshot } from './fixtures.js';

const CLI = 'dist/src/cli/main.js';
const execute = promisify(execFile);
// The embedded default unless a test passes --database-url.
const { DATABASE_URL: _ignored, ...env } = process.env;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const run = (...args: string[]): Promise<Outcome> =>
  execute(process.execPath, [CLI, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: Outcome) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

describe('directory and demo commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-directory-cli-'));
  let database: TestDatabase;
  let db: Db;
  const count = async (table: string, tenant: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenant]))[0]!.n;
  before(async () => {
    database = await postgres.create();
    db = await database.open();
  });
  after(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('demo --out writes the snapshot; directory import loads it; a bad file changes nothing', async () => {
    const file = join(dir, 'demo.json');
    const written = await run('demo', '--users', '20', '--now', '2025-06-01T12:00:00Z', '--out', file);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stdout, /Wrote the demo tenant \(20 users\)/);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), generateDemoSnapshot({ tenantId: DEMO_TENANT_ID, users: 20, now: '2025-06-01T12:00:00Z' }));

    const imported = await run('directory', 'import', file, '--tenant', TENANT, '--database-url', database.url!);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, new RegExp(`Imported the directory of tenant ${TENANT}: 20 users, 123 roles, 12 active assignments, 10 eligible assignments, 13 activations, 123 role policies, 2 licences, 0 groups \\(0 members and owners\\), 0 administrative units \\(0 members\\)\\.\\n$`));
    assert.equal(await count('directory_users', TENANT), 20);

    const bad = smallSnapshot();
    bad.roleAssignments[2]!.roleDefinitionId = 'no-such-role';
    bad.users[0]!.createdDateTime = '2024-13-01T00:00:00Z';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const rejected = await run('directory', 'import', join(dir, 'bad.json'), '--tenant', TENANT, '--database-url', database.url!);
    assert.equal(rejected.code, 1);
    assert.equal(
      rejected.stderr,
      `graph-lro: ${join(dir, 'bad.json')} was rejected, nothing was imported:\n` +
        "  users[0].createdDateTime: malformed date '2024-13-01T00:00:00Z' (expected ISO 8601 such as 2024-05-01T08:00:00Z)\n" +
        "  roleAssignments[2].roleDefinitionId: unknown role 'no-such-role'\n",
    );
    assert.equal(await count('directory_users', TENANT), 20, 'the previous directory is still there');

    writeFileSync(join(dir, 'not.json'), '{"users": [');
    const notJson = await run('directory', 'import', join(dir, 'not.json'), '--tenant', TENANT, '--database-url', database.url!);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /not\.json is not JSON/);
  });

  test('demo loads a tenant straight into the database; usage errors are explained', async () => {
    const loaded = await run('demo', '--tenant', OTHER_TENANT, '--users', '5_000', '--database-url', database.url!);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, new RegExp(`Loaded the demo directory of tenant ${OTHER_TENANT}: 5000 users`));
    assert.equal(await count('directory_users', OTHER_TENANT), 5_000);
    assert.equal(await count('directory_licenses', OTHER_TENANT), 2);

    const tooSmall = await run('demo', '--users', '10', '--database-url', database.url!);
    assert.notEqual(tooSmall.code, 0);
    assert.match(tooSmall.stderr, /from 20 to 1000000 users/);
    const noTenant = await run('directory', 'import', 'x.json');
    assert.notEqual(noTenant.code, 0);
    assert.match(noTenant.stderr, /--tenant <tid>/);
    const badTenant = await run('directory', 'import', 'x.json', '--tenant', 'contoso');
    assert.match(badTenant.stderr, /A tenant id is a GUID/);
  });

  test('the embedded database: loaded under a lock; refused while another process holds it', async () => {
    const dataDir = join(dir, 'data');
    const loaded = await run('demo', '--users', '20', '--data-dir', dataDir);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /Loaded the demo directory of tenant 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f: 20 users/);

    const small = join(dir, 'small.json');
    writeFileSync(small, JSON.stringify(smallSnapshot()));
    writeFileSync(join(dataDir, 'pglite.lock'), `${process.pid}\n`); // this test process: alive
    const refused = await run('directory', 'import', small, '--tenant', TENANT, '--data-dir', dataDir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`in use by process ${process.pid} .*admin endpoint`));

    writeFileSync(join(dataDir, 'pglite.lock'), '999999999\n'); // no such process: a stale lock is taken over
    const imported = await run('directory', 'import', small, '--tenant', TENANT, '--data-dir', dataDir);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /3 users/);
    assert.throws(() => readFileSync(join(dataDir, 'pglite.lock')), /ENOENT/, 'released at the end');
  });
});
