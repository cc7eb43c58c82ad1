// A throwaway PostgreSQL database per benchmarked system, plus the small helpers the bench shares.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Monitor } from './queue-system.js';

export const serverUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** `fn` with a connection of its own to `url`, closed after it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const admin = (sql: string): Promise<void> => withClient(serverUrl(), async (client) => void (await client.query(sql)));

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates `bench_<system>_<random>` on the server of DATABASE_URL. */
export async function createScratchDb(system: string): Promise<ScratchDb> {
  const name = `bench_${system.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The version of an installed package: its package.json, found upwards from its entry point
 *  (a package's exports need not expose package.json itself). */
export function packageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name && manifest.version) return manifest.version;
    } catch {
      // no package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Drops the scratch database at `url` (one createScratchDb made), cutting off its connections. */
export async function dropScratchDb(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^bench_\w+$/.test(name)) throw new Error(`not a scratch database: ${name}`);
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** The bench's view of a PostgreSQL system's job table, through one connection of its own. */
export async function sqlMonitor(url: string, sql: { unfinished: string; succeeded: string | null; reset: string }): Promise<Monitor> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // the database is dropped under it after a cut-off run
  await client.connect();
  const count = async (text: string) => (await client.query<{ n: number }>(text)).rows[0]?.n ?? 0;
  return {
    unfinished: () => count(sql.unfinished),
    succeeded: async () => (sql.succeeded ? count(sql.succeeded) : null),
    reset: async () => void (await client.query(sql.reset)),
    close: () => client.end().catch(() => undefined),
  };
}
