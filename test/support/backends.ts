// The two database backends every engine and API test runs on: embedded PGlite (in memory) and
// a real PostgreSQL (DATABASE_URL), each test getting a fresh database of its own.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import type { Db } from '../../src/db/db.js';
import { openDb } from '../../src/db/open.js';
import { migrations } from '../../src/families/index.js';

export interface TestDatabase {
  /** Opens a connection (several may be opened on PostgreSQL; PGlite gives the one instance). */
  open(): Promise<Db>;
  /** Set on PostgreSQL: another process can connect. */
  url?: string;
  drop(): Promise<void>;
}

export interface Backend {
  name: 'pglite' | 'postgres';
  create(): Promise<TestDatabase>;
}

export const databaseUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export const pglite: Backend = {
  name: 'pglite',
  async create() {
    const db = await openDb({ migrations });
    return { open: async () => db, drop: () => db.close() };
  },
};

export const postgres: Backend = {
  name: 'postgres',
  async create() {
    const name = `graph_lro_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl());
    url.pathname = `/${name}`;
    const opened: Db[] = [];
    return {
      url: url.toString(),
      async open() {
        const db = await openDb({ databaseUrl: url.toString(), poolSize: 10, migrations });
        opened.push(db);
        return db;
      },
      async drop() {
        await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  },
};

export const backends: Backend[] = [pglite, postgres];

/**
 * Hooks of the calling describe block: a fresh database opened before its tests (handed to
 * `opened`, with the database for more connections), dropped after.
 */
export function freshDatabase(backend: Backend, opened: (db: Db, database: TestDatabase) => void): void {
  let database: TestDatabase;
  before(async () => {
    database = await backend.create();
    opened(await database.open(), database);
  });
  after(() => database.drop());
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined) or `ms` passes. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const TENANT = '0d3f7a4e-5c3b-4b8a-9a3e-2f1c6b7d8e90';
export const OTHER_TENANT = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
