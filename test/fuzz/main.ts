// `npm run fuzz`: the fuzz suite at its large size against a `graph-lro serve` child process,
// printing one JSON line per figure (docs/fuzz.md). Also replays one case or one validation:
//   npm run fuzz -- --seed 7 --case 1234        npm run fuzz -- --seed 7 --validation 12
import { parseArgs } from 'node:util';
import { Client } from './client.js';
import { sampleSet } from './csv.js';
import { createFixtures } from './fixtures.js';
import { judge } from './oracle.js';
import type { Finding } from './run.js';
import { describe, documentedCodes, makeCase, makeCsvSet, newTally, runRequests, runValidations, sendCase, validateSet } from './run.js';
import { bigBody, summary, trickle } from './slow.js';
import type { Held } from './slow.js';
import { memoryOf, startChild, tokens } from './target.js';

const USAGE = `usage: npm run fuzz -- [--seed N] [--requests 100000] [--validations 300] [--concurrency 16]
       [--no-slow] [--big-mb 300] [--trickle 100] [--trickle-cap 90s] [--database-url postgres://…]
       [--case I | --validation J]   (replay one request case or one CSV set of --seed N)`;

const options = {
    seed: { type: 'string' },
    requests: { type: 'string', default: '100000' },
    validations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    case: { type: 'string' },
    validation: { type: 'string' },
    'no-slow': { type: 'boolean', default: false },
    'big-mb': { type: 'string', default: '300' },
    trickle: { type: 'string', default: '100' },
    'trickle-cap': { type: 'string', default: '90s' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', default: false },
} as const;
let args: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  args = parseArgs({ options }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.seed);
const scale = { maxBytes: 4 * 2 ** 20 };
const csvScale = { maxField: 32 * 2 ** 20, maxRows: 200_000 };
const line = (figure: string, value: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ figure, seed, ...value })}\n`);
const seconds = (s: string) => Number(s.replace(/s$/, '')) * 1000;

const target = await startChild(args['database-url'] ? { databaseUrl: args['database-url'] } : {});
const client = new Client(target.url, 90_000, Number(args.concurrency));
let failed: boolean;
try {
  const fx = await createFixtures(client, await tokens(target.key), target.key);
  if (args.case !== undefined) {
    const c = makeCase(seed, Number(args.case), fx, scale);
    const outcome = await sendCase(client, c, 90_000);
    const verdict = judge(c.request, outcome);
    failed = verdict !== undefined;
    line('fuzz.case', { case: Number(args.case), kind: c.kind, input: JSON.parse(describe(c, fx)), status: outcome.status ?? outcome.failure, body: outcome.body.subarray(0, 2000).toString('utf8'), verdict: verdict ?? 'ok' });
  } else if (args.validation !== undefined) {
    const set = makeCsvSet(seed, Number(args.validation), sampleSet(), csvScale);
    const { problem, operation } = await validateSet(client, fx, set, 120_000, documentedCodes());
    failed = problem !== undefined;
    line('fuzz.validation', { validation: Number(args.validation), mutations: set.mutations, verdict: problem ?? 'ok', operation });
  } else {
    const pid = target.pid!;
    let peakSampled = 0;
    const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, memoryOf(pid).rssMb)), 200);
    const findings: Finding[] = [];
    line('fuzz.start', { url: target.url, requests: Number(args.requests), validations: Number(args.validations), memory: memoryOf(pid) });

    const started = performance.now();
    const tally = newTally();
    const total = Number(args.requests);
    for (let from = 0; from < total; from += 10_000) {
      await runRequests({ client, fx, seed, from, count: Math.min(10_000, total - from), concurrency: Number(args.concurrency), scale, timeoutMs: 90_000, replay: (i) => `npm run fuzz -- --seed ${seed} --case ${i}` }, tally);
      process.stderr.write(`fuzz: ${tally.cases} requests, ${Object.values(tally.bySignature).reduce((a, b) => a + b, 0)} violations, RSS ${memoryOf(pid).rssMb} MB\n`);
    }
    const { findings: requestFindings, ...counts } = tally;
    findings.push(...requestFindings);
    line('fuzz.requests', { ...counts, seconds: Math.round((performance.now() - started) / 1000), memory: memoryOf(pid) });

    const vStarted = performance.now();
    const v = await runValidations({ client, fx, seed, count: Number(args.validations), concurrency: 4, scale: csvScale, boundMs: 120_000, replay: (j) => `npm run fuzz -- --seed ${seed} --validation ${j}` });
    const { findings: csvFindings, ...vCounts } = v;
    findings.push(...csvFindings);
    line('fuzz.validations', { ...vCounts, seconds: Math.round((performance.now() - vStarted) / 1000), memory: memoryOf(pid) });

    if (!args['no-slow']) {
      const mb = Number(args['big-mb']);
      const cap = seconds(args['trickle-cap']);
      const before = memoryOf(pid);
      const blobNoSig = `/blob/${fx.containerId}/big.csv`;
      const big: Held[] = [];
      for (const [method, path] of [['PUT', '/admin/directory'], ['POST', '/beta/external/industryData/dataConnectors'], ['PUT', blobNoSig]] as const) {
        big.push(...(await Promise.all([0, 1, 2].map((i) => bigBody(target.url, method, path, mb, i === 2, 300_000)))));
      }
      line('fuzz.big-bodies', { unauthenticated: big, memoryBefore: before, memoryAfter: memoryOf(pid), peakSampledMb: peakSampled });

      const n = Number(args.trickle);
      const slow = await Promise.all([
        ...Array.from({ length: n }, () => trickle(target.url, 'headers', undefined, 1000, cap)),
        ...Array.from({ length: n }, (_, i) => trickle(target.url, 'body', i % 2 ? fx.tokens.admin : undefined, 1000, cap)),
      ]);
      const kinds = [...new Set(slow.map((h) => h.target))];
      line('fuzz.trickle', { capMs: cap, ...Object.fromEntries(kinds.map((k) => [k, summary(slow.filter((h) => h.target === k))])) });
    }

    await new Promise((resolve) => setTimeout(resolve, 10_000));
    clearInterval(sampler);
    const after = memoryOf(pid);
    line('fuzz.memory', { rssAfterIdle10sMb: after.rssMb, peakMb: after.peakMb, peakSampledMb: Math.max(peakSampled, after.rssMb) });
    for (const f of findings) line('fuzz.finding', { ...f });
    line('fuzz.end', { violations: Object.values(tally.bySignature).reduce((a, b) => a + b, 0), validationProblems: csvFindings.length, replay: `npm run fuzz -- --seed ${seed}` });
    failed = findings.length > 0;
  }
} finally {
  client.close();
  await target.close();
}
process.exit(failed ? 1 : 0);
