// The chaos harness (issue 10, item 7): graph-lro under process kills, database outages and
// embedded restarts, on a private PostgreSQL cluster it starts and deletes itself. All traffic is
// on 127.0.0.1. Prints JSON lines — one per scenario step and fault, then a summary with the
// goals — and exits 1 when a goal fails (2 when the harness itself could not run).
//
//   npm run chaos                      # the whole run, about 10 minutes
//   npm run chaos -- --quick           # a short run (about 4 minutes)
//   node dist/bench/chaos/main.js --scenarios a,c --a-seconds 60
//
// Scenarios (docs/chaos.md):
//   reference  one server, no faults: the incidents of every alert and the result of every upload
//              variant, which the runs under chaos must reproduce exactly
//   a          3 servers on one database, refreshes and validations from client loops, a random
//              server kill -9'd and restarted every few seconds
//   b          the same load; PostgreSQL restarted (pg_ctl restart -m fast), stopped for 20 s,
//              and single backends terminated
//   c          an embedded server killed mid-refresh, mid-validation and mid-upload, restarted
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installCleanupHandlers, onCleanup, runCleanup } from './cleanup.js';
import { freePort, PgCluster } from './cluster.js';
import { embeddedScenario, type EmbeddedOutcome } from './embedded.js';
import { Fleet } from './fleet.js';
import { ALERT_NAMES, type Variant, variants as makeVariants } from './fixtures.js';
import { createConnector, createSourceSystem, follow, readIncidents, startRefresh, startValidate, TOKEN_ROLES, upload, uploadSession, validationResult } from './graph.js';
import { Api, Recorder } from './http.js';
import { summarizeLogs } from './logs.js';
import { heldBy, StuckMonitor, takeover } from './monitor.js';
import { runCli, ServerProcess } from './processes.js';
import { classify5xx, failureClass, type FaultWindow, isHandlerOwnError } from './report.js';
import { canonical, Clock, percentile, rng, round, sleep, tally } from './util.js';
import { Load, type Tenant } from './workload.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'a,b,c' },
    seed: { type: 'string', default: '1' },
    clients: { type: 'string' },
    tenants: { type: 'string' },
    users: { type: 'string' },
    'embedded-users': { type: 'string' },
    'a-seconds': { type: 'string' },
    'min-ops': { type: 'string' },
    'kill-every': { type: 'string' },
    'stop-seconds': { type: 'string' },
    terminations: { type: 'string' },
    'drain-seconds': { type: 'string' },
    'resume-goal': { type: 'string' },
    'heavy-weight': { type: 'string' },
    'in-place': { type: 'boolean', default: false },
    build: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  process.stdout.write(`graph-lro chaos harness (docs/chaos.md)
  --quick                 short run (~4 min instead of ~10)
  --scenarios a,b,c       which scenarios (the reference always runs when a or b does)
  --seed <n>              seed of the load's random choices (default 1)
  --clients <n>           client loops (default 24, quick 12)
  --tenants <n>           tenants with a demo directory (default 4, quick 2)
  --users <n>             users per tenant directory (default 1000, quick 300)
  --embedded-users <n>    users of the embedded scenario's directory (default 10000, quick 5000)
  --a-seconds <s>         length of scenario a (default 180, quick 45); it goes on (up to 1.5x) until --min-ops
  --min-ops <n>           operations scenario a must create (default 1000, quick 150)
  --kill-every <s>        mean seconds between kills in scenario a (default 4)
  --stop-seconds <s>      how long PostgreSQL stays stopped in scenario b (default 20, quick 8)
  --terminations <n>      backends terminated in scenario b (default 8, quick 4)
  --drain-seconds <s>     time given to operations to end after the load stops (default 90, quick 45)
  --heavy-weight <w>      how often the load picks the 40,000-user upload, relative to 1 per other variant (default 0.25; 0 never)
  --resume-goal <s>       an interrupted embedded operation must end this soon after the restarted server is ready (default 10)
  --in-place              run dist/ as it is instead of a snapshot of it (others rebuilding dist/ then affect the run)
  --build <dir>           run the build of another checkout (<dir>/dist, e.g. an older commit built apart) with this node_modules
`);
  process.exit(0);
}

const quick = args.quick!;
const num = (v: string | undefined, full: number, short: number) => (v !== undefined ? Number(v) : quick ? short : full);
const config = {
  quick,
  scenarios: new Set(args.scenarios!.split(',').map((s) => s.trim())),
  seed: Number(args.seed),
  clients: num(args.clients, 24, 12),
  tenants: num(args.tenants, 4, 2),
  users: num(args.users, 1000, 300),
  embeddedUsers: num(args['embedded-users'], 10_000, 5_000),
  aSeconds: num(args['a-seconds'], 180, 45),
  minOps: num(args['min-ops'], 1000, 150),
  killEverySec: num(args['kill-every'], 4, 4),
  restartDelayMs: 1000,
  lease: '3s',
  leaseSec: 3,
  stopSeconds: num(args['stop-seconds'], 20, 8),
  terminations: num(args.terminations, 8, 4),
  settleSec: quick ? 8 : 12,
  drainSec: num(args['drain-seconds'], 90, 45),
  stuckGraceSec: 10,
  maxRunSec: quick ? 60 : 120,
  resumeGoalSec: num(args['resume-goal'], 10, 10),
  heavyWeight: num(args['heavy-weight'], 0.25, 0),
  outageTailMs: 10_000,
  terminationTailMs: 5_000,
};

const clock = new Clock();
const lines: Record<string, unknown>[] = [];
const print = (line: Record<string, unknown>) => {
  const full = { bench: 'chaos', atSec: clock.sec(), ...line };
  lines.push(full);
  process.stdout.write(`${JSON.stringify(full)}\n`);
};
const note = (msg: string) => process.stderr.write(`chaos [${clock.sec()} s ${clock.phase()}] ${msg}\n`);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A copy of the build, so engineers rebuilding dist/ meanwhile change nothing in this run. */
function snapshot(runDir: string): string {
  const from = args.build ? resolve(args.build) : ROOT;
  const dist = join(from, 'dist', 'src');
  if (!existsSync(join(dist, 'cli', 'main.js'))) throw new Error(`no build at ${dist}: run npx tsc -b`);
  if (args['in-place']) return join(dist, 'cli', 'main.js');
  const app = join(runDir, 'app');
  for (const part of ['src', 'packages']) {
    if (existsSync(join(from, 'dist', part))) cpSync(join(from, 'dist', part), join(app, 'dist', part), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'graph-lro-chaos-snapshot', type: 'module', private: true }));
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
  return join(app, 'dist', 'src', 'cli', 'main.js');
}

/** The commit the build came from and the files under src/ changed since (others' work in progress). */
function sourceState(): { commit: string; uncommittedInSrc: string[] } {
  if (args.build) return { commit: `build of ${resolve(args.build)}`, uncommittedInSrc: [] };
  try {
    const commit = execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 120);
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim());
    return { commit, uncommittedInSrc: dirty };
  } catch {
    return { commit: 'unknown', uncommittedInSrc: [] };
  }
}

/** A tenant id derived from the seed (v4-shaped). */
function tenantId(i: number): string {
  const r = rng(config.seed * 7919 + i * 104_729);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

interface References {
  incidents: Map<string, Record<string, { incidentCount: unknown; incidents: string[] }>>;
  validations: Map<string, { first: string; repeat: string; deterministic: boolean }>;
}

/** The clean runs: one server, no faults. */
async function reference(cli: string, dataDir: string, url: string, logDir: string, tenants: { id: string; token: string }[], variants: Variant[]): Promise<References> {
  clock.setPhase('reference');
  const refs: References = { incidents: new Map(), validations: new Map() };
  const exits: unknown[] = [];
  const server = new ServerProcess({ name: 'reference', cli, port: await freePort(), dataDir, databaseUrl: url, logDir, lease: config.lease }, (e) => exits.push(e), clock);
  await server.start();
  const recorder = new Recorder(clock);
  try {
    const refreshSec: number[] = [];
    for (const t of tenants) {
      const api = new Api([{ name: 'reference', url: server.url }], t.token, recorder);
      for (const target of ['all', ...ALERT_NAMES]) {
        const began = clock.ms();
        const op = await follow(api, await startRefresh(api, t.id, target), () => false);
        refreshSec.push((clock.ms() - began) / 1000);
        if (op.status !== 'succeeded') throw new Error(`reference refresh ${target} of ${t.id}: ${op.status} ${op.statusDetail}`);
      }
      refs.incidents.set(t.id, await readIncidents(api, t.id));
    }
    const api = new Api([{ name: 'reference', url: server.url }], tenants[0]!.token, recorder);
    const system = await createSourceSystem(api);
    const perVariant: Record<string, unknown> = {};
    for (const v of variants) {
      const results: string[] = [];
      const began = clock.ms();
      for (const copy of [1, 2]) {
        const connector = await createConnector(api, system, `reference ${v.name} ${copy}`);
        await upload(api, await uploadSession(api, connector), v.files);
        for (let k = 0; k < (copy === 1 ? 2 : 1); k++) {
          const op = await follow(api, await startValidate(api, connector), () => false);
          if (op.status !== 'succeeded') throw new Error(`reference validation of ${v.name}: ${op.status} ${op.statusDetail}`);
          results.push(canonical(validationResult(op.body)));
        }
      }
      const [first, repeat, other] = results as [string, string, string];
      refs.validations.set(v.name, { first, repeat, deterministic: first === other });
      const parsed = JSON.parse(first) as { validatedFiles: unknown[]; errors: unknown[]; warnings: unknown[] };
      perVariant[v.name] = {
        files: v.files.size,
        validatedFiles: parsed.validatedFiles?.length ?? 0,
        errors: parsed.errors?.length ?? 0,
        warnings: parsed.warnings?.length ?? 0,
        repeatEqualsFirst: first === repeat,
        deterministicAcrossConnectors: first === other,
        secondsFor3: round((clock.ms() - began) / 1000, 2),
      };
    }
    const incidentsPerTenant = Object.fromEntries(
      [...refs.incidents].map(([t, alerts]) => [t, Object.fromEntries(Object.entries(alerts).map(([a, v]) => [a.replace(/Alert$/, ''), v.incidents.length]))]),
    );
    print({
      scenario: 'reference',
      refreshes: refreshSec.length,
      refreshSecP50: round(percentile(refreshSec, 50) ?? 0),
      refreshSecMax: round(Math.max(...refreshSec)),
      incidentsPerTenant,
      variants: perVariant,
      serverErrors: recorder.errors.length,
      unexpectedExits: exits.length,
    });
  } finally {
    await server.stop();
  }
  return refs;
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const stale = PgCluster.removeStale();
  if (stale.length) note(`removed ${stale.length} stale cluster(s) of killed runs`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = mkdtempSync(join(tmpdir(), 'graph-lro-chaos-run-'));
  onCleanup(() => rmSync(runDir, { recursive: true, force: true }));
  const logDir = join(tmpdir(), `graph-lro-chaos-logs-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const cli = snapshot(runDir);
  const wantAB = config.scenarios.has('a') || config.scenarios.has('b');
  print({ scenario: 'setup', config: { ...config, scenarios: [...config.scenarios] }, logDir, build: args['in-place'] ? 'dist in place' : 'snapshot of dist', source: sourceState() });

  const goals: Record<string, { ok: boolean; value: unknown; goal: string }> = {};
  const goal = (name: string, ok: boolean, value: unknown, text: string) => (goals[name] = { ok, value, goal: text });
  const variants = makeVariants(quick, config.heavyWeight);
  const now = new Date(Date.now() - 60_000).toISOString();
  const tenants = Array.from({ length: config.tenants }, (_, i) => tenantId(i));
  const sharedData = join(runDir, 'shared-data');
  mkdirSync(sharedData, { recursive: true });

  let cluster: PgCluster | undefined;
  const summary: Record<string, unknown> = {};
  let embedded: EmbeddedOutcome | undefined;
  let refs: References | undefined;

  try {
    if (wantAB) {
      clock.setPhase('setup');
      const began = clock.ms();
      cluster = await PgCluster.create();
      const refUrl = await cluster.createDatabase('reference');
      const chaosUrl = await cluster.createDatabase('chaos');
      for (const url of [refUrl, chaosUrl]) {
        for (const t of tenants) runCli(cli, ['demo', '--tenant', t, '--users', String(config.users), '--now', now, '--database-url', url]);
      }
      const tokens = tenants.map((id) => ({ id, token: runCli(cli, ['token', '--data-dir', sharedData, '--tenant', id, '--app', '--roles', TOKEN_ROLES.join(','), '--lifetime', '6h']).trim().split('\n').at(-1)! }));
      print({ scenario: 'setup', step: 'cluster and directories', postgresPort: cluster.port, tenants: tenants.length, usersPerTenant: config.users, seconds: round((clock.ms() - began) / 1000, 1) });

      refs = await reference(cli, sharedData, refUrl, logDir, tokens, variants);

      // ---------------- scenario a: three servers, kill -9 every few seconds ----------------
      clock.setPhase('a');
      const ports = [await freePort(), await freePort(), await freePort()];
      const fleet = new Fleet(
        ports.map((port, i) => ({ name: `server-${i + 1}`, cli, port, dataDir: sharedData, databaseUrl: chaosUrl, lease: config.lease, logDir })),
        clock,
      );
      onCleanup(() => void fleet.killAll());
      await fleet.start();
      const recorder = new Recorder(clock);
      const targets = fleet.servers.map((s) => ({ name: s.spec.name, url: s.url }));
      const liveTenants: Tenant[] = [];
      for (const t of tokens) {
        const api = new Api(targets, t.token, recorder);
        liveTenants.push({ id: t.id, api, sourceSystem: await createSourceSystem(api) });
      }
      const rand = rng(config.seed);
      const load = new Load(liveTenants, variants, clock, rand, { refreshShare: 0.5, newConnectorShare: 0.35 });
      const windows: FaultWindow[] = [];
      let lastFaultEndMs = 0;
      const monitor = new StuckMonitor(cluster, 'chaos', clock, config.stuckGraceSec, config.maxRunSec, () => fleet.aliveCount() > 0);
      monitor.start();
      load.start(config.clients);

      const kills: Record<string, unknown>[] = [];
      const pendingKillReports: Promise<void>[] = [];
      if (config.scenarios.has('a')) {
        const aStart = clock.ms();
        let n = 0;
        while (true) {
          const elapsed = (clock.ms() - aStart) / 1000;
          if ((elapsed >= config.aSeconds && load.created >= config.minOps) || elapsed >= config.aSeconds * 1.5) break;
          await sleep(config.killEverySec * 1000 * (0.6 + 0.8 * rand()));
          const victims = fleet.killable();
          if (victims.length < 2) continue; // keep at least one other server up
          const victim = victims[Math.floor(rand() * victims.length)]!;
          const pid = victim.pid;
          const held = await heldBy(cluster, 'chaos', pid);
          const killAt = clock.ms();
          await victim.kill();
          n++;
          const record: Record<string, unknown> = { scenario: 'a', fault: 'kill -9', n, server: victim.spec.name, pid, atSec: clock.sec(), operationsHeld: held.length };
          // The restart runs in the background: the next kill comes on schedule, among the others.
          pendingKillReports.push(
            (async () => {
              await sleep(config.restartDelayMs);
              const restartAt = clock.ms();
              const firstOk = recorder.firstSuccessAfter(restartAt, victim.spec.name);
              const [readyMs, taken] = await Promise.all([fleet.startUntilUp(victim), takeover(cluster!, 'chaos', clock, pid, held, killAt, 60_000)]);
              const ok = await Promise.race([firstOk, sleep(30_000).then(() => null)]);
              const ms = taken.filter((t): t is number => t !== null);
              record.restartToReadyMs = readyMs === null ? null : Math.round(readyMs);
              record.takeoverMsP50 = percentile(ms, 50) === null ? null : Math.round(percentile(ms, 50)!);
              record.takeoverMsMax = ms.length ? Math.round(Math.max(...ms)) : null;
              record.notTakenOverIn60s = taken.length - ms.length;
              record.restartToFirstSuccessMs = ok === null ? null : Math.round(ok);
              kills.push(record);
              print(record);
            })(),
          );
        }
        await Promise.all(pendingKillReports);
        const aOps = load.ops.filter((o) => o.phase === 'a');
        const takeovers = kills.map((k) => k.takeoverMsMax as number | null).filter((x): x is number => x !== null);
        print({
          scenario: 'a',
          step: 'end of kills',
          seconds: round((clock.ms() - aStart) / 1000, 1),
          kills: kills.length,
          operationsStarted: aOps.length,
          operationsStartedByFamily: tally(aOps.map((o) => o.family)),
          takeoverMsMax: takeovers.length ? Math.max(...takeovers) : null,
          unexpectedExitsSoFar: fleet.unexpectedExits.length,
        });
      }

      // ---------------- scenario b: the database goes away, under the same load ----------------
      if (config.scenarios.has('b')) {
        const exitsBetween = (from: number, to: number) => fleet.unexpectedExits.filter((e) => e.atSec * 1000 >= from && e.atSec * 1000 <= to).map((e) => ({ server: e.server, code: e.code, signal: e.signal }));
        const errorsBetween = (from: number, to: number) => tally(recorder.errors.filter((e) => e.atMs >= from && e.atMs <= to).map((e) => `${e.status} ${e.code}`));
        const dbFault = async (name: string, phase: string, act: () => Promise<void>, tailMs: number, extra: Record<string, unknown> = {}) => {
          clock.setPhase(phase);
          const start = clock.ms();
          monitor.quietUntil = Number.POSITIVE_INFINITY;
          await act();
          const end = clock.ms();
          windows.push({ kind: name, startMs: start, endMs: end, tailMs });
          lastFaultEndMs = end;
          monitor.quietUntil = end + (config.leaseSec + config.stuckGraceSec) * 1000;
          const ok = await Promise.race([recorder.firstSuccessAfter(end), sleep(60_000).then(() => null)]);
          await sleep(Math.max(0, tailMs - (clock.ms() - end)));
          const line = {
            scenario: 'b',
            fault: name,
            ...extra,
            faultSeconds: round((end - start) / 1000, 2),
            recoverMs: ok === null ? null : Math.round(ok),
            serverErrorsDuringAndAfter: errorsBetween(start, clock.ms()),
            unexpectedExits: exitsBetween(start, clock.ms()),
            serversAlive: fleet.aliveCount(),
          };
          print(line);
          return line;
        };
        await sleep(config.settleSec * 1000);
        await dbFault('pg_ctl restart -m fast', 'b-restart', () => cluster!.restart('fast'), config.outageTailMs);
        await sleep(config.settleSec * 1000);
        await dbFault(`pg_ctl stop -m fast, ${config.stopSeconds} s down, start`, 'b-stop', async () => {
          await cluster!.stop('fast');
          await sleep(config.stopSeconds * 1000);
          await cluster!.start();
        }, config.outageTailMs);
        await sleep(config.settleSec * 1000);
        const prefer = ['idle in transaction', 'copy', 'listen', 'active', 'idle'];
        for (let k = 0; k < config.terminations; k++) {
          const rows = await cluster.query<{ pid: number; state: string | null; query: string; application_name: string }>(
            'chaos',
            `SELECT pid, state, left(query, 80) AS query, application_name FROM pg_stat_activity
              WHERE datname = 'chaos' AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> 'chaos-harness'`,
          );
          const want = prefer[k % prefer.length]!;
          const matches = (r: (typeof rows)[number]) =>
            want === 'copy' ? /^\s*COPY/i.test(r.query) && r.state === 'active' : want === 'listen' ? /^\s*LISTEN/i.test(r.query) && r.state === 'idle' : r.state === want;
          const victim = rows.find(matches) ?? rows.find((r) => r.state === 'idle in transaction') ?? rows.find((r) => r.state === 'active') ?? rows[0];
          if (!victim) continue;
          await dbFault('pg_terminate_backend', 'b-terminate', async () => void (await cluster!.query('postgres', 'SELECT pg_terminate_backend($1)', [victim.pid])), config.terminationTailMs, {
            backend: { pid: victim.pid, state: victim.state, query: victim.query.replace(/\s+/g, ' '), wanted: want },
          });
          await sleep(1500);
        }
      }

      // ---------------- drain, then the verdicts of a and b ----------------
      clock.setPhase('drain');
      const drainStart = clock.ms();
      monitor.quietUntil = Math.max(monitor.quietUntil, lastFaultEndMs + (config.leaseSec + config.stuckGraceSec) * 1000);
      await load.drain(config.drainSec * 1000);
      await monitor.stop();
      const drainSec = round((clock.ms() - drainStart) / 1000, 1);
      const notFinal = await cluster.query<{ tenant_id: string; id: string; kind: string; status: string; status_detail: string | null; attempts: number; lease_owner: string | null }>(
        'chaos',
        `SELECT tenant_id, id, kind, status, status_detail, attempts, lease_owner FROM operations WHERE status IN ('notStarted', 'running') ORDER BY created_at`,
      );
      // Failed operations as the database has them (every column: attempts, interruptions, …),
      // with how long they ran: what the statusDetail alone does not say.
      const failedRows = await cluster
        .query<{ row: Record<string, unknown> }>(
          'chaos',
          `SELECT to_jsonb(o) - 'input' - 'result' || jsonb_build_object('ranSeconds', round(extract(epoch FROM last_action_at - created_at)::numeric, 1)) AS row
             FROM operations o WHERE status = 'failed' ORDER BY created_at LIMIT 20`,
        )
        .catch(() => []);
      const ops = load.ops.filter((o) => o.sameAs === undefined);
      const succeeded = ops.filter((o) => o.status === 'succeeded');
      const failed = ops.filter((o) => o.status === 'failed');
      const lostTracked = ops.filter((o) => o.status !== 'succeeded' && o.status !== 'failed');
      const failedClasses = failed.map((o) => failureClass(o.statusDetail));
      const failedNotHandler = failedClasses.filter((c) => !isHandlerOwnError(c));

      // Duplicated effects: incidents against the reference; validations against theirs.
      const incidentDiffs: Record<string, unknown>[] = [];
      for (const t of liveTenants) {
        const after = await readIncidents(t.api, t.id);
        const ref = refs!.incidents.get(t.id)!;
        for (const name of ALERT_NAMES) {
          const a = after[name]!;
          const r = ref[name]!;
          if (canonical(a) === canonical(r)) continue;
          const refSet = new Set(r.incidents);
          const aSet = new Set(a.incidents);
          incidentDiffs.push({
            tenant: t.id,
            alert: name,
            incidents: a.incidents.length,
            reference: r.incidents.length,
            incidentCount: a.incidentCount,
            referenceIncidentCount: r.incidentCount,
            extra: a.incidents.filter((x) => !refSet.has(x)).length,
            missing: r.incidents.filter((x) => !aSet.has(x)).length,
            sampleExtra: a.incidents.find((x) => !refSet.has(x))?.slice(0, 300),
          });
        }
      }
      const validationDiffs: Record<string, unknown>[] = [];
      for (const o of succeeded.filter((o) => o.family === 'industryData')) {
        const ref = refs!.validations.get(o.variant!)!;
        const expected = o.validation === 1 ? ref.first : ref.repeat;
        if (o.result !== expected && o.result !== ref.first && o.result !== ref.repeat) {
          validationDiffs.push({ operation: o.location.split('/').pop(), variant: o.variant, validation: o.validation, phase: o.phase, got: o.result?.slice(0, 300), expected: expected.slice(0, 300) });
        }
      }

      const fives = classify5xx(recorder.errors, windows);
      const stuck = [...monitor.stuck.values()];
      const shutdown = await fleet.stop();
      const crashes = fleet.unexpectedExits;
      summary.ab = {
        scenario: 'a+b',
        operationsCreated: ops.length,
        byFamily: tally(ops.map((o) => `${o.family}/${o.kind}`)),
        byPhase: tally(ops.map((o) => o.phase)),
        succeeded: succeeded.length,
        failed: failed.length,
        failedByReason: tally(failedClasses),
        failedByKindAndVariant: tally(failed.map((o) => `${o.kind}${o.variant ? ` ${o.variant}` : ''}`)),
        failedSamples: failed.slice(0, 5).map((o) => ({ kind: o.kind, phase: o.phase, variant: o.variant, ranSec: o.endedAtMs ? round((o.endedAtMs - o.createdAtMs) / 1000, 1) : null, statusDetail: o.statusDetail })),
        failedInDatabase: failedRows.slice(0, 8).map((r) => {
          const { tenant_id: _t, expires_at: _e, odata_type: _o, dedupe_key: _d, family: _f, ...rest } = r.row;
          return rest;
        }),
        lost: lostTracked.length,
        lostSamples: lostTracked.slice(0, 5).map((o) => ({ kind: o.kind, phase: o.phase, location: o.location.replace(/^https?:\/\/[^/]+/, ''), lastStatus: o.status, statusDetail: o.statusDetail })),
        notFinalInDatabase: notFinal.length,
        notFinalSamples: notFinal.slice(0, 5),
        stuck: stuck.length,
        stuckByReason: tally(stuck.map((s) => s.why)),
        stuckSamples: stuck.slice(0, 5),
        stuckSampling: { samples: monitor.samples, skipped: monitor.skipped, graceSec: config.stuckGraceSec, maxRunSec: config.maxRunSec },
        duplicatedEffects: incidentDiffs.length + validationDiffs.length,
        incidentDiffs: incidentDiffs.slice(0, 10),
        validationDiffs: validationDiffs.slice(0, 5),
        validationsCompared: succeeded.filter((o) => o.family === 'industryData').length,
        alertsCompared: liveTenants.length * ALERT_NAMES.length,
        ...fives,
        connectionErrors: Object.fromEntries(recorder.connectionErrors),
        requests: recorder.requests,
        uploads: load.uploads,
        uploadMegabytes: round(load.uploadBytes / 1e6, 1),
        clientErrors: load.clientErrors.length,
        clientErrorSamples: load.clientErrors.slice(0, 5),
        unexpectedExits: crashes.length,
        unexpectedExitDetails: crashes.map((e) => ({ ...e, lastLines: e.lastLines.slice(-12) })),
        startFailures: fleet.startFailures.length,
        startFailureSamples: fleet.startFailures.slice(0, 3),
        kills: kills.length,
        drainSeconds: drainSec,
        shutdown,
        serverLogs: summarizeLogs(logDir, 'server-'),
      };
      print(summary.ab as Record<string, unknown>);
      goal('a+b: lost', lostTracked.length === 0 && notFinal.length === 0, { tracked: lostTracked.length, notFinalInDatabase: notFinal.length }, '0 operations never final');
      goal('a+b: stuck', stuck.length === 0, stuck.length, '0 operations unclaimed past lease + grace');
      goal('a+b: duplicated', incidentDiffs.length + validationDiffs.length === 0, incidentDiffs.length + validationDiffs.length, 'incidents and validation results equal the clean run');
      goal('a+b: failed for a reason other than the handler', failedNotHandler.length === 0, tally(failedNotHandler), '0');
      goal('a+b: unexpected process exits', crashes.length === 0, crashes.map((e) => `${e.server} code ${e.code} signal ${e.signal} in ${e.phase}`), 'none');
      goal('a+b: 5xx other than the outage 503s', fives.unexpected5xx === 0, fives.unexpected5xxByCode, '0');
      goal('a+b: outage 503s carry Retry-After', fives.outage503WithoutRetryAfter === 0, fives.outage503WithoutRetryAfter, 'every 503 of an outage has Retry-After');
      goal('a: at least --min-ops operations', !config.scenarios.has('a') || ops.filter((o) => o.phase === 'a').length >= config.minOps, ops.filter((o) => o.phase === 'a').length, `>= ${config.minOps} (harness sanity)`);
      goal('a+b: the load never gave up', load.clientErrors.length === 0, load.clientErrors.length, 'every client request eventually answered (harness sanity: see clientErrorSamples)');
      for (const [name, v] of refs!.validations) if (!v.deterministic) note(`reference: validation of ${name} differs between two connectors: comparisons of it may report false duplicates`);
      copyLog(cluster, logDir);
      await cluster.destroy();
      cluster = undefined;
    }

    // ---------------- scenario c: embedded server ----------------
    if (config.scenarios.has('c')) {
      clock.setPhase('c');
      const small = variants.find((v) => v.name === 'generated-300-broken') ?? variants[0]!;
      const big = variants.find((v) => v.name === 'generated-40000') ?? variants.find((v) => v.name === 'generated-5000')!;
      embedded = await embeddedScenario({
        cli,
        dir: join(runDir, 'embedded'),
        logDir,
        clock,
        tenant: tenantId(99),
        users: config.embeddedUsers,
        now,
        variant: big,
        smallVariant: small,
        smallVariantReference: refs?.validations.get(small.name)?.first,
        print,
      });
      const fives = classify5xx(embedded.recorder.errors, []);
      print({ scenario: 'c', step: 'summary', requests: embedded.recorder.requests, fivexx: fives.unexpected5xxByCode, connectionErrors: Object.fromEntries(embedded.recorder.connectionErrors), serverLogs: summarizeLogs(logDir, 'embedded') });
      goal('c: lost', embedded.lost === 0, embedded.lost, '0');
      goal('c: failed', embedded.failed.length === 0, embedded.failed, '0 (every interrupted operation succeeds)');
      goal('c: duplicated', embedded.duplicated.length === 0, embedded.duplicated, 'results equal the clean run; earlier files intact');
      goal('c: unexpected process exits', embedded.unexpectedExits.length === 0, embedded.unexpectedExits.map((e) => `code ${e.code}: ${e.lastLines.slice(-3).join(' | ')}`), 'none');
      goal('c: 5xx', fives.unexpected5xx === 0, fives.unexpected5xxByCode, '0');
      for (const [what, sec] of Object.entries(embedded.resumeSec)) {
        goal(`c: interrupted ${what} ends soon after the restart`, sec !== null && sec <= config.resumeGoalSec, sec, `<= ${config.resumeGoalSec} s after the restarted server is ready (no waiting out the dead lease)`);
      }
      goal('c: partial upload discarded', embedded.leftoverBytes === 0, embedded.leftoverBytes, '0 bytes of the interrupted body left on disk after the restart');
      goal('c: harness completed', embedded.harnessErrors.length === 0, embedded.harnessErrors, 'no step aborted');
    }
  } catch (err) {
    print({ scenario: 'harness', error: (err as Error).stack ?? String(err) });
    if (cluster) copyLog(cluster, logDir);
    printSummary(goals, clock, logDir, true);
    return 2;
  } finally {
    if (cluster) await cluster.destroy().catch(() => undefined);
  }
  return printSummary(goals, clock, logDir, false);
}

function copyLog(cluster: PgCluster, logDir: string): void {
  try {
    copyFileSync(cluster.log, join(logDir, 'postgres.log'));
  } catch {
    // no log yet
  }
}

function printSummary(goals: Record<string, { ok: boolean; value: unknown; goal: string }>, clock: Clock, logDir: string, aborted: boolean): number {
  const failed = Object.entries(goals).filter(([, g]) => !g.ok);
  print({
    summary: true,
    seconds: clock.sec(),
    aborted,
    goalsMet: !aborted && failed.length === 0,
    failedGoals: failed.map(([name, g]) => ({ name, value: g.value, goal: g.goal })),
    goals,
    logDir,
  });
  return aborted ? 2 : failed.length ? 1 : 0;
}

const code = await main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${(err as Error).stack ?? String(err)}\n`);
  return 2;
});
runCleanup();
process.exit(code);
