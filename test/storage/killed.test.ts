// A process killed with SIGKILL in the middle of two uploads leaves partial bodies; the next store
// on the same directory or database removes them, and never those of an upload another live
// process is still writing. Files (the process is on this host) and PostgreSQL (several processes,
// one database).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { DatabaseBlobStore, FileBlobStore } from '../../src/storage/index.js';
import { eventually, postgres } from '../support/backends.js';
import { databaseLeftovers, fileLeftovers } from './leftovers.js';

const CONTAINER = '0c7e4a8e-1d2b-4f3a-9c8d-7e6f5a4b3c2d';

async function startUploader(...args: string[]) {
  const child = spawn(process.execPath, ['dist/test/storage/uploader.js', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout!, 'data');
  return child;
}

test('file store: a killed process\'s partial bodies are removed by the next store, a live one\'s are kept', async () => {
  const root = mkdtempSync(join(tmpdir(), 'graph-lro-killed-'));
  try {
    const child = await startUploader('file', root);
    await eventually(() => (fileLeftovers(root) === 2 ? true : undefined), 10_000, 'two bodies being written');
    const next = new FileBlobStore(root);
    assert.equal(await next.discardAbandoned(), 0, 'the writer is alive');
    assert.equal(fileLeftovers(root), 2);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(await next.discardAbandoned(), 2);
    assert.equal(fileLeftovers(root), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('file store: another host\'s bodies are removed once idle for an hour; the only writer removes every other owner\'s at start', async () => {
  const root = mkdtempSync(join(tmpdir(), 'graph-lro-owners-'));
  try {
    const body = (owner: string) => {
      mkdirSync(join(root, '.tmp', owner), { recursive: true });
      writeFileSync(join(root, '.tmp', owner, 'body'), 'partial');
      return join(root, '.tmp', owner, 'body');
    };
    const elsewhere = body('other-host+1+abc');
    const sibling = body(`${encodeURIComponent(hostname())}+${process.pid}+abc`);
    const shared = new FileBlobStore(root);
    assert.equal(await shared.discardAbandoned(), 0);
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    utimesSync(elsewhere, hourAgo, hourAgo);
    assert.equal(await shared.discardAbandoned(), 1);
    assert.ok(!existsSync(elsewhere) && existsSync(sibling));
    // Embedded: the data directory's lock makes this store the only writer.
    const only = new FileBlobStore(root, { exclusive: true });
    assert.equal(await only.discardAbandoned(), 1);
    assert.equal(fileLeftovers(root), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('database store on PostgreSQL: a killed process\'s chunks are removed once its lease lapses, a live writer\'s never', async () => {
  const database = await postgres.create();
  try {
    const db = await database.open();
    const leaseMs = 1500;
    const child = await startUploader('database', database.url!, String(leaseMs));
    const chunks = async () => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_chunks'))[0]!.n);
    await eventually(async () => ((await chunks()) === 6 ? true : undefined), 10_000, 'two bodies of 3 chunks');
    const next = new DatabaseBlobStore(db, { leaseMs });
    // Over several of its leases the writer renews its bodies: none is taken for abandoned.
    for (let i = 0; i < 6; i++) {
      assert.equal(await next.discardAbandoned(), 0);
      await new Promise((resolve) => setTimeout(resolve, leaseMs / 2));
    }
    assert.equal(await chunks(), 6);
    child.kill('SIGKILL');
    await once(child, 'exit');
    await eventually(async () => ((await next.discardAbandoned()) > 0 ? true : undefined), 10_000, 'the abandoned bodies removed');
    assert.equal(await databaseLeftovers(db), 0);
    // The store works on: the name is free to be written.
    const put = await next.putBlob(CONTAINER, 'killed.csv', Readable.from([Buffer.from('whole')]), { maxBytes: 100 });
    assert.equal(put.size, 5);
  } finally {
    await database.drop();
  }
});
