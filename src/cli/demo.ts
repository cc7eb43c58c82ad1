import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEMO_DEFAULT_USERS, DEMO_MAX_USERS, DEMO_MIN_USERS, demoSnapshotJson, seedDemoTenant } from '../directory/index.js';
import { DEMO_TENANT_ID } from './defaults.js';
import { type DatabaseOptions, databaseOptions, describeSummary, openDatabase, tenantId } from './directory.js';

const wholeNumber = (value: string) => {
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('Expected a whole number.');
  return n;
};
const userCount = (value: string) => {
  const n = wholeNumber(value);
  if (n < DEMO_MIN_USERS || n > DEMO_MAX_USERS) throw new InvalidArgumentError(`A demo tenant has from ${DEMO_MIN_USERS} to ${DEMO_MAX_USERS} users.`);
  return n;
};
const instant = (value: string) => {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`'${value}' is not a date and time (example: 2025-06-01T12:00:00Z).`);
  return value;
};

interface DemoCommandOptions extends DatabaseOptions {
  tenant: string;
  users: number;
  seed: number;
  now?: string;
  out?: string;
}

export function demoCommand(): Command {
  return databaseOptions(
    new Command('demo')
      .description('Generate the demo tenant: every PIM alert has incidents and every threshold a subject on each side (docs/directory.md).')
      .addOption(new Option('--tenant <tid>', 'tenant id').argParser(tenantId).default(DEMO_TENANT_ID).env('GRAPH_LRO_TENANT'))
      .addOption(new Option('--users <n>', `users, ${DEMO_MIN_USERS} to ${DEMO_MAX_USERS}`).argParser(userCount).default(DEMO_DEFAULT_USERS))
      .addOption(new Option('--seed <n>', 'another seed gives other names, ids and dates').argParser(wholeNumber).default(1))
      .addOption(new Option('--now <datetime>', 'the moment the dates are relative to (default: now)').argParser(instant))
      .option('--out <file>', 'write the snapshot to this file (for directory import) instead of loading it'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ graph-lro demo                                    # replaces the demo tenant's directory in ./data
  $ graph-lro demo --users 1000000 --database-url postgres://lro@db/lro
  $ graph-lro demo --users 20 --now 2025-06-01T12:00:00Z --out demo.json`,
    )
    .action(async (opts: DemoCommandOptions) => {
      const started = performance.now();
      const options = { users: opts.users, seed: opts.seed, ...(opts.now ? { now: opts.now } : {}) };
      if (opts.out) {
        await pipeline(Readable.from(demoSnapshotJson({ tenantId: opts.tenant, ...options })), createWriteStream(opts.out));
        process.stdout.write(`Wrote the demo tenant (${opts.users} users) to ${opts.out}.\n`);
        return;
      }
      const db = await openDatabase(opts);
      try {
        const summary = await seedDemoTenant(db, opts.tenant, options);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(`Loaded the demo directory of ${describeSummary(summary)} in ${seconds} s.\n`);
      } finally {
        await db.close();
      }
    });
}
