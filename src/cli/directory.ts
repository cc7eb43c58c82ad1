import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isGuid } from '../auth/guid.js';
import type { Db } from '../db/db.js';
import { openDb } from '../db/open.js';
import { DirectoryImportError, importDirectory, type ImportSummary } from '../directory/index.js';
import { DEFAULT_DATA_DIR } from './defaults.js';
import { migrations } from '../families/index.js';

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string;
}

export const databaseOptions = (command: Command): Command =>
  command
    .addOption(new Option('--data-dir <dir>', 'data directory of the embedded database').default(DEFAULT_DATA_DIR).env('GRAPH_LRO_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'a shared PostgreSQL instead of the embedded database').env('DATABASE_URL'));

export const tenantId = (value: string): string => {
  if (!isGuid(value)) throw new InvalidArgumentError('A tenant id is a GUID, e.g. 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f.');
  return value.toLowerCase();
};

/** Opens the database as `serve` does (PGlite in `<data-dir>/pglite` unless a PostgreSQL URL is given). */
export async function openDatabase(opts: DatabaseOptions): Promise<Db> {
  return opts.databaseUrl ? openDb({ databaseUrl: opts.databaseUrl, poolSize: 2, migrations }) : openDb({ dataDir: resolve(opts.dataDir, 'pglite'), migrations });
}

export const describeSummary = (s: ImportSummary): string =>
  `tenant ${s.tenantId}: ${s.users} users, ${s.roles} roles, ${s.assignments} active assignments, ${s.eligibilities} eligible assignments, ` +
  `${s.activations} activations, ${s.policies} role policies, ${s.licenses} licences, ${s.groups} groups (${s.groupMembers} members and owners), ` +
  `${s.administrativeUnits} administrative units (${s.administrativeUnitMembers} members)`;

async function readSnapshot(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

export function directoryCommand(): Command {
  const importCommand = databaseOptions(
    new Command('import')
      .description("Replace a tenant's directory with a JSON snapshot in Graph's shapes (users, roleAssignments, roleEligibilitySchedules, …).")
      .argument('<file>', 'the snapshot (docs/directory.md)')
      .addOption(new Option('--tenant <tid>', 'tenant id').argParser(tenantId).makeOptionMandatory()),
  )
    .addHelpText(
      'after',
      `
The import is all or nothing: a snapshot with any problem is rejected with the list of problems
(exit code 1) and the tenant's directory stays as it was.

Examples:
  $ graph-lro directory import contoso.json --tenant 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f
  $ DATABASE_URL=postgres://lro@db/lro graph-lro directory import contoso.json --tenant 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f`,
    )
    .action(async (file: string, opts: DatabaseOptions & { tenant: string }) => {
      const snapshot = await readSnapshot(file);
      const db = await openDatabase(opts);
      try {
        const summary = await importDirectory(db, opts.tenant, snapshot);
        process.stdout.write(`Imported the directory of ${describeSummary(summary)}.\n`);
      } catch (err) {
        if (!(err instanceof DirectoryImportError)) throw err;
        process.stderr.write(`graph-lro: ${file} was rejected, nothing was imported:\n  ${err.problems.join('\n  ')}\n`);
        process.exitCode = 1;
      } finally {
        await db.close();
      }
    });
  return new Command('directory').description('The tenant directory the PIM alert scanners read.').addCommand(importCommand);
}
