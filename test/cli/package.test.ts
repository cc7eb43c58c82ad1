// The packages as a user installs them: `npm pack` of the service and of the client, installed
// into an empty folder (no clone, no build), then `npx graph-lro --help`, `npx graph-lro serve` on
// its embedded default with the demo tenant answering a request, and the client imported by name.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The embedded default: DATABASE_URL (set for the rest of the suite) would select PostgreSQL.
const { DATABASE_URL: _ignored, ...env } = process.env;

interface Packed {
  filename: string;
  files: { path: string }[];
}

/** `npm pack` of the package in `dir` into `into`; what it packed. The suite built everything already. */
async function pack(dir: string, into: string, scripts: boolean): Promise<Packed> {
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', into, ...(scripts ? [] : ['--ignore-scripts'])], { cwd: dir, env, maxBuffer: 16 << 20 });
  // Lifecycle scripts (the client's prepack build) print before the JSON.
  return (JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as Packed[])[0]!;
}

describe('the npm packages', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-package-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('pack carries only what runs; installed into an empty folder, graph-lro serves the demo and the client imports', async () => {
    const service = await pack('.', dir, false);
    const paths = service.files.map((f) => f.path);
    for (const needed of ['dist/src/cli/main.js', 'dist/src/db/pgliteInit.js', 'dist/src/families/industryData/validator/parseWorker.js', 'README.md', 'LICENSE']) {
      assert.ok(paths.includes(needed), `${needed} is packed`);
    }
    assert.deepEqual(paths.filter((p) => /^(src|test|bench|dist\/test|dist\/bench)\/|\.ts$|\.map$/.test(p)), [], 'no sources, tests, benchmarks or maps');
    // The client builds itself when packed (prepack), as `npm publish` would.
    const client = await pack('packages/client', dir, true);
    assert.deepEqual(client.files.map((f) => f.path).filter((p) => !/^dist\/|^(README\.md|LICENSE|package\.json)$/.test(p)), []);
    assert.ok(client.files.some((f) => f.path === 'dist/index.d.ts'), 'the client carries its types');

    const app = join(dir, 'app');
    await run('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), '{ "name": "try-graph-lro", "private": true, "type": "module" }\n');
    await run(NPM, ['install', resolve(dir, service.filename), resolve(dir, client.filename), '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env, maxBuffer: 16 << 20 });

    const help = await run('npx', ['graph-lro', '--help'], { cwd: app, env });
    assert.match(help.stdout, /serve/);
    assert.match(help.stdout, /token/);

    writeFileSync(join(app, 'client.js'), "import { GraphLroClient } from '@graph-lro/client';\nconsole.log(typeof GraphLroClient);\n");
    assert.equal((await run(process.execPath, ['client.js'], { cwd: app, env })).stdout.trim(), 'function');

    const child = spawn('npx', ['graph-lro', 'serve', '--port', '0', '--log-level', 'warn'], { cwd: app, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    try {
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout! })) {
        lines.push(line);
        if (/expand=alertIncidents/.test(line)) break;
      }
      const text = lines.join('\n');
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const token = /export TOKEN='([^']+)'/.exec(text)?.[1];
      assert.ok(url && token, text);
      assert.match(text, new RegExp(`embedded PGlite in ${join(app, 'data')}`));
      const res = await fetch(`${url}/beta/identityGovernance/roleManagementAlerts/alerts?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { value: unknown[] }).value.length, 7);
    } finally {
      // npx runs the bin in a child of its own: end the whole group.
      process.kill(-child.pid!, 'SIGTERM');
      await once(child, 'exit');
    }
  });
});
