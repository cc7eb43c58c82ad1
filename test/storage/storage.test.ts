// One suite, every blob store: files in a directory (embedded), and the database store on PGlite
// and on PostgreSQL (what instances sharing a DATABASE_URL use).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../src/db/db.js';
import type { BlobStore } from '../../src/storage/index.js';
import { binaryCopyValues } from '../../src/storage/binaryCopy.js';
import { blobNameProblem, BlobStoreError, CHUNK_BYTES, DatabaseBlobStore, FileBlobStore } from '../../src/storage/index.js';
import type { TestDatabase } from '../support/backends.js';
import { pglite, postgres } from '../support/backends.js';
import { databaseLeftovers, fileLeftovers } from './leftovers.js';

const C = '0c7e4a8e-1d2b-4f3a-9c8d-7e6f5a4b3c2d';
const D = '5b9f1e2d-3c4a-4b5c-8d6e-7f8091a2b3c4';
const MB = 1024 * 1024;

/** Deterministic bytes: `n` of them, different for each seed. */
function data(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A stream of `bytes` in pieces of `piece` bytes (as a socket delivers a body). */
const body = (bytes: Buffer, piece = 64 * 1024) =>
  Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += piece) yield bytes.subarray(i, i + piece);
  })());

async function read(stream: NodeJS.ReadableStream | Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream as AsyncIterable<Buffer>) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

const blockId = (i: number) => Buffer.from(String(i).padStart(6, '0')).toString('base64');
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('base64');
const rejectsWith = (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (err: unknown) => err instanceof BlobStoreError && err.code === code);

interface Subject {
  name: string;
  open(): Promise<{ store: BlobStore; leftovers(): Promise<number>; close(): Promise<void> }>;
}

function databaseSubject(name: string, backend: { create(): Promise<TestDatabase> }): Subject {
  return {
    name,
    async open() {
      const database = await backend.create();
      const db: Db = await database.open();
      const store = new DatabaseBlobStore(db);
      return {
        store,
        leftovers: () => databaseLeftovers(db),
        close: () => database.drop(),
      };
    },
  };
}

const subjects: Subject[] = [
  {
    name: 'files',
    async open() {
      const root = mkdtempSync(join(tmpdir(), 'graph-lro-blobs-'));
      const store = new FileBlobStore(root);
      return {
        store,
        leftovers: async () => fileLeftovers(root),
        close: async () => rmSync(root, { recursive: true, force: true }),
      };
    },
  },
  databaseSubject('database on PGlite', pglite),
  databaseSubject('database on PostgreSQL', postgres),
];

for (const subject of subjects) {
  describe(`blob store: ${subject.name}`, () => {
    let store: BlobStore;
    let leftovers: () => Promise<number>;
    let close: () => Promise<void>;
    before(async () => ({ store, leftovers, close } = await subject.open()));
    after(() => close());

    test('a blob put from a stream reads back byte for byte, with its MD5, type and times', async () => {
      const bytes = data(3 * MB + 12345);
      const before = Date.now();
      const put = await store.putBlob(C, 'users.csv', body(bytes), { maxBytes: 10 * MB, contentType: 'text/csv' });
      assert.equal(put.name, 'users.csv');
      assert.equal(put.size, bytes.length);
      assert.equal(put.contentMd5, md5(bytes));
      assert.equal(put.contentType, 'text/csv');
      assert.match(put.etag, /^"0x[0-9A-F]+"$/);
      assert.ok(put.lastModified.getTime() >= before - 1000);
      assert.deepEqual(await store.get(C, 'users.csv'), put);
      assert.ok((await read(await store.openRead(C, 'users.csv'))).equals(bytes));
    });

    test('byte ranges, across chunk boundaries and at the ends', async () => {
      const bytes = data(2 * MB + 10, 7);
      await store.putBlob(C, 'ranges.bin', body(bytes, 1000), { maxBytes: 10 * MB });
      for (const [start, end] of [[0, 0], [0, 9], [CHUNK_BYTES - 5, CHUNK_BYTES + 5], [CHUNK_BYTES, CHUNK_BYTES], [2 * MB, 2 * MB + 9], [123, 2 * MB + 9]] as const) {
        const got = await read(await store.openRead(C, 'ranges.bin', { start, end }));
        assert.ok(got.equals(bytes.subarray(start, end + 1)), `${start}-${end}`);
      }
    });

    test('an empty blob', async () => {
      const put = await store.putBlob(C, 'empty.csv', body(Buffer.alloc(0)), { maxBytes: 10 });
      assert.equal(put.size, 0);
      assert.equal((await read(await store.openRead(C, 'empty.csv'))).length, 0);
    });

    test('overwriting changes the ETag and content, keeps the creation time, and leaves nothing behind', async () => {
      const first = await store.putBlob(C, 'roles.csv', body(data(5000, 1)), { maxBytes: MB });
      const second = await store.putBlob(C, 'roles.csv', body(data(7000, 2)), { maxBytes: MB });
      assert.notEqual(second.etag, first.etag);
      assert.equal(second.size, 7000);
      assert.equal(second.createdAt.getTime(), first.createdAt.getTime());
      assert.ok((await read(await store.openRead(C, 'roles.csv'))).equals(data(7000, 2)));
      assert.equal(await leftovers(), 0);
    });

    test('a body over the limit fails with RequestBodyTooLarge and stores nothing', async () => {
      await rejectsWith(store.putBlob(C, 'big.csv', body(data(MB + 1)), { maxBytes: MB }), 'RequestBodyTooLarge');
      assert.equal(await store.get(C, 'big.csv'), undefined);
      // The limit itself is fine.
      assert.equal((await store.putBlob(C, 'big.csv', body(data(MB)), { maxBytes: MB })).size, MB);
      await rejectsWith(store.putBlob(C, 'big.csv', body(data(2 * MB, 3)), { maxBytes: MB }), 'RequestBodyTooLarge');
      assert.equal((await store.get(C, 'big.csv'))?.size, MB, 'the blob that was there stays');
      assert.equal(await leftovers(), 0);
    });

    test('a wrong Content-MD5 fails with Md5Mismatch; the right one is accepted', async () => {
      const bytes = data(1000);
      await rejectsWith(store.putBlob(C, 'md5.csv', body(bytes), { maxBytes: MB, contentMd5: md5(data(1000, 9)) }), 'Md5Mismatch');
      assert.equal(await store.get(C, 'md5.csv'), undefined);
      assert.equal((await store.putBlob(C, 'md5.csv', body(bytes), { maxBytes: MB, contentMd5: md5(bytes) })).contentMd5, md5(bytes));
      assert.equal(await leftovers(), 0);
    });

    test('staged blocks become the blob in list order, then are discarded', async () => {
      const blocks = [data(1.5 * MB, 11), data(10, 12), data(MB, 13)];
      const ids = ['QUFB', 'QkJC', 'Q0ND'];
      // Staged out of order, as parallel uploads do.
      for (const i of [2, 0, 1]) {
        const staged = await store.stageBlock(C, 'enrollments.csv', ids[i]!, body(blocks[i]!), { maxBytes: 10 * MB });
        assert.equal(staged.contentMd5, md5(blocks[i]!));
        assert.equal(staged.size, blocks[i]!.length);
      }
      assert.deepEqual((await store.stagedBlocks(C, 'enrollments.csv')).map((b) => b.blockId), ['Q0ND', 'QUFB', 'QkJC'], 'in byte order of the ids');
      assert.equal(await store.get(C, 'enrollments.csv'), undefined, 'staged blocks are not a blob yet');
      const committed = await store.commitBlocks(C, 'enrollments.csv', ids, { maxBytes: 10 * MB, contentType: 'text/csv' });
      const whole = Buffer.concat(blocks);
      assert.equal(committed.size, whole.length);
      assert.equal(committed.contentMd5, undefined, 'no MD5 unless the client gives one');
      assert.ok((await read(await store.openRead(C, 'enrollments.csv'))).equals(whole));
      assert.ok((await read(await store.openRead(C, 'enrollments.csv', { start: 1.5 * MB - 3, end: 1.5 * MB + 12 }))).equals(whole.subarray(1.5 * MB - 3, 1.5 * MB + 13)));
      assert.deepEqual(await store.stagedBlocks(C, 'enrollments.csv'), []);
      assert.equal(await leftovers(), 0);
    });

    test('a block listed twice, a restaged block, an empty list, and the MD5 given for the list', async () => {
      await store.stageBlock(C, 'twice.csv', 'AA==', body(Buffer.from('first')), { maxBytes: MB });
      await store.stageBlock(C, 'twice.csv', 'AA==', body(Buffer.from('ab')), { maxBytes: MB });
      await store.stageBlock(C, 'twice.csv', 'AQ==', body(Buffer.from('-')), { maxBytes: MB });
      const props = await store.commitBlocks(C, 'twice.csv', ['AA==', 'AQ==', 'AA=='], { maxBytes: MB, contentMd5: 'given' });
      assert.equal(props.contentMd5, 'given');
      assert.equal((await read(await store.openRead(C, 'twice.csv'))).toString(), 'ab-ab');
      assert.equal((await store.commitBlocks(C, 'none.csv', [], { maxBytes: MB })).size, 0);
      assert.equal(await leftovers(), 0);
    });

    test('a block list naming a block that was not staged fails with InvalidBlockList and changes nothing', async () => {
      await store.stageBlock(C, 'partial.csv', 'AA==', body(Buffer.from('x')), { maxBytes: MB });
      await rejectsWith(store.commitBlocks(C, 'partial.csv', ['AA==', 'AQ=='], { maxBytes: MB }), 'InvalidBlockList');
      assert.equal(await store.get(C, 'partial.csv'), undefined);
      assert.equal((await store.stagedBlocks(C, 'partial.csv')).length, 1, 'the staged block is still there');
    });

    test('blocks may not add up to more than the limit, staged or committed', async () => {
      await store.stageBlock(C, 'limit.csv', 'AA==', body(data(600)), { maxBytes: 1000 });
      await rejectsWith(store.stageBlock(C, 'limit.csv', 'AQ==', body(data(500)), { maxBytes: 1000 }), 'RequestBodyTooLarge');
      await store.stageBlock(C, 'limit.csv', 'AQ==', body(data(400)), { maxBytes: 1000 });
      await rejectsWith(store.commitBlocks(C, 'limit.csv', ['AA==', 'AQ==', 'AQ=='], { maxBytes: 1000 }), 'RequestBodyTooLarge');
      assert.equal((await store.commitBlocks(C, 'limit.csv', ['AA==', 'AQ=='], { maxBytes: 1000 })).size, 1000);
      assert.equal(await leftovers(), 0);
    });

    test('a blob put whole discards the blocks staged for its name', async () => {
      await store.stageBlock(C, 'replaced.csv', 'AA==', body(Buffer.from('old')), { maxBytes: MB });
      await store.putBlob(C, 'replaced.csv', body(Buffer.from('new')), { maxBytes: MB });
      assert.deepEqual(await store.stagedBlocks(C, 'replaced.csv'), []);
      assert.equal(await leftovers(), 0);
    });

    test('listing: byte order of UTF-8 names, prefix, marker and page size', async () => {
      const names = ['b.csv', 'B.csv', 'a.csv', 'é.csv', 'z.csv', 'a b.csv'];
      for (const name of names) await store.putBlob(D, name, body(Buffer.from(name)), { maxBytes: MB });
      const all = (await store.list(D)).blobs.map((b) => b.name);
      assert.deepEqual(all, ['B.csv', 'a b.csv', 'a.csv', 'b.csv', 'z.csv', 'é.csv']);
      assert.deepEqual((await store.list(D, { prefix: 'a' })).blobs.map((b) => b.name), ['a b.csv', 'a.csv']);
      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await store.list(D, { maxResults: 4, ...(marker === undefined ? {} : { marker }) });
        assert.ok(page.blobs.length <= 4);
        seen.push(...page.blobs.map((b) => b.name));
        marker = page.nextMarker;
      } while (marker !== undefined);
      assert.deepEqual(seen, all);
      assert.deepEqual((await store.list('9d0e1f2a-3b4c-4d5e-8f60-718293a4b5c6')).blobs, [], 'a container never written to is empty');
    });

    test('delete, deleteContainer and containers', async () => {
      assert.equal(await store.delete(D, 'z.csv'), true);
      assert.equal(await store.delete(D, 'z.csv'), false);
      await rejectsWith(store.openRead(D, 'z.csv'), 'BlobNotFound');
      assert.ok((await store.containers()).includes(D));
      await store.stageBlock(D, 'staged-only.csv', 'AA==', body(Buffer.from('x')), { maxBytes: MB });
      await store.deleteContainer(D);
      assert.deepEqual((await store.list(D)).blobs, []);
      assert.deepEqual(await store.stagedBlocks(D, 'staged-only.csv'), []);
      assert.ok(!(await store.containers()).includes(D));
      assert.ok((await store.containers()).includes(C), 'other containers stay');
      await store.deleteContainer(D); // twice is fine
    });

    test('a read stopped halfway leaves the store working', async () => {
      const bytes = data(3 * MB + 7, 5);
      await store.putBlob(C, 'halfway.bin', body(bytes), { maxBytes: 10 * MB });
      for (let i = 0; i < 3; i++) {
        const stream = await store.openRead(C, 'halfway.bin');
        for await (const part of stream as AsyncIterable<Buffer>) if (part.length > 0) break;
      }
      assert.ok((await read(await store.openRead(C, 'halfway.bin'))).equals(bytes));
    });

    test('many reads at once, taken in turns, all whole (on PostgreSQL more than it lends COPY connections)', async () => {
      const bytes = data(2 * MB + 3, 9);
      await store.putBlob(C, 'shared.bin', body(bytes), { maxBytes: 10 * MB });
      const readers = await Promise.all(Array.from({ length: 8 }, async () => ({
        parts: [] as Buffer[],
        iterator: ((await store.openRead(C, 'shared.bin')) as AsyncIterable<Buffer>)[Symbol.asyncIterator](),
      })));
      for (let open = readers; open.length > 0; ) {
        const done = await Promise.all(open.map(async (r) => {
          const next = await r.iterator.next();
          if (!next.done) r.parts.push(Buffer.from(next.value));
          return next.done === true;
        }));
        open = open.filter((_, i) => !done[i]);
      }
      for (const r of readers) assert.ok(Buffer.concat(r.parts).equals(bytes));
    });

    test('concurrent blocks of one blob never together exceed its limit, with or without declared lengths', async () => {
      const limit = 16 * 1024;
      const stage = (name: string, i: number, length?: number) =>
        store.stageBlock(C, name, blockId(i), body(data(15 * 1024, i), 1024), { maxBytes: limit, ...(length === undefined ? {} : { length }) });
      const staged = async (name: string) => (await store.stagedBlocks(C, name)).reduce((sum, b) => sum + b.size, 0);
      // Declared: the first reservation wins, the others are refused before a byte is read.
      const declared = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => stage('race.csv', i, 15 * 1024)));
      assert.equal(declared.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal(await staged('race.csv'), 15 * 1024);
      // Without lengths, bytes are reserved as they arrive: whatever wins, never more than the limit.
      const streamed = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => stage('race-chunked.csv', i)));
      for (const r of streamed) if (r.status === 'rejected') assert.equal((r.reason as BlobStoreError).code, 'RequestBodyTooLarge');
      assert.ok((await staged('race-chunked.csv')) <= limit);
      assert.equal(await leftovers(), 0);
    });

    test('concurrent first writes of one name leave exactly one body', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => data(3000 + i, 100 + i));
      const puts = await Promise.allSettled(bodies.map((b) => store.putBlob(C, 'first.csv', body(b, 500), { maxBytes: MB })));
      assert.deepEqual(puts.filter((r) => r.status === 'rejected'), []);
      const content = await read(await store.openRead(C, 'first.csv'));
      assert.ok(bodies.some((b) => b.equals(content)));
      assert.equal(await leftovers(), 0);
    });

    test('an aborted body stores nothing', async () => {
      const controller = new AbortController();
      const piece = data(64 * 1024);
      // Pieces arrive over time, as from a socket.
      const endless = new Readable({
        read() {
          setImmediate(() => this.push(piece));
        },
      });
      setTimeout(() => controller.abort(new Error('client went away')), 50);
      await assert.rejects(store.putBlob(C, 'aborted.csv', endless, { maxBytes: 1024 * MB, signal: controller.signal }));
      assert.equal(await store.get(C, 'aborted.csv'), undefined);
      assert.equal(await leftovers(), 0);
    });
  });
}

test('file store: Put Block checks the limits against a tally, listing the staged blocks once per blob, not per block', async () => {
  /** Counts the store's one listing of staged blocks. */
  class Counting extends FileBlobStore {
    listings = 0;
    protected override readStaged(container: string, name: string) {
      this.listings += 1;
      return super.readStaged(container, name);
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'graph-lro-tally-'));
  try {
    const store = new Counting(root);
    for (let i = 0; i < 300; i++) await store.stageBlock(C, 'many.csv', blockId(i), body(data(10, i)), { maxBytes: 3000, length: 10 });
    await store.stageBlock(C, 'many.csv', blockId(0), body(data(10, 1)), { maxBytes: 3000 });
    assert.equal(store.listings, 1);
    await rejectsWith(store.stageBlock(C, 'many.csv', blockId(300), body(data(1)), { maxBytes: 3000 }), 'RequestBodyTooLarge');
    // A new process reads the tally back from the directory, once.
    const restarted = new Counting(root);
    await rejectsWith(restarted.stageBlock(C, 'many.csv', blockId(300), body(data(1)), { maxBytes: 3000 }), 'RequestBodyTooLarge');
    assert.equal((await restarted.stageBlock(C, 'many.csv', blockId(299), body(data(10)), { maxBytes: 3000, length: 10 })).size, 10);
    assert.equal(restarted.listings, 1);
    await restarted.commitBlocks(C, 'many.csv', [blockId(1)], { maxBytes: 3000 });
    assert.equal((await restarted.stageBlock(C, 'many.csv', blockId(300), body(data(2990)), { maxBytes: 3000 })).size, 2990, 'a commit empties the tally');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('binary COPY: the bytes of bytea values, in order, however the stream is cut', async () => {
  const database = await postgres.create();
  const db = await database.open();
  try {
    const values = [Buffer.alloc(0), Buffer.from([0]), data(3), data(1000, 2), data(70_000, 3)];
    const literals = values.map((v) => `('\\x${v.toString('hex')}'::bytea, ${values.indexOf(v)})`).join(', ');
    const raw = await read(Readable.from((await db.copyOut!(`COPY (SELECT v FROM (VALUES ${literals}) t(v, i) ORDER BY i) TO STDOUT (FORMAT binary)`))!));
    for (const piece of [1, 7, 4096, raw.length]) {
      const pieces = (function* () {
        for (let i = 0; i < raw.length; i += piece) yield raw.subarray(i, i + piece);
      })();
      const parts: Buffer[] = [];
      for await (const part of binaryCopyValues(Readable.from(pieces))) parts.push(Buffer.from(part));
      assert.ok(Buffer.concat(parts).equals(Buffer.concat(values)), `pieces of ${piece} bytes`);
      await assert.rejects(async () => {
        for await (const part of binaryCopyValues(Readable.from([raw.subarray(0, raw.length - 2)]))) void part;
      }, /ended early/);
    }
  } finally {
    await db.close();
    await database.drop();
  }
});

test('closing the database ends a COPY whose reader stalled (a stuck validation cannot hold shutdown)', async () => {
  const database = await postgres.create();
  const db = await database.open();
  try {
    const copy = (await db.copyOut!(`COPY (SELECT repeat('x', 1000) FROM generate_series(1, 100000)) TO STDOUT`))!;
    for await (const part of copy) if (part.length > 0) break; // reads a little, then stops asking
    const stalled = (await db.copyOut!(`COPY (SELECT repeat('y', 1000) FROM generate_series(1, 100000)) TO STDOUT`))!;
    const iterator = stalled[Symbol.asyncIterator]();
    await iterator.next();
    await db.close();
  } finally {
    await database.drop();
  }
});

test('blob names: file names only', () => {
  for (const ok of ['users.csv', 'Users.csv', 'a b.csv', 'é.csv', 'x'.repeat(1024), 'data(1).csv', '.hidden', 'a.b.c']) {
    assert.equal(blobNameProblem(ok), undefined, ok);
  }
  for (const bad of ['', 'x'.repeat(1025), 'a/b.csv', 'a\\b.csv', '.', '..', '...', 'a..b', '../users.csv', 'a\u0000b', 'tab\t.csv', 'nl\n.csv', 'del\u007f', 'c1\u0085', 'ls\u2028', ' lead.csv', 'trail.csv ', '\ud800.csv']) {
    assert.notEqual(blobNameProblem(bad), undefined, JSON.stringify(bad));
  }
});
