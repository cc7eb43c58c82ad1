// bench/scan: a refresh of every PIM alert (POST …/alerts/refresh, then polling the operation
// with Prefer: wait until it succeeds) end to end over HTTP, on PostgreSQL, for generated
// tenants of growing size; the baseline is the same refresh on a 100-user tenant in the same run.
// Each size runs in a child process of its own, so its peak RSS is the service's for that size.
//
//   npx tsc -b && node dist/bench/scan.js [--sizes 10000,100000,1000000]
//
// Prints one JSON line per tenant size: users and directory rows, generation time, refresh time,
// per-alert scan times (a second, direct scan of each alert), incidents, RSS before the refresh
// and the process's peak RSS. Needs DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
// with the right to create databases.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { mintToken } from '../src/auth/index.js';
import { ALERT_NAMES } from '../src/families/roleManagementAlerts/model.js';
import { scanAlert } from '../src/families/roleManagementAlerts/store.js';
import { startServer } from '../src/http/server.js';

const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '10000,100000,1000000' }, child: { type: 'boolean', default: false }, users: { type: 'string' } },
});
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TENANT = '7c1e5a2b-3d4f-4a6b-9c8d-1e2f3a4b5c6d';
const mb = (kb: number) => Math.round(kb / 1024);
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Privileged built-in roles (template ids of the Entra catalogue) and a few that are not.
const ROLES: [string, string, boolean][] = [
  ['62e90394-69f5-4237-9190-012177145e10', 'Global Administrator', true],
  ['e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator', true],
  ['fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator', true],
  ['194ae4cb-b126-40b2-bd5b-6091b380977d', 'Security Administrator', true],
  ['729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator', true],
  ['966707d0-3269-4727-9be2-8c3a10f19b9d', 'Password Administrator', true],
  ['c4e39bd9-1100-46d3-8c65-fb160da0071f', 'Authentication Administrator', true],
  ['b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', 'Conditional Access Administrator', true],
  ['5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader', false],
  ['f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'Global Reader', false],
  ['4a5d8f65-41da-4de4-8968-e035b65339cf', 'Reports Reader', false],
];
const PRIVILEGED = ROLES.filter((r) => r[2]).map((r) => r[0]);

/**
 * A tenant of `users` users, set-based: every 50th user (2 %) holds privileged roles — an
 * eligibility, for half of them also a standing assignment, 1 in 10 made outside PIM — and has
 * activated over the last 40 days (some in bursts); 1 in 5,000 is a Global Administrator; 2 %
 * of accounts are disabled; sign-ins spread over 120 days, some never.
 */
async function generate(client: pg.Client, users: number) {
  const t = [TENANT];
  await client.query('INSERT INTO directory_tenants (tenant_id) VALUES ($1)', t);
  await client.query(
    `INSERT INTO directory_roles (tenant_id, id, template_id, display_name, is_built_in, is_privileged)
     SELECT $1, r.id, r.id, r.name, true, r.privileged FROM jsonb_to_recordset($2::jsonb) AS r(id text, name text, privileged boolean)`,
    [TENANT, JSON.stringify(ROLES.map(([id, name, privileged]) => ({ id, name, privileged })))],
  );
  await client.query(
    `INSERT INTO directory_users (tenant_id, id, display_name, user_principal_name, account_enabled, last_sign_in_at, created_at)
     SELECT $1, md5('user' || i)::uuid::text, 'User ' || i, 'user' || i || '@bench.example', i % 50 <> 7,
       CASE WHEN i % 97 = 0 THEN NULL ELSE now() - ((i * 7919) % (120 * 24)) * interval '1 hour' END,
       now() - interval '400 days'
     FROM generate_series(1, $2::bigint) AS i`,
    [TENANT, users],
  );
  // Privileged holders: i % 50 = 1. Their role: one of the privileged ones (not GA), by i.
  const holders = `SELECT i, md5('user' || i)::uuid::text AS uid, ($3::text[])[(2 + (i / 50) % (array_length($3::text[], 1) - 1))::int] AS role
    FROM generate_series(1, $2::bigint) AS i WHERE i % 50 = 1`;
  await client.query(
    `INSERT INTO directory_role_eligibilities (tenant_id, id, principal_id, role_id, created_at, start_at, end_at)
     SELECT $1, 'e-' || h.i, h.uid, h.role, now() - ((h.i * 31) % 300) * interval '1 day', NULL,
       CASE WHEN h.i % 11 = 0 THEN now() - interval '1 day' END
     FROM (${holders}) h`,
    [TENANT, users, PRIVILEGED],
  );
  await client.query(
    `INSERT INTO directory_role_assignments (tenant_id, id, principal_id, role_id, created_at, via_pim, activated, end_at)
     SELECT $1, 'a-' || h.i, h.uid, ($3::text[])[(2 + ((h.i / 50) + 1) % (array_length($3::text[], 1) - 1))::int],
       now() - ((h.i * 17) % 90) * interval '1 day', h.i % 500 <> 1, false, NULL::timestamptz
     FROM (${holders}) h WHERE h.i % 100 = 1
     UNION ALL
     SELECT $1, 'ga-' || i, md5('user' || i)::uuid::text, $4, now() - ((i * 13) % 400) * interval '1 day', true, false, NULL
     FROM generate_series(1, $2::bigint) AS i WHERE i % 5000 = 3`,
    [TENANT, users, PRIVILEGED, PRIVILEGED[0]],
  );
  // Activations: 0 to 6 per holder over the last 40 days; 1 holder in 7 in bursts of minutes.
  await client.query(
    `INSERT INTO directory_role_activations (tenant_id, id, principal_id, role_id, activated_at, end_at)
     SELECT $1, 'act-' || h.i || '-' || k, h.uid, h.role, at, at + interval '8 hours'
     FROM (${holders}) h
     CROSS JOIN LATERAL generate_series(1, (h.i % 7)::int) AS k
     CROSS JOIN LATERAL (SELECT CASE WHEN h.i % 7 = 6 THEN now() - interval '3 days' + k * interval '9 minutes'
                                    ELSE now() - ((h.i * k * 37) % (40 * 24)) * interval '1 hour' END AS at) a`,
    [TENANT, users, PRIVILEGED],
  );
  await client.query(
    `INSERT INTO directory_role_policies (tenant_id, role_id, mfa_required_on_activation)
     SELECT $1, r, r <> ALL ($2::text[]) FROM unnest($3::text[]) AS r`,
    [TENANT, [PRIVILEGED[4], PRIVILEGED[5]], ROLES.map((r) => r[0])],
  );
  await client.query(
    `INSERT INTO directory_licenses (tenant_id, sku_id, sku_part_number, capability_status, grants_pim)
     VALUES ($1, '84a661c4-e949-4bd2-a560-ed7766fcaf2b', 'AAD_PREMIUM_P2', 'Enabled', true)`,
    t,
  );
  // As a tenant at rest: vacuumed and analysed, so autovacuum does not run during the measurement.
  await client.query('VACUUM ANALYZE');
  const [counts] = (
    await client.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM directory_users) AS users, (SELECT count(*)::int FROM directory_role_assignments) AS assignments,
         (SELECT count(*)::int FROM directory_role_eligibilities) AS eligibilities, (SELECT count(*)::int FROM directory_role_activations) AS activations`,
    )
  ).rows;
  return counts!;
}

/** One tenant size, in this (child) process. */
async function runSize(users: number) {
  const name = `bench_scan_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-bench-scan-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: url.toString(), shutdownGraceMs: 1000 });
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    let started = performance.now();
    const rows = await generate(client, users);
    const generateSeconds = (performance.now() - started) / 1000;
    const token = await mintToken({ key: server.signingKey!, tenantId: TENANT, app: true, roles: ['RoleManagementAlert.ReadWrite.Directory'] });
    const headers = { authorization: `Bearer ${token}` };
    global.gc?.();
    const rssBeforeKb = process.resourceUsage().maxRSS;

    started = performance.now();
    const res = await fetch(`${server.url}/beta/identityGovernance/roleManagementAlerts/alerts/refresh`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ scopeId: '/', scopeType: 'DirectoryRole' }),
    });
    if (res.status !== 202) throw new Error(`refresh: ${res.status} ${await res.text()}`);
    const location = res.headers.get('location')!;
    let op: { status: string; statusDetail: string };
    do op = (await (await fetch(location, { headers: { ...headers, prefer: 'wait=60' } })).json()) as typeof op;
    while (op.status !== 'succeeded' && op.status !== 'failed');
    const refreshSeconds = (performance.now() - started) / 1000;
    if (op.status !== 'succeeded') throw new Error(`refresh failed: ${op.statusDetail}`);

    const perAlert: Record<string, number> = {};
    const incidents: Record<string, number> = {};
    for (const alert of ALERT_NAMES) {
      const t0 = performance.now();
      const outcome = await scanAlert(server.db, TENANT, alert);
      perAlert[alert] = round((performance.now() - t0) / 1000);
      incidents[alert] = outcome.status === 'scanned' ? outcome.incidents : -1;
    }
    return {
      bench: 'scan',
      users,
      rows,
      generateSeconds: round(generateSeconds, 1),
      refreshSeconds: round(refreshSeconds),
      statusDetail: op.statusDetail,
      scanSeconds: perAlert,
      incidents,
      rssBeforeRefreshMb: mb(rssBeforeKb),
      peakRssMb: mb(process.resourceUsage().maxRSS),
    };
  } finally {
    await client.end();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function child(users: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', '--users', String(users)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`size ${users}: exit ${code}`))));
  });
}

if (args.child) {
  process.stdout.write(JSON.stringify(await runSize(Number(args.users))));
  process.exit(0);
} else {
  const baseline = await child(100);
  console.log(JSON.stringify({ ...baseline, baseline: true }));
  let previous: Record<string, unknown> | undefined;
  for (const users of args.sizes.split(',').map(Number)) {
    const result = await child(users);
    const growth = previous ? { timeRatioToPrevious: round((result.refreshSeconds as number) / (previous.refreshSeconds as number), 2), sizeRatioToPrevious: users / (previous.users as number) } : {};
    console.log(JSON.stringify({ ...result, ...growth, peakRssOverBaselineMb: (result.peakRssMb as number) - (baseline.peakRssMb as number) }));
    previous = result;
  }
}
