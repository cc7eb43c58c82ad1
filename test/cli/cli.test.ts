// The README's commands as a user runs them: `graph-lro serve`, then `graph-lro token`, then a
// request with that token; SIGTERM ends the service cleanly.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  /** Starts `serve`, returns its process, URL and the lines it printed up to the last curl command. */
  async function serve(args: string[], lastLine: RegExp) {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
    const lines: string[] = [];
    for await (const line of createInterface({ input: child.stdout! })) {
      lines.push(line);
      if (lastLine.test(line)) break;
    }
    const url = /listening on (http:\/\/\S+)/.exec(lines[0]!)?.[1];
    assert.ok(url, lines[0]);
    const token = /export TOKEN='([^']+)'/.exec(lines.join('\n'))?.[1];
    assert.ok(token, 'a token is printed');
    /** The URL of a printed curl command, as the shell would expand it. */
    const curlUrl = (pattern: RegExp) => lines.find((l) => pattern.test(l))!.match(/curl -s (?:"([^"]+)"|'([^']+)')/)!.slice(1).find(Boolean)!.replace(/\\\$/g, '$');
    return { child, url, token, lines, curlUrl };
  }

  test('serve seeds the demo tenant and prints commands that work as printed; token mints what it accepts; SIGTERM stops it', async () => {
    const { child, url, token, lines, curlUrl } = await serve(['--data-dir', dataDir], /expand=alertIncidents/);
    try {
      assert.match(lines.join('\n'), /embedded PGlite in .*pglite/);
      assert.match(lines.join('\n'), /demo: +tenant 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f, seeded with 1000 users/);
      const auth = { authorization: `Bearer ${token}` };

      const refresh = await fetch(curlUrl(/Prefer: wait/), { headers: { ...auth, prefer: 'wait=30' } });
      assert.equal(refresh.status, 200);
      let op = (await refresh.json()) as { status: string; statusDetail: string };
      for (let i = 0; i < 10 && op.status !== 'succeeded'; i++) op = (await (await fetch(curlUrl(/Prefer: wait/), { headers: { ...auth, prefer: 'wait=30' } })).json()) as typeof op;
      assert.equal(op.status, 'succeeded', op.statusDetail);
      const alerts = (await (await fetch(curlUrl(/expand=alertIncidents/), { headers: auth })).json()) as { value: { incidentCount: number; alertIncidents: unknown[] }[] };
      assert.equal(alerts.value.length, 7);
      assert.ok(alerts.value.every((a) => a.incidentCount > 0 && a.alertIncidents.length === a.incidentCount), 'every demo alert has incidents');

      const { stdout } = await run(process.execPath, [CLI, 'token', '--data-dir', dataDir, '--scopes', 'IndustryData.ReadBasic.All,User.Read']);
      const minted = stdout.trim().split('\n').at(-1)!;
      const industry = await fetch(`${url}/beta/external/industryData/operations`, { headers: { authorization: `Bearer ${minted}` } });
      assert.equal(industry.status, 200);
      const denied = await fetch(`${url}/beta/identityGovernance/roleManagementAlerts/operations`, { headers: { authorization: `Bearer ${minted}` } });
      assert.equal(denied.status, 403);
      const app = (await run(process.execPath, [CLI, 'token', '--data-dir', dataDir, '--roles', 'RoleManagementAlert.Read.Directory'])).stdout.trim();
      assert.equal((await fetch(`${url}/beta/identityGovernance/roleManagementAlerts/operations`, { headers: { authorization: `Bearer ${app}` } })).status, 200);

      // The embedded database is this server's alone while it runs.
      const snapshot = join(dataDir, 'empty.json');
      writeFileSync(snapshot, '{"users": []}');
      const locked = await run(process.execPath, [CLI, 'directory', 'import', snapshot, '--tenant', '4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f', '--data-dir', dataDir], { env }).catch((err: { stderr: string }) => err);
      assert.match((locked as { stderr: string }).stderr, /in use by process/);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('serve --no-demo seeds nothing and prints how to list operations', async () => {
    const other = mkdtempSync(join(tmpdir(), 'graph-lro-cli-'));
    const { child, token, curlUrl } = await serve(['--data-dir', other, '--no-demo'], /curl -s/);
    try {
      const listed = await fetch(curlUrl(/operations'/), { headers: { authorization: `Bearer ${token}` } });
      assert.equal(listed.status, 200);
      assert.deepEqual(((await listed.json()) as { value: unknown[] }).value, []);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(other, { recursive: true, force: true });
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
