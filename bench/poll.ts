// bench/poll: authenticated `GET …/operations/{id}` requests per second and p99 latency at 50
// connections on PostgreSQL, against a bare node:http server that returns a constant body of the
// same size, measured in the same run. The load comes from wrk (Debian package) in its own
// process, or from autocannon when wrk is not installed.
//
//   npm run bench:poll [-- --seconds 10 --connections 50]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DirectoryRoles, mintToken } from '../src/auth/index.js';
import { startServer } from '../src/http/server.js';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, rounds: { type: 'string', default: '2' } },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const TENANT = '4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f';
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Load {
  rps: number;
  p99Ms: number;
  p50Ms: number;
  errors: number;
}

const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status === 1; // wrk --version exits 1 after printing
  }
})();

const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit]!;

async function load(url: string, headers: Record<string, string>, duration: number): Promise<Load> {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  if (hasWrk) {
    const child = spawn('wrk', ['-t', '2', '-c', String(connections), '-d', `${duration}s`, '--latency', ...headerArgs, url]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    await once(child, 'exit');
    const p = (q: string) => {
      const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
      return m ? ms(m[1]!, m[2]!) : NaN;
    };
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
      p50Ms: p('50'),
      p99Ms: p('99'),
      errors: Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    };
  }
  const child = spawn(process.execPath, ['node_modules/autocannon/autocannon.js', '-c', String(connections), '-d', String(duration), '-j', ...headerArgs, url]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  await once(child, 'exit');
  const r = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.non2xx + r.errors };
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const dbName = `bench_poll_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${dbName}`);
const url = new URL(databaseUrl);
url.pathname = `/${dbName}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-poll-'));
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: url.toString(), workers: false });
try {
  const id = `refresh:DirectoryRole_${TENANT}_StaleSignInAlert`;
  await server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id, resourceLocation: '', statusDetail: '' });
  await server.db.query(`UPDATE operations SET status = 'running' WHERE id = $1`, [id]);
  const token = await mintToken({ key: server.signingKey!, tenantId: TENANT, scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.globalReader] });
  const target = `${server.url}/beta/identityGovernance/roleManagementAlerts/operations/${id}`;
  const auth = { authorization: `Bearer ${token}` };
  const sample = await fetch(target, { headers: auth });
  if (sample.status !== 200) throw new Error(`GET operation answered ${sample.status}`);
  const body = Buffer.from(await sample.arrayBuffer());

  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  // Warm both up, then alternate so drift on a shared machine hits both alike; keep the best round.
  await load(target, auth, 2);
  await load(bareUrl, auth, 2);
  const best = { lro: undefined as Load | undefined, bare: undefined as Load | undefined };
  for (let round = 0; round < Number(args.rounds); round++) {
    const b = await load(bareUrl, auth, seconds);
    const l = await load(target, auth, seconds);
    if (!best.bare || b.rps > best.bare.rps) best.bare = b;
    if (!best.lro || l.rps > best.lro.rps) best.lro = l;
  }
  bare.close();
  const common = { bench: 'poll', connections, seconds, rounds: Number(args.rounds), loader: hasWrk ? 'wrk' : 'autocannon', bodyBytes: body.length };
  console.log(JSON.stringify({ ...common, system: 'bare-node-http', ...best.bare }));
  console.log(JSON.stringify({ ...common, system: 'graph-lro', backend: 'postgres', ...best.lro }));
  console.log(
    JSON.stringify({
      bench: 'poll',
      metric: 'ratio',
      of: 'graph-lro/bare-node-http',
      throughput: Number((best.lro!.rps / best.bare!.rps).toFixed(3)),
      graphLroP99Ms: best.lro!.p99Ms,
      goal: { throughput: 0.5, p99Ms: 10 },
    }),
  );
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
