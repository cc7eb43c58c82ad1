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
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { round } from './support/scratch-db.js';
import { cpuSeconds, peakRssMb, resetPeak, serveChild, spawnService, uploadedConnector } from './support/service.js';
import { csvFiles, generate, totalBytes } from './support/sds-upload.js';

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

/** Where uploads go: the deployment's default for the backend unless --store says otherwise. */
const store = () => args.store ?? (args.backend === 'pglite' ? 'files' : 'database');
const MB = 1024 * 1024;
const CACHE = join(tmpdir(), 'graph-lro-bench-validate');

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

/** The client side, in this process: upload through the session URL, then validate end to end. */
async function measureService(dir: string, rounds: number): Promise<Record<string, unknown>[]> {
  const env = { ...process.env, GRAPH_LRO_MAX_UPLOAD_BYTES: String(8 * 1024 * MB), GRAPH_LRO_SDS_MAX_RECORDS: String(100_000_000) };
  const service = await spawnService(fileURLToPath(import.meta.url), ['--backend', args.backend!, '--store', store()], env);
  const { call, command } = service;
  try {
    const { connectorId, uploadSeconds } = await uploadedConnector(service, dir, csvFiles(dir));
    const connector = { id: connectorId };

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
    await service.stop();
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
  if (args.child === 'server') {
    const scopes = ['IndustryData-SourceSystem.ReadWrite.All', 'IndustryData-DataConnector.ReadWrite.All', 'IndustryData.ReadBasic.All'];
    return serveChild({ backend: args.backend!, store: store(), dataRoot: CACHE, label: 'validate', scopes });
  }
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
