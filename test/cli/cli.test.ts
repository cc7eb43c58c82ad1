// The README's commands as a user runs them: `graph-lro serve`, then `graph-lro token`, then a
// request with that token; SIGTERM ends the service cleanly.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const CLI = 'dist/src/cli/main.js';
const run = promisify(execFile);
// The embedded default: DATABASE_URL (set for the rest of the suite) would select PostgreSQL.
const { DATABASE_URL: _ignored, ...env } = process.env;

describe('graph-lro command line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('serve prints its URL and a working curl command; token mints what it accepts; SIGTERM stops it', async () => {
    const serve = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'], env });
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: serve.stdout! })) {
        lines.push(line);
        if (line.includes('curl -s')) break;
      }
      const url = /listening on (http:\/\/\S+)/.exec(lines[0]!)?.[1];
      assert.ok(url, lines[0]);
      assert.match(lines.join('\n'), /embedded PGlite in .*pglite/);

      // The printed command works as printed.
      const printed = /curl -s '([^']+)' -H 'Authorization: Bearer ([^']+)'/.exec(lines.at(-1)!)!;
      const listed = await fetch(printed[1]!, { headers: { authorization: `Bearer ${printed[2]}` } });
      assert.equal(listed.status, 200);
      assert.deepEqual(((await listed.json()) as { value: unknown[] }).value, []);

      const { stdout } = await run(process.execPath, [CLI, 'token', '--data-dir', dataDir, '--scopes', 'IndustryData.ReadBasic.All,User.Read']);
      const token = stdout.trim().split('\n').at(-1)!;
      const industry = await fetch(`${url}/beta/external/industryData/operations`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(industry.status, 200);
      const denied = await fetch(`${url}/beta/identityGovernance/roleManagementAlerts/operations`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(denied.status, 403);

      const app = (await run(process.execPath, [CLI, 'token', '--data-dir', dataDir, '--roles', 'RoleManagementAlert.Read.Directory'])).stdout.trim();
      assert.equal((await fetch(`${url}/beta/identityGovernance/roleManagementAlerts/operations`, { headers: { authorization: `Bearer ${app}` } })).status, 200);

      serve.kill('SIGTERM');
      const [code] = await once(serve, 'exit');
      assert.equal(code, 0);
    } finally {
      serve.kill('SIGKILL');
    }
  });

  test('usage errors exit 2 with a message; --help shows examples', async () => {
    const failure = await run(process.execPath, [CLI, 'token', '--data-dir', dataDir]).catch((err: { code: number; stderr: string }) => err);
    assert.equal((failure as { code: number }).code, 2);
    assert.match((failure as { stderr: string }).stderr, /needs --scopes/);
    const badTenant = await run(process.execPath, [CLI, 'token', '--data-dir', dataDir, '--tenant', 'contoso', '--scopes', 'User.Read']).catch((err: { code: number; stderr: string }) => err);
    assert.equal((badTenant as { code: number }).code, 2);
    const retention = await run(process.execPath, [CLI, 'serve', '--retention', '1h']).catch((err: { code: number; stderr: string }) => err);
    assert.notEqual((retention as { code: number }).code, 0);
    assert.match((retention as { stderr: string }).stderr, /at least 24h/);
    const help = await run(process.execPath, [CLI, 'serve', '--help']);
    assert.match(help.stdout, /Examples:/);
    assert.match(help.stdout, /DATABASE_URL/);
  });
});
