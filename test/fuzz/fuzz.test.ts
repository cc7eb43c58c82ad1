// The fuzz suite at CI size (docs/fuzz.md): a few thousand requests of every input family and a
// few dozen CSV sets validated end to end, against a real server on loopback with real tokens.
// Seed 1 unless FUZZ_SEED is set; every finding prints the command that replays it alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from './client.js';
import type { Fixtures } from './fixtures.js';
import { createFixtures } from './fixtures.js';
import { isOpen } from './open.js';
import type { Finding } from './run.js';
import { runRequests, runValidations } from './run.js';
import type { Target } from './target.js';
import { startInProcess, tokens } from './target.js';

const SEED = Number(process.env.FUZZ_SEED ?? 1);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const VALIDATIONS = Number(process.env.FUZZ_VALIDATIONS ?? 12);

const report = (findings: Finding[]) => findings.map((f) => `${f.what}\n  replay: ${f.replay}\n  input: ${f.input}`).join('\n');

describe(`fuzz (seed ${SEED}; replay one case with: npm run fuzz -- --seed ${SEED} --case <i>)`, () => {
  let target: Target;
  let client: Client;
  let fx: Fixtures;
  before(async () => {
    target = await startInProcess();
    client = new Client(target.url, 30_000, 8);
    fx = await createFixtures(client, await tokens(target.key), target.key);
  });
  after(async () => {
    client.close();
    await target.close();
  });

  test(`${REQUESTS} requests: a success or a 4xx Graph (blob: Azure XML) error each, never a 5xx or a dropped connection`, async (t) => {
    const tally = await runRequests({ client, fx, seed: SEED, count: REQUESTS, concurrency: 8, scale: { maxBytes: 64 * 1024 }, timeoutMs: 30_000, replay: (i) => `npm run fuzz -- --seed ${SEED} --case ${i}` });
    t.diagnostic(JSON.stringify({ seed: SEED, cases: tally.cases, byKind: tally.byKind, byStatus: tally.byStatus }));
    const open = tally.findings.filter(isOpen);
    if (open.length) t.diagnostic(`open findings (todo tests in regressions.test.ts), examples:\n${report(open)}`);
    assert.equal(tally.cases, REQUESTS);
    const found = tally.findings.filter((f) => !isOpen(f));
    assert.deepEqual(found, [], report(found));
  });

  test(`${VALIDATIONS} damaged SDS sample sets uploaded and validated: each validation ends, with documented codes`, async (t) => {
    const tally = await runValidations({ client, fx, seed: SEED, count: VALIDATIONS, concurrency: 4, scale: { maxField: 1 << 20, maxRows: 0 }, boundMs: 30_000, replay: (j) => `npm run fuzz -- --seed ${SEED} --validation ${j}` });
    t.diagnostic(JSON.stringify({ seed: SEED, validations: tally.validations, byStatus: tally.byStatus, slowestMs: tally.slowestMs }));
    assert.deepEqual(tally.findings, [], report(tally.findings));
    assert.equal(tally.ended, VALIDATIONS);
  });
});
