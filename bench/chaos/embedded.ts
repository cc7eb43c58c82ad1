// Scenario c: one embedded server (PGlite, no DATABASE_URL, its own data directory) killed with
// kill -9 mid-refresh, mid-validation and mid-upload, and started again on the same directory.
// Measures how long after the restart the interrupted operation ends, and compares what it
// produced with a clean run of the same server: incidents of every alert, the validation result,
// the files uploaded before the interrupted one, and what the interrupted body left on disk.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Variant } from './fixtures.js';
import { generated } from './fixtures.js';
import type { Api } from './http.js';
import { Api as ApiClass, Recorder } from './http.js';
import { blobUrl, createConnector, createSourceSystem, follow, readIncidents, startRefresh, startValidate, TOKEN_ROLES, upload, uploadSession, validationResult } from './graph.js';
import type { UnexpectedExit } from './processes.js';
import { runCli, ServerProcess } from './processes.js';
import type { Clock } from './util.js';
import { canonical, round, sleep } from './util.js';
import { freePort } from './cluster.js';

export interface EmbeddedContext {
  cli: string;
  dir: string;
  logDir: string;
  clock: Clock;
  tenant: string;
  users: number;
  now: string;
  /** The validation upload (big enough to be killed midway). */
  variant: Variant;
  /** The upload whose users.csv is re-uploaded and interrupted. */
  smallVariant: Variant;
  /** A clean run's result of `smallVariant` (from the reference server). */
  smallVariantReference: string | undefined;
  print: (line: Record<string, unknown>) => void;
}

export interface EmbeddedOutcome {
  lines: Record<string, unknown>[];
  unexpectedExits: UnexpectedExit[];
  recorder: Recorder;
  lost: number;
  failed: { what: string; statusDetail: string }[];
  duplicated: { what: string; detail: string }[];
  resumeSec: Record<string, number | null>;
  leftoverBytes: number | null;
  harnessErrors: string[];
}

const KILL_AFTER_MS = 60;

/** Bytes under every `tmp` or `.tmp` directory of the file blob store (partial bodies). */
function tmpBytes(blobs: string): number {
  let total = 0;
  const walk = (dir: string, inTmp: boolean) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path, inTmp || name === 'tmp' || name === '.tmp');
      else if (inTmp) total += st.size;
    }
  };
  walk(blobs, false);
  return total;
}

/** Waits until the operation at `location` is running with a statusDetail matching `re` (or ends). */
async function waitRunning(api: Api, location: string, re: RegExp, limitMs: number): Promise<Record<string, unknown>> {
  const deadline = performance.now() + limitMs;
  let op: Record<string, unknown> = {};
  while (performance.now() < deadline) {
    // A long-poll answers as soon as status or statusDetail changes: no progress step is missed.
    const reply = await api.expect('GET', location, [200], { headers: { prefer: 'wait=5' } });
    op = reply.json!;
    if (op.status === 'succeeded' || op.status === 'failed') return op;
    if (op.status === 'running' && re.test(String(op.statusDetail ?? ''))) return op;
  }
  return op;
}

export async function embeddedScenario(ctx: EmbeddedContext): Promise<EmbeddedOutcome> {
  const { clock, print } = ctx;
  const out: EmbeddedOutcome = { lines: [], unexpectedExits: [], recorder: new Recorder(clock), lost: 0, failed: [], duplicated: [], resumeSec: {}, leftoverBytes: null, harnessErrors: [] };
  const emit = (line: Record<string, unknown>) => {
    const full = { scenario: 'c', ...line };
    out.lines.push(full);
    print(full);
  };
  const seedStart = performance.now();
  runCli(ctx.cli, ['demo', '--tenant', ctx.tenant, '--users', String(ctx.users), '--now', ctx.now, '--data-dir', ctx.dir], { DATABASE_URL: undefined });
  const seedSec = round((performance.now() - seedStart) / 1000, 1);
  const token = runCli(ctx.cli, ['token', '--data-dir', ctx.dir, '--tenant', ctx.tenant, '--app', '--roles', TOKEN_ROLES.join(','), '--lifetime', '6h']).trim().split('\n').at(-1)!;
  const server = new ServerProcess({ name: 'embedded', cli: ctx.cli, port: await freePort(), dataDir: ctx.dir, logDir: ctx.logDir }, (exit) => out.unexpectedExits.push(exit), clock);
  const api = new ApiClass([{ name: 'embedded', url: server.url }], token, out.recorder);
  const firstReadyMs = await server.start(120_000);

  try {
    // ---- clean runs on this server: the references of this scenario ----
    const cleanStart = clock.ms();
    const clean = await follow(api, await startRefresh(api, ctx.tenant, 'all'), () => false);
    const cleanRefreshSec = round((clock.ms() - cleanStart) / 1000, 2);
    if (clean.status !== 'succeeded') throw new Error(`the clean refresh ended ${clean.status}: ${clean.statusDetail}`);
    const cleanIncidents = await readIncidents(api, ctx.tenant);
    const sourceSystem = await createSourceSystem(api);
    const connector = await createConnector(api, sourceSystem, `chaos embedded ${ctx.variant.name}`);
    await upload(api, await uploadSession(api, connector), ctx.variant.files);
    const validateStart = clock.ms();
    const cleanValidation = await follow(api, await startValidate(api, connector), () => false);
    const cleanValidateSec = round((clock.ms() - validateStart) / 1000, 2);
    if (cleanValidation.status !== 'succeeded') throw new Error(`the clean validation ended ${cleanValidation.status}: ${cleanValidation.statusDetail}`);
    const cleanResult = canonical(validationResult(cleanValidation.body));
    emit({ step: 'clean runs', seedSec, users: ctx.users, firstReadyMs: Math.round(firstReadyMs), cleanRefreshSec, cleanValidateSec, variant: ctx.variant.name });

    // ---- kill -9 mid-refresh ----
    {
      // On PGlite every query waits its turn on one connection, so a read of the operation
      // would only come back between scans: the kill comes on a timer instead, just after the
      // 202 (the operation starts as it is created), and the operation's lastActionDateTime says
      // whether it had ended before.
      const location = await startRefresh(api, ctx.tenant, 'all');
      await sleep(KILL_AFTER_MS);
      const killWall = Date.now();
      await server.kill();
      const restartAt = clock.ms();
      const readyMs = await server.start(120_000);
      const op = await follow(api, location, () => clock.ms() - restartAt > 180_000);
      // Observed by a Prefer: wait long-poll, so within milliseconds of the change.
      const finished = op.status === 'succeeded' || op.status === 'failed';
      const resume = finished ? round((clock.ms() - restartAt) / 1000, 2) : null;
      const afterReady = finished ? round((clock.ms() - restartAt - readyMs) / 1000, 2) : null;
      const midway = !(finished && Date.parse(String(op.body.lastActionDateTime)) < killWall);
      const before = { status: midway ? 'running' : op.status, statusDetail: midway ? `killed ${KILL_AFTER_MS} ms after the 202` : '' };
      if (midway) out.resumeSec.refresh = afterReady;
      else out.harnessErrors.push('the refresh ended before the kill: its resume was not measured');
      if (op.status !== 'succeeded' && op.status !== 'failed') out.lost++;
      if (op.status === 'failed') out.failed.push({ what: 'refresh killed midway', statusDetail: op.statusDetail });
      const incidents = await readIncidents(api, ctx.tenant);
      const mismatched = Object.keys(cleanIncidents).filter((a) => canonical(cleanIncidents[a]) !== canonical(incidents[a]));
      if (mismatched.length) out.duplicated.push({ what: 'refresh killed midway', detail: `incidents differ from the clean refresh for ${mismatched.join(', ')}` });
      emit({
        fault: 'kill -9 mid-refresh, restart on the same data directory',
        killedWhile: midway ? `running (${String(before.statusDetail)})` : `already ${String(before.status)}`,
        restartToReadyMs: Math.round(readyMs),
        restartToFinishedSec: resume,
        readyToFinishedSec: afterReady,
        status: op.status,
        statusDetail: op.statusDetail,
        incidentsEqualClean: mismatched.length === 0,
        ...(mismatched.length ? { alertsDiffering: mismatched } : {}),
      });
    }

    // ---- kill -9 mid-validation ----
    {
      const location = await startValidate(api, connector);
      const before = await waitRunning(api, location, /Validating/, 60_000);
      const midway = before.status === 'running';
      await server.kill();
      const restartAt = clock.ms();
      const readyMs = await server.start(120_000);
      const op = await follow(api, location, () => clock.ms() - restartAt > 180_000);
      // Observed by a Prefer: wait long-poll, so within milliseconds of the change.
      const finished = op.status === 'succeeded' || op.status === 'failed';
      const resume = finished ? round((clock.ms() - restartAt) / 1000, 2) : null;
      const afterReady = finished ? round((clock.ms() - restartAt - readyMs) / 1000, 2) : null;
      if (midway) out.resumeSec.validate = afterReady;
      else out.harnessErrors.push('the validation ended before the kill: its resume was not measured');
      if (op.status !== 'succeeded' && op.status !== 'failed') out.lost++;
      if (op.status === 'failed') out.failed.push({ what: 'validation killed midway', statusDetail: op.statusDetail });
      const equal = op.status !== 'succeeded' || canonical(validationResult(op.body)) === cleanResult;
      if (!equal) out.duplicated.push({ what: 'validation killed midway', detail: 'result differs from the clean validation of the same upload' });
      emit({
        fault: 'kill -9 mid-validation, restart on the same data directory',
        killedWhile: midway ? `running (${String(before.statusDetail)})` : `already ${String(before.status)}`,
        restartToReadyMs: Math.round(readyMs),
        restartToFinishedSec: resume,
        readyToFinishedSec: afterReady,
        status: op.status,
        statusDetail: op.statusDetail,
        resultEqualsClean: equal,
      });
    }

    // ---- kill -9 mid-upload: users.csv re-uploaded (a bigger one) and cut by the kill ----
    {
      const small = await createConnector(api, sourceSystem, `chaos embedded ${ctx.smallVariant.name}`);
      const session = await uploadSession(api, small);
      await upload(api, session, ctx.smallVariant.files);
      const big = generated(200_000).get('users.csv')!;
      const target = new URL(blobUrl(session, 'users.csv'), server.url);
      let sent = 0;
      const cut = Math.floor(big.length / 2);
      const uploadDone = new Promise<string>((resolve) => {
        const req = request(target, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2021-12-02', 'content-length': String(big.length) } }, (res) => {
          res.resume();
          resolve(`answered ${res.statusCode}`);
        });
        req.on('error', (err) => resolve(`client saw ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        const step = 256 * 1024;
        const pump = () => {
          if (sent >= cut) return;
          const piece = big.subarray(sent, Math.min(sent + step, cut));
          sent += piece.length;
          req.write(piece);
          setTimeout(pump, 5);
        };
        pump();
      });
      while (sent < cut) await sleep(20);
      await sleep(300); // the server has taken the bytes in
      await server.kill();
      const clientSaw = await uploadDone;
      const leftAfterKill = tmpBytes(join(ctx.dir, 'blobs'));
      const restartAt = clock.ms();
      const readyMs = await server.start(120_000);
      await sleep(2000);
      const left = tmpBytes(join(ctx.dir, 'blobs'));
      out.leftoverBytes = left;
      // The files uploaded before are intact (users.csv is still the first one).
      const intact: string[] = [];
      const damaged: string[] = [];
      for (const [name, body] of ctx.smallVariant.files) {
        const reply = await api.request('GET', blobUrl(session, name), { noAuth: true });
        const same = reply.status === 200 && createHash('sha256').update(reply.text).digest('hex') === createHash('sha256').update(body.toString()).digest('hex');
        (same ? intact : damaged).push(name);
      }
      if (damaged.length) out.duplicated.push({ what: 'upload killed midway', detail: `files changed or missing after the restart: ${damaged.join(', ')}` });
      const op = await follow(api, await startValidate(api, small), () => clock.ms() - restartAt > 180_000);
      if (op.status !== 'succeeded' && op.status !== 'failed') out.lost++;
      if (op.status === 'failed') out.failed.push({ what: 'validation after the interrupted upload', statusDetail: op.statusDetail });
      const result = op.status === 'succeeded' ? canonical(validationResult(op.body)) : undefined;
      const equal = ctx.smallVariantReference === undefined || result === undefined || result === ctx.smallVariantReference;
      if (!equal) out.duplicated.push({ what: 'validation after the interrupted upload', detail: 'result differs from the clean run of the same files' });
      emit({
        fault: 'kill -9 mid-upload (Put Blob replacing users.csv), restart on the same data directory',
        bodyBytes: big.length,
        sentBeforeKill: sent,
        clientSaw,
        partialBytesOnDiskAfterKill: leftAfterKill,
        partialBytesOnDiskAfterRestart: left,
        restartToReadyMs: Math.round(readyMs),
        earlierFilesIntact: intact.length,
        earlierFilesDamaged: damaged,
        validationAfter: op.status,
        validationResultEqualsClean: equal,
      });
    }
  } catch (err) {
    out.harnessErrors.push((err as Error).message);
    emit({ step: 'aborted', error: (err as Error).message, lastServerLines: server.lastLines(10) });
  } finally {
    const began = performance.now();
    const killed = await server.stop(20_000);
    emit({ step: 'stopped', shutdownSec: round((performance.now() - began) / 1000, 1), neededSigkill: killed });
  }
  return out;
}
