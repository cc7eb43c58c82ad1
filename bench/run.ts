// bench/run: an industry data run end to end over HTTP, on PostgreSQL — the upload bench/validate
// generates (users with roles and two enrollments each, schools, classes, a school year) uploaded
// through the session URL, an inbound flow, a directory in which every tenth user exists (so
// matching finds and misses), then POST runs/start and the operation followed with Prefer: wait
// until it ends, provisioning through an outbound set with one flow of each type (users created
// for the unmatched). Phases are timed from the run's progress (statusDetail: validating, loading,
// provisioning), each seen the moment it changes (a long poll answers on every change).
//
// Baselines, in the same run and on the same PostgreSQL server: COPY of the same CSV files into
// plain text tables (no validation, no merge, no matching): the floor of any load; and, after the
// first round, as many users and memberships as it wrote inserted into empty copies of the
// directory's tables: the floor of any provisioning. Goals (issue
// 13): the whole run under 60 s for ~1M users, peak RSS of the service under 300 MB whatever the
// size, and time linear in size (10× input ≤ 11× time).
//
//   npx tsc -b && node dist/bench/run.js                  # 100k and 1m users
//   node dist/bench/run.js --inputs 100k --rounds 2
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { round, withClient } from './support/scratch-db.js';
import { csvFiles, generate, totalBytes } from './support/sds-upload.js';
import type { Service } from './support/service.js';
import { BENCH_TENANT, serveChild, spawnService, uploadedConnector } from './support/service.js';

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100k,1m' },
    rounds: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

const CACHE = join(tmpdir(), 'graph-lro-bench-validate');
const MB = 1024 * 1024;
const SCOPES = [
  'IndustryData-SourceSystem.ReadWrite.All',
  'IndustryData-DataConnector.ReadWrite.All',
  'IndustryData-InboundFlow.ReadWrite.All',
  'IndustryData.ReadBasic.All',
  'IndustryData-Run.Start',
  'IndustryData-OutboundFlow.ReadWrite.All',
];

/** The outbound flows a run provisions: every type, users created for the unmatched nine tenths. */
const PROVISIONING_FLOWS = [
  { '@odata.type': '#microsoft.graph.industryData.userProvisioningFlow', createUnmatchedUsers: true, managementOptions: {} },
  { '@odata.type': '#microsoft.graph.industryData.classGroupProvisioningFlow', configuration: {} },
  { '@odata.type': '#microsoft.graph.industryData.administrativeUnitProvisioningFlow', creationOptions: { createBasedOnOrg: true } },
  { '@odata.type': '#microsoft.graph.industryData.securityGroupProvisioningFlow', creationOptions: { createBasedOnRoleGroup: true, createBasedOnOrgPlusRoleGroup: true } },
];

const usersOf = (spec: string) => {
  const m = /^(\d+(?:\.\d+)?)(k|m)$/i.exec(spec);
  if (!m) throw new Error(`input '${spec}': expected e.g. 100k or 1m users`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000));
};

/** Every tenth generated user in the directory (user principal name = the CSV's username). */
async function seedDirectory(databaseUrl: string, users: number): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    const schools = Math.max(10, Math.ceil(users / 1000));
    await client.query(
      `INSERT INTO directory_users (tenant_id, id, display_name, user_principal_name)
       SELECT $1, 'd' || i, 'User ' || i, 'user' || i || '@school' || (i % $3) || '.bench.example.edu' FROM generate_series(0, $2 - 1, 10) AS i`,
      [BENCH_TENANT, users, schools],
    );
  });
}

/** The baseline: COPY of every file into a text table of its own, on the service's database server. */
async function copyBaseline(databaseUrl: string, dir: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const start = performance.now();
    for (const file of csvFiles(dir)) {
      const table = `baseline_${file.replace(/\W/g, '_')}`;
      const header = (await new Promise<string>((resolve, reject) => {
        const stream = createReadStream(join(dir, file), { end: 4095, encoding: 'utf8' });
        stream.once('data', (chunk) => resolve(String(chunk).split(/\r?\n/)[0]!));
        stream.once('error', reject);
      })).split(',');
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(`CREATE TABLE ${table} (${header.map((c) => `"${c}" text`).join(', ')})`);
      await pipeline(createReadStream(join(dir, file)), client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv, HEADER true)`)));
      await client.query(`DROP TABLE ${table}`);
    }
    return (performance.now() - start) / 1000;
  });
}

/**
 * The directory's floor: as many users and memberships as round 1 wrote, inserted in one statement
 * each into empty copies of directory_users and directory_group_members (same columns, keys and
 * indexes), generated in SQL in key order: the cost of writing that many rows on this server,
 * before any work of finding out what to write. At 1m users it alone is over the 60 s goal here.
 */
async function directoryFloor(databaseUrl: string, objects: number, memberships: number): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    await client.query('CREATE TABLE bench_floor_users (LIKE directory_users INCLUDING ALL)');
    await client.query('CREATE TABLE bench_floor_members (LIKE directory_group_members INCLUDING ALL)');
    try {
      const start = performance.now();
      await client.query(
        `INSERT INTO bench_floor_users (tenant_id, id, display_name, user_principal_name, mail, provisioned_by, source_key)
         SELECT $1, md5('u' || i)::uuid::text AS id, 'User ' || i, 'u' || i || '@floor.example', 'u' || i || '@floor.example', 'floor', 'u' || i
         FROM generate_series(1, $2::int) i ORDER BY id`,
        [BENCH_TENANT, objects],
      );
      // Each member in several groups (pairs unique while memberships per member ≤ groups).
      const groups = Math.max(10, Math.ceil(objects / 200));
      await client.query(
        `INSERT INTO bench_floor_members (tenant_id, group_id, member_id, role, provisioned_by)
         SELECT $1, md5('g' || (i % $3))::uuid::text AS g, md5('u' || (i / $4))::uuid::text AS m, 'member', 'floor'
         FROM generate_series(0, $2::int - 1) i ORDER BY g, m`,
        [BENCH_TENANT, memberships, groups, Math.ceil(memberships / Math.max(1, objects))],
      );
      return (performance.now() - start) / 1000;
    } finally {
      await client.query('DROP TABLE bench_floor_users, bench_floor_members');
    }
  });
}

/** Starts a run and follows it; the seconds of each phase (by statusDetail) and the run's statistics. */
async function measureRun(service: Service): Promise<Record<string, unknown>> {
  await service.command('reset');
  const start = performance.now();
  const location = (await service.call('POST', '/beta/external/industryData/runs/start')).headers.get('location')!;
  const phases: Record<string, number> = {};
  let phase = 'start';
  let since = start;
  let op: Record<string, unknown>;
  for (;;) {
    op = (await (await service.call('GET', location, undefined, { prefer: 'wait=60' })).json()) as Record<string, unknown>;
    const detail = String(op.statusDetail ?? '');
    const now = performance.now();
    const current = /: provisioning$/.test(detail)
      ? 'provision'
      : /: loading$/.test(detail)
        ? 'load and match'
        : /Validating|: $/.test(detail)
          ? 'validate'
          : op.status === 'running'
            ? phase
            : 'finish';
    if (current !== phase) {
      phases[phase] = round((phases[phase] ?? 0) + (now - since) / 1000);
      phase = current;
      since = now;
    }
    if (op.status === 'succeeded' || op.status === 'failed') break;
  }
  const seconds = (performance.now() - start) / 1000;
  const server = await service.command('report');
  const runPath = String(op.resourceLocation).replace(/^https?:\/\/[^/]+/, '');
  const stats = (await (await service.call('GET', `${runPath}/getStatistics`)).json()) as { status: string; inboundTotals: Record<string, unknown> };
  const directory = String(op.statusDetail).replace(/^.*Directory: /, '');
  return { seconds: round(seconds), phases, operation: op.status, runStatus: stats.status, totals: stats.inboundTotals, directory, peakRssMb: server.peakRssMb, cpuSeconds: server.cpuSeconds };
}

async function main(): Promise<void> {
  if (args.child === 'server') return serveChild({ backend: 'postgres', store: 'database', dataRoot: CACHE, label: 'run', scopes: SCOPES });
  const rounds = Number(args.rounds);
  let previous: { users: number; seconds: number } | undefined;
  for (const spec of args.inputs!.split(',').map((s) => s.trim())) {
    const users = usersOf(spec);
    const dir = join(CACHE, `users-${users}`);
    if (!existsSync(join(dir, 'enrollments.csv'))) await generate(dir, users);
    const bytes = totalBytes(dir);
    const base = { bench: 'run', input: spec, backend: 'postgres', users, megabytes: round(bytes / 1e6, 1) };
    const env = { ...process.env, GRAPH_LRO_MAX_UPLOAD_BYTES: String(8 * 1024 * MB), GRAPH_LRO_SDS_MAX_RECORDS: String(100_000_000) };
    const service = await spawnService(fileURLToPath(import.meta.url), [], env);
    try {
      const { connectorId, uploadSeconds } = await uploadedConnector(service, dir, csvFiles(dir));
      process.stdout.write(`${JSON.stringify({ ...base, phase: 'upload', seconds: round(uploadSeconds) })}\n`);
      await seedDirectory(service.databaseUrl!, users);
      await service.call('POST', '/beta/external/industryData/inboundFlows', {
        '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
        displayName: 'Bench flow',
        dataDomain: 'educationRostering',
        effectiveDateTime: '2024-08-01T00:00:00Z',
        'dataConnector@odata.bind': `external/industryData/dataConnectors('${connectorId}')`,
      });
      const set = (await (await service.call('POST', '/beta/external/industryData/outboundProvisioningFlowSets', { displayName: 'Bench set' })).json()) as { id: string };
      for (const flow of PROVISIONING_FLOWS) await service.call('POST', `/beta/external/industryData/outboundProvisioningFlowSets/${set.id}/provisioningFlows`, flow);
      // Rounds: the first loads everything new, the later ones find every record again.
      for (let i = 0; i < rounds; i++) {
        const baseline = await copyBaseline(service.databaseUrl!, dir);
        const run = await measureRun(service);
        const seconds = run.seconds as number;
        const written = /^(\d+) created, .* (\d+) memberships added/.exec(String(run.directory));
        const floor = i === 0 && written ? await directoryFloor(service.databaseUrl!, Number(written[1]), Number(written[2])) : undefined;
        process.stdout.write(
          `${JSON.stringify({
            ...base,
            phase: i === 0 ? 'run (all records new)' : 'run (every record seen again)',
            ...run,
            rowsPerSecond: Math.round((users * 4) / seconds),
            baseline: { copySeconds: round(baseline), ...(floor !== undefined ? { directoryFloorSeconds: round(floor) } : {}) },
            ratioToCopy: round(baseline / seconds, 3),
            ...(floor !== undefined ? { ratioToDirectoryFloor: round(floor / seconds, 3) } : {}),
            ...(previous && i === 0 ? { timePerUserVsPrevious: round(seconds / users / (previous.seconds / previous.users), 2) } : {}),
            goals: { secondsUnder: 60, at: '1m', peakRssUnderMb: 300, timePerUserVsPreviousAtMost: 1.1 },
          })}\n`,
        );
        if (i === 0) previous = { users, seconds };
      }
    } finally {
      await service.stop();
    }
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
