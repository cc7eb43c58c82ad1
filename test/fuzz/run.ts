// Runs cases against a server and tallies what the oracle says. Case `i` of seed `s` is made by
// its own PRNG stream, so `--seed s --case i` replays it alone; validation `j` likewise.
import { readFileSync } from 'node:fs';
import type { Client, FuzzRequest, Outcome } from './client.js';
import { sendRaw } from './client.js';
import type { CsvFile, CsvScale, CsvSet } from './csv.js';
import { csvSet, sampleSet } from './csv.js';
import type { Fixtures } from './fixtures.js';
import { call, connectorWithSession, INDUSTRY, settle } from './fixtures.js';
import type { Case, Generator, Scale } from './inputs/case.js';
import { blob } from './inputs/blob.js';
import { bodies } from './inputs/bodies.js';
import { headers } from './inputs/headers.js';
import { odata } from './inputs/odata.js';
import { paths } from './inputs/paths.js';
import { raw } from './inputs/raw.js';
import { judge } from './oracle.js';
import { Rng } from './rng.js';

const GENERATORS: [Generator, number][] = [[odata, 25], [bodies, 20], [paths, 15], [headers, 20], [blob, 15], [raw, 5]];
const TOTAL = GENERATORS.reduce((n, [, w]) => n + w, 0);
/** Validation j draws from stream VALIDATIONS + j: apart from every request case. */
const VALIDATIONS = 1 << 30;

export function makeCase(seed: number, index: number, fx: Fixtures, scale: Scale): Case {
  const rng = new Rng(seed, index);
  let roll = rng.int(0, TOTAL - 1);
  for (const [generate, weight] of GENERATORS) {
    if (roll < weight) return generate(rng, fx, scale);
    roll -= weight;
  }
  throw new Error('unreachable');
}

export interface Finding {
  what: string;
  replay: string;
  input: string;
}

export interface Tally {
  cases: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  status5xx: number;
  dropped: number;
  noAnswer: number;
  notGraphShaped: number;
  /** Longest time to an answer, ms, and the case. */
  slowest: { ms: number; replay: string };
  /** Oracle violations by kind of case, verdict and the start of the body. */
  bySignature: Record<string, number>;
  /** The first few examples of each signature. */
  findings: Finding[];
}

export const newTally = (): Tally => ({ cases: 0, byKind: {}, byStatus: {}, status5xx: 0, dropped: 0, noAnswer: 0, notGraphShaped: 0, slowest: { ms: 0, replay: '' }, bySignature: {}, findings: [] });

/** Examples kept per signature. */
const EXAMPLES = 3;

/** A request as text for a report: method, target, headers, the body's first bytes. */
export function describe(c: Case, fx: Fixtures): string {
  // Tokens are long and say nothing: name the fixture ones.
  const named = (s: string) => Object.entries(fx.tokens).reduce((out, [name, token]) => out.split(token).join(`<${name} token>`), s);
  const cut = (s: string) => {
    const short = named(s);
    return short.length > 400 ? `${short.slice(0, 400)}…(${short.length} chars)` : short;
  };
  if (c.raw) return JSON.stringify(cut(c.raw.toString('latin1')));
  const r = c.request!;
  return JSON.stringify({ method: r.method, path: cut(r.path), headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, cut(v)])), body: r.body ? cut(r.body.toString('latin1')) : undefined });
}

export async function sendCase(client: Client, c: Case, timeoutMs: number): Promise<Outcome> {
  return c.raw ? sendRaw(client.origin, c.raw, timeoutMs) : client.send(c.request!);
}

function record(tally: Tally, c: Case, outcome: Outcome, replay: string, fx: Fixtures): void {
  tally.cases++;
  tally.byKind[c.kind] = (tally.byKind[c.kind] ?? 0) + 1;
  const key = outcome.failure ?? String(outcome.status);
  tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
  if (outcome.ms > tally.slowest.ms) tally.slowest = { ms: Math.round(outcome.ms), replay };
  const verdict = judge(c.request as FuzzRequest | undefined, outcome);
  if (!verdict) return;
  if (outcome.failure === 'dropped') tally.dropped++;
  else if (outcome.failure === 'timeout') tally.noAnswer++;
  else if ((outcome.status ?? 0) >= 500) tally.status5xx++;
  else tally.notGraphShaped++;
  const code = /"code":"([^"]+)"/.exec(outcome.body.subarray(0, 400).toString('utf8'))?.[1];
  const signature = `${c.kind} ${c.request?.method ?? 'raw'}: ${verdict.slice(0, 50)}${code ? ` [${code}]` : ''}`;
  tally.bySignature[signature] = (tally.bySignature[signature] ?? 0) + 1;
  if (tally.bySignature[signature] <= EXAMPLES) tally.findings.push({ what: `${c.kind}: ${verdict}`, replay, input: describe(c, fx) });
}

export interface RequestRun {
  client: Client;
  fx: Fixtures;
  seed: number;
  from?: number;
  count: number;
  concurrency: number;
  scale: Scale;
  timeoutMs: number;
  replay: (index: number) => string;
}

export async function runRequests(run: RequestRun, tally = newTally()): Promise<Tally> {
  let next = run.from ?? 0;
  const end = next + run.count;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      const c = makeCase(run.seed, index, run.fx, run.scale);
      record(tally, c, await sendCase(run.client, c, run.timeoutMs), run.replay(index), run.fx);
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  return tally;
}

// ---- validations ----

/** The issue codes docs/sds-validation.md documents. */
export function documentedCodes(): Set<string> {
  const doc = readFileSync(new URL('../../../docs/sds-validation.md', import.meta.url), 'utf8');
  return new Set([...doc.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]!));
}

export interface ValidationTally {
  validations: number;
  ended: number;
  notEnded: number;
  byStatus: Record<string, number>;
  uploadsRefused: number;
  undocumentedCodes: number;
  /** Longest time from validate to a final status, ms. */
  slowestMs: number;
  findings: Finding[];
}

export const newValidationTally = (): ValidationTally => ({ validations: 0, ended: 0, notEnded: 0, byStatus: {}, uploadsRefused: 0, undocumentedCodes: 0, slowestMs: 0, findings: [] });

export function makeCsvSet(seed: number, index: number, base: readonly CsvFile[], scale: CsvScale): CsvSet {
  return csvSet(new Rng(seed, VALIDATIONS + index), base, scale);
}

/**
 * Uploads `set` through a new connector's real upload session URL, validates it, and polls the
 * operation to a final status within `boundMs`. What went wrong, or undefined; the operation.
 */
export async function validateSet(client: Client, fx: Fixtures, set: CsvSet, boundMs: number, codes: Set<string>, tally?: ValidationTally): Promise<{ problem?: string; operation?: Record<string, unknown> }> {
  const admin = fx.tokens.admin;
  const session = await connectorWithSession(client, admin, fx.sourceSystemId);
  for (const file of set.files) {
    const put = await client.send({ method: 'PUT', path: `/blob/${session.containerId}/${encodeURIComponent(file.name)}?${session.sas}`, headers: { 'x-ms-blob-type': 'BlockBlob' }, body: file.body });
    if (put.status !== 201) {
      if (tally) tally.uploadsRefused++;
      const verdict = judge({ method: 'PUT', path: '/blob/', headers: {} }, put);
      if (verdict) return { problem: `upload of ${file.name}: ${verdict}` };
    }
  }
  const started = Date.now();
  const res = await call(client, admin, 'POST', `${INDUSTRY}/dataConnectors/${session.connectorId}/validate`);
  if (res.status !== 202) return { problem: `validate answered ${res.status}: ${res.text.slice(0, 200)}` };
  const operation = await settle(client, admin, new URL(String(res.headers.location)).pathname, boundMs);
  if (tally) tally.slowestMs = Math.max(tally.slowestMs, Date.now() - started);
  if (operation.status !== 'succeeded' && operation.status !== 'failed') return { problem: `validation did not end within ${boundMs / 1000} s: ${JSON.stringify(operation.statusDetail)}`, operation };
  const unknown = [...((operation.errors as { code: string }[]) ?? []), ...((operation.warnings as { code: string }[]) ?? [])].filter((issue) => !codes.has(issue.code));
  if (unknown.length) {
    if (tally) tally.undocumentedCodes += unknown.length;
    return { problem: `undocumented issue codes: ${unknown.map((u) => u.code).join(', ')}`, operation };
  }
  return { operation };
}

export interface ValidationRun {
  client: Client;
  fx: Fixtures;
  seed: number;
  count: number;
  concurrency: number;
  scale: CsvScale;
  boundMs: number;
  replay: (index: number) => string;
}

export async function runValidations(run: ValidationRun, tally = newValidationTally()): Promise<ValidationTally> {
  const base = sampleSet();
  const codes = documentedCodes();
  let next = 0;
  const worker = async () => {
    while (next < run.count) {
      const index = next++;
      const set = makeCsvSet(run.seed, index, base, run.scale);
      tally.validations++;
      const { problem, operation } = await validateSet(run.client, run.fx, set, run.boundMs, codes, tally).catch((err: Error) => ({ problem: `harness: ${err.message}`, operation: undefined }));
      const status = String(operation?.status ?? 'none');
      tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
      if (status === 'succeeded' || status === 'failed') tally.ended++;
      else tally.notEnded++;
      if (problem) tally.findings.push({ what: `csv: ${problem}`, replay: run.replay(index), input: JSON.stringify({ mutations: set.mutations, files: set.files.map((f) => `${f.name} (${f.body.length} bytes)`) }) });
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  return tally;
}
