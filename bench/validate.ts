// bench/validate: the validate operation end to end over HTTP — a valid SDS v2.1 upload (users
// with roles and enrollments, plus orgs, classes and a school year) uploaded through the upload
// session's URL with @azure/storage-blob, then POST …/validate and polling the operation with
// Prefer: wait until it succeeds — against the baseline of the same run: csv-parse alone reading
// the same files (same parser options as the validator, same 64 KiB reads as the store gives).
//
//   npx tsc -b && node dist/bench/validate.js                 # ~100 MB and 1,000,000 users
//   node dist/bench/validate.js --large                       # adds the ~1 GB input (several minutes)
//   node dist/bench/validate.js --inputs 100mb,1m,1gb --backend postgres --store files
//   node dist/bench/validate.js --rounds 3                    # rounds of each side (default 2, 1 above 500 MB)
//
// Inputs: `<n>mb`/`<n>gb` (generated to about that size) or `<n>k`/`<n>m` users. Backends:
// `postgres` (the default: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, a scratch
// database per run; uploads in the database unless `--store files`) or `pglite` (the embedded
// database; uploads in files under the data directory — its WebAssembly heap alone is several
// hundred MB of RSS, so the service's peak there says little about validation). The upload limit
// and SDS's 500,000-rows-per-file limit are raised for the run (GRAPH_LRO_MAX_UPLOAD_BYTES,
// GRAPH_LRO_SDS_MAX_RECORDS).
//
// csv-parse and the service each run in a child process of their own (the upload client and the
// polling stay in this one), so the peak RSS (VmHWM, reset just before the timed part) is that of
// the parser alone, or of the whole service (HTTP, engine, database client, store, validator)
// while it validates. Prints one JSON line per figure.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { createScratchDb, round } from './support/scratch-db.js';

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string' },
    large: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'postgres' },
    store: { type: 'string' },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
    dir: { type: 'string' },
    label: { type: 'string' },
    rounds: { type: 'string' },
  },
});

const TENANT = '3f5d8a1c-6b2e-4c7d-9e0f-a1b2c3d4e5f6';
/** Where uploads go: the deployment's default for the backend unless --store says otherwise. */
const store = () => args.store ?? (args.backend === 'pglite' ? 'files' : 'database');
const MB = 1024 * 1024;
const CACHE = join(tmpdir(), 'graph-lro-bench-validate');

// ---- the upload ----

/** Writes `lines` in batches, waiting for the disk. */
async function writeCsv(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\r\n`);
  const BATCH = 20_000;
  for (let start = 0; start < count; start += BATCH) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) parts.push(line(i));
    if (!out.write(`${parts.join('\r\n')}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * A valid upload of `users` users: one school per 1,000 users, 1 in 25 a teacher; every user has
 * a role in a school and two class enrollments; 25 users per class; one school year.
 */
async function generate(dir: string, users: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const schools = Math.max(10, Math.ceil(users / 1000));
  const classes = Math.max(2, Math.ceil(users / 25));
  const teacher = (i: number) => i % 25 === 0;
  await writeCsv(join(dir, 'orgs.csv'), 'sourcedId,name,type,parentSourcedId', schools + 1, (i) =>
    i === 0 ? 'd0,Bench District,district,' : `s${i - 1},Bench School ${i - 1},school,d0`,
  );
  await writeCsv(join(dir, 'academicSessions.csv'), 'sourcedId,title,type,schoolYear,startDate,endDate', 1, () => 'SY2025,2025 School Year,schoolYear,2025,2024-08-20,2025-06-15');
  await writeCsv(join(dir, 'users.csv'), 'sourcedId,username,givenName,familyName,email,password', users, (i) =>
    `u${i},user${i}@school${i % schools}.bench.example.edu,Given${i},Family${i},user${i}@mail.bench.example.com,Secret-${i}!`,
  );
  await writeCsv(join(dir, 'roles.csv'), 'userSourcedId,orgSourcedId,role,sessionSourcedId,grade,isPrimary,roleStartDate,roleEndDate', users, (i) =>
    teacher(i) ? `u${i},s${i % schools},teacher,SY2025,,true,2024-08-20,2025-06-15` : `u${i},s${i % schools},student,SY2025,10,true,2024-08-20,2025-06-15`,
  );
  await writeCsv(join(dir, 'classes.csv'), 'sourcedId,orgSourcedId,title,sessionSourcedIds', classes, (j) => `k${j},s${j % schools},Class ${j},SY2025`);
  await writeCsv(join(dir, 'enrollments.csv'), 'classSourcedId,userSourcedId,role', 2 * users, (n) => {
    const i = n >> 1;
    return `k${(2 * i + (n & 1)) % classes},u${i},${teacher(i) ? 'teacher' : 'student'}`;
  });
}

const csvFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
const totalBytes = (dir: string) => csvFiles(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

/** Users for an input spec: `100mb`, `1gb` (by the generator's measured bytes per user), `500k`, `1m`. */
async function usersFor(spec: string): Promise<number> {
  const m = /^(\d+(?:\.\d+)?)(mb|gb|k|m)$/i.exec(spec);
  if (!m) throw new Error(`input '${spec}': expected e.g. 100mb, 1gb, 500k or 1m`);
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === 'k') return Math.round(n * 1000);
  if (unit === 'm') return Math.round(n * 1_000_000);
  const probe = join(CACHE, 'probe');
  rmSync(probe, { recursive: true, force: true });
  await generate(probe, 100_000);
  const perUser = totalBytes(probe) / 100_000;
  rmSync(probe, { recursive: true, force: true });
  return Math.round((n * (unit === 'gb' ? 1000 : 1) * 1_000_000) / perUser);
}

// ---- measurements (child processes) ----

/** Resets the peak RSS (Linux: VmHWM) so the next reading covers what follows. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function peakRssMb(): Promise<number> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    if (kb) return round(kb / 1024, 1);
  } catch {
    // not Linux: the lifetime peak instead
  }
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return round((d.user + d.system) / 1e6);
};

/** csv-parse alone over every file: the baseline. */
async function childParse(dir: string): Promise<Record<string, unknown>> {
  const reset = resetPeak();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let rows = 0;
  for (const file of csvFiles(dir)) {
    // Records counted as they come ('data', synchronous), as the validator takes them.
    const parser = parse({ record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: true, max_record_size: 65535 });
    parser.on('data', () => rows++);
    await pipeline(createReadStream(join(dir, file)), parser);
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds: round(seconds), cpuSeconds: cpuSeconds(cpu), rows, peakRssMb: await peakRssMb(), peakReset: reset };
}

/**
 * The service in a process of its own: prints its URL and a token, then answers commands on stdin —
 * `reset` (peak RSS and CPU from now on), `report` (peak RSS, CPU, RSS), `stop`.
 */
async function childServer(backend: string, store: string): Promise<void> {
  const { mintToken } = await import('../src/auth/index.js');
  const { startServer } = await import('../src/http/server.js');
  const dataDir = join(CACHE, `server-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const scratch = backend === 'postgres' ? await createScratchDb('validate') : undefined;
  if (backend === 'postgres' && store === 'files') process.env.GRAPH_LRO_BLOB_DIR = join(dataDir, 'blobs');
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: scratch?.url, shutdownGraceMs: 1000 });
  const token = await mintToken({
    key: server.signingKey!,
    tenantId: TENANT,
    scopes: ['IndustryData-SourceSystem.ReadWrite.All', 'IndustryData-DataConnector.ReadWrite.All', 'IndustryData.ReadBasic.All'],
  });
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  say({ url: server.url, token });
  let cpu = process.cpuUsage();
  let reset = false;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'reset') {
      reset = resetPeak();
      cpu = process.cpuUsage();
      say({ rssMb: round(process.memoryUsage().rss / MB, 1) });
    } else if (line === 'report') {
      say({ peakRssMb: await peakRssMb(), peakReset: reset, cpuSeconds: cpuSeconds(cpu) });
    } else break;
  }
  await server.close();
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The client side, in this process: upload through the session URL, then validate end to end. */
async function measureService(dir: string, rounds: number): Promise<Record<string, unknown>[]> {
  const { ContainerClient } = await import('@azure/storage-blob');
  const env = { ...process.env, GRAPH_LRO_MAX_UPLOAD_BYTES: String(8 * 1024 * MB), GRAPH_LRO_SDS_MAX_RECORDS: String(100_000_000) };
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'server', '--backend', args.backend!, '--store', store()], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env,
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  const command = async (line: string) => {
    child.stdin!.write(`${line}\n`);
    return next();
  };
  try {
    const { url, token } = (await next()) as { url: string; token: string };
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(path.startsWith('http') ? path : `${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res;
    };
    const system = (await (await call('POST', '/beta/external/industryData/sourceSystems', { displayName: 'Bench SIS' })).json()) as { id: string };
    const connector = (await (
      await call('POST', '/beta/external/industryData/dataConnectors', {
        '@odata.type': '#microsoft.graph.industryData.azureDataLakeConnector',
        displayName: 'Bench connector',
        'sourceSystem@odata.bind': `external/industryData/sourceSystems('${system.id}')`,
        fileFormat: { code: 'schoolDataSyncV2Rev1' },
      })
    ).json()) as { id: string };
    const session = (await (await call('GET', `/beta/external/industryData/dataConnectors/${connector.id}/microsoft.graph.industryData.azureDataLakeConnector/getUploadSession`)).json()) as {
      sessionUrl: string;
    };

    const container = new ContainerClient(session.sessionUrl);
    const uploadStart = performance.now();
    for (const file of csvFiles(dir)) {
      await container.getBlockBlobClient(file).uploadFile(join(dir, file), { blockSize: 8 * MB, maxSingleShotSize: 8 * MB, concurrency: 4 });
    }
    const uploadSeconds = (performance.now() - uploadStart) / 1000;

    // The connector's files validated `rounds` times: the fastest round, and the highest peak.
    let best: Record<string, unknown> | undefined;
    const secondsPerRound: number[] = [];
    let peakRssMb = 0;
    for (let i = 0; i < rounds; i++) {
      const before = await command('reset');
      const start = performance.now();
      const accepted = await call('POST', `/beta/external/industryData/dataConnectors/${connector.id}/validate`);
      const location = accepted.headers.get('location')!;
      let op: Record<string, unknown>;
      for (;;) {
        op = (await (await call('GET', location, undefined, { prefer: 'wait=60' })).json()) as Record<string, unknown>;
        if (op.status === 'succeeded' || op.status === 'failed') break;
      }
      const seconds = (performance.now() - start) / 1000;
      const server = await command('report');
      secondsPerRound.push(round(seconds));
      peakRssMb = Math.max(peakRssMb, server.peakRssMb as number);
      if (best && (best.seconds as number) <= seconds) continue;
      best = {
        phase: 'validate',
        seconds: round(seconds),
        handlerSeconds: round((Date.parse(op.lastActionDateTime as string) - Date.parse(op.createdDateTime as string)) / 1000),
        status: op.status,
        statusDetail: op.statusDetail,
        validatedFiles: (op.validatedFiles as unknown[] | undefined)?.length ?? 0,
        errors: (op.errors as unknown[] | undefined)?.length ?? 0,
        warnings: (op.warnings as unknown[] | undefined)?.length ?? 0,
        firstIssue: ((op.errors as { message: string }[]) ?? [])[0]?.message ?? ((op.warnings as { message: string }[]) ?? [])[0]?.message,
        serverRssBeforeMb: before.rssMb,
        cpuSeconds: server.cpuSeconds,
        peakReset: server.peakReset,
      };
    }
    return [
      { phase: 'upload', seconds: round(uploadSeconds) },
      { ...best, peakRssMb, ...(rounds > 1 ? { of: `best of ${rounds} (peak RSS: the highest)`, secondsPerRound } : {}) },
    ];
  } finally {
    child.stdin!.end('stop\n');
    await once(child, 'exit');
  }
}

function runParse(dir: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'parse', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the csv-parse child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>);
    });
  });
}

async function main(): Promise<void> {
  if (args.child === 'parse') return void process.stdout.write(`${JSON.stringify(await childParse(args.dir!))}\n`);
  if (args.child === 'server') return childServer(args.backend!, store());
  if (args.backend !== 'pglite' && args.backend !== 'postgres') throw new Error('--backend is pglite or postgres');
  if (store() !== 'files' && store() !== 'database') throw new Error('--store is files or database');
  if (args.backend === 'pglite' && store() !== 'files') throw new Error('the embedded database keeps uploads in files (--store files)');
  const inputs = (args.inputs ?? (args.large ? '100mb,1m,1gb' : '100mb,1m')).split(',').map((s) => s.trim());
  for (const spec of inputs) {
    const users = await usersFor(spec);
    const dir = join(CACHE, `users-${users}`);
    const genStart = performance.now();
    if (!existsSync(join(dir, 'enrollments.csv'))) await generate(dir, users);
    const generated = (performance.now() - genStart) / 1000;
    const bytes = totalBytes(dir);
    const base = { bench: 'validate', input: spec, backend: args.backend, store: store(), users, files: csvFiles(dir).length, megabytes: round(bytes / 1e6, 1) };
    process.stdout.write(`${JSON.stringify({ ...base, phase: 'generate', seconds: round(generated) })}\n`);

    // Rounds of each side, the fastest kept (the machine is shared and noisy): two below 500 MB.
    const rounds = Number(args.rounds ?? (bytes > 500 * MB ? 1 : 2));
    let parsed: Record<string, unknown> | undefined;
    const parseSecondsPerRound: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const run = await runParse(dir);
      parseSecondsPerRound.push(run.seconds as number);
      if (!parsed || (run.seconds as number) < (parsed.seconds as number)) parsed = run;
    }
    parsed = { ...parsed, ...(rounds > 1 ? { of: `best of ${rounds}`, secondsPerRound: parseSecondsPerRound } : {}) };
    const parseMbps = bytes / 1e6 / (parsed!.seconds as number);
    const rows = parsed!.rows as number;
    process.stdout.write(`${JSON.stringify({ ...base, phase: 'csv-parse alone', ...parsed, mbPerSecond: round(parseMbps, 1), rowsPerSecond: Math.round(rows / (parsed!.seconds as number)) })}\n`);

    const [upload, validate] = await measureService(dir, rounds);
    process.stdout.write(`${JSON.stringify({ ...base, ...upload, mbPerSecond: round(bytes / 1e6 / (upload!.seconds as number), 1) })}\n`);
    const mbps = bytes / 1e6 / (validate!.seconds as number);
    process.stdout.write(
      `${JSON.stringify({
        ...base,
        ...validate,
        rows,
        mbPerSecond: round(mbps, 1),
        rowsPerSecond: Math.round(rows / (validate!.seconds as number)),
        ratioToCsvParse: round(mbps / parseMbps, 2),
        cpuRatioToCsvParse: round((parsed!.cpuSeconds as number) / (validate!.cpuSeconds as number), 2),
        goals: { ratioAtLeast: 0.5, peakRssUnderMb: 300 },
      })}\n`,
    );
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
