// The shared blob store: blobs in PostgreSQL itself (or PGlite), so every instance on the same
// database reads every upload. Content is cut into chunks of 1 MiB (`blob_chunks`, bytea), written
// and read a chunk at a time, so neither a write nor a read holds a whole file.
//
//   blob_objects  (container_id, name) → current version, size, etag, …
//   blob_blocks   (container_id, name, block_id) → version of a staged block
//   blob_uploads  version → (container_id, name, block_id) of a body being written, bytes reserved
//   blob_chunks   (version, seq) → byte_offset, data; a version is a blob's or a block's content
//
// A body is written under a fresh version registered in blob_uploads, and published by one
// transaction that removes the registration, points the blob at the version and deletes the old
// one, so a reader sees the old blob or the new one. Committing a block list moves the blocks'
// chunks to the new version (no bytes copied) unless a block is listed twice. Every committed
// chunk belongs to a blob, a staged block or a registered upload.
//
// Several processes share the database, so what must be atomic per blob is done under a
// transaction-scoped advisory lock of the blob: the check and reservation of a block's bytes
// against the blob's limit, and every change of its row or its blocks (two first writes of one
// name find no row to lock with FOR UPDATE; the lock serializes them all the same).
//
// A client that goes away mid-body has its chunks deleted by its own request. A process that dies
// mid-body leaves them: its registration's `touched_at`, moved on by every chunk written and by a
// renewal of the process's bodies every third of the lease, stops moving, and discardAbandoned
// (at start and by the sweep) deletes it with its chunks once the lease has passed. A chunk is
// written only through its registration (row-locked in the same statement), so a body declared
// abandoned gets no further chunk and fails at publication. On PGlite the process is the
// database's only one: everything registered before it started is abandoned.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CopyStream, Db, Queryable, Row } from '../db/db.js';
import { binaryCopyValues } from './binaryCopy.js';
import { compareNames, Meter, newEtag, tooLarge } from './meter.js';
import type { BlobProperties, BlobStore, ByteRange, CommitOptions, ListOptions, ListPage, PutOptions } from './types.js';
import { BlobStoreError, MAX_STAGED_BLOCKS, tooManyBlocks } from './types.js';

export const CHUNK_BYTES = 1024 * 1024;
const MAX_RESULTS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const replaced = () => new Error('The blob was replaced or deleted while it was being read.');
const abandoned = () =>
  new BlobStoreError('OperationTimedOut', 'The operation could not be completed within the permitted time: the body was discarded as abandoned (its writer could not renew it).');
/** How long a body whose writer stopped renewing it is kept. */
export const UPLOAD_LEASE_MS = 30_000;
/** Key space of pg_advisory_xact_lock(int, int) for one blob (the second key hashes container and name). */
const BLOB_LOCK = 0x626c6f62; // "blob"
const DEFAULT_TYPE = 'application/octet-stream';

interface ObjectRow extends Row {
  name: string;
  version: string;
  size: number;
  content_type: string;
  content_md5: string | null;
  etag: string;
  created_at: string;
  last_modified: string;
}

const OBJECT_COLUMNS = 'name, version, size, content_type, content_md5, etag, created_at, last_modified';

function toProperties(r: ObjectRow): BlobProperties {
  const props: BlobProperties = {
    name: r.name,
    size: Number(r.size),
    etag: r.etag,
    createdAt: new Date(r.created_at),
    lastModified: new Date(r.last_modified),
    contentType: r.content_type,
  };
  if (r.content_md5 !== null) props.contentMd5 = r.content_md5;
  return props;
}

/** bytea as a Buffer, whether the driver gave a Buffer (pg) or a Uint8Array (PGlite). */
const bytes = (data: unknown): Buffer => (Buffer.isBuffer(data) ? data : Buffer.from((data as Uint8Array).buffer, (data as Uint8Array).byteOffset, (data as Uint8Array).byteLength));

// A chunk of a registered body, which it keeps alive; no row when the registration is gone.
const insertChunk = `
  WITH live AS (UPDATE blob_uploads SET touched_at = now() WHERE version = $1 RETURNING container_id)
  INSERT INTO blob_chunks (version, seq, byte_offset, container_id, data) SELECT $1, $2, $3, container_id, $4 FROM live
  RETURNING seq`;

// What the blocks of (container $1, name $2) hold and reserve, but block $3 (replaced by the body
// $4 being reserved) and body $4 itself.
const usageSql = `
  SELECT (SELECT count(*) FROM blob_blocks WHERE container_id = $1 AND name = $2 AND block_id <> $3)::int
       + (SELECT count(*) FROM blob_uploads WHERE container_id = $1 AND name = $2 AND block_id IS NOT NULL AND version <> $4)::int AS blocks,
         (SELECT COALESCE(sum(size), 0) FROM blob_blocks WHERE container_id = $1 AND name = $2 AND block_id <> $3)::bigint
       + (SELECT COALESCE(sum(reserved), 0) FROM blob_uploads WHERE container_id = $1 AND name = $2 AND version <> $4)::bigint AS bytes`;

// Registrations untouched for $1 ms (all of them when null), with their chunks.
const discardAbandonedSql = `
  WITH gone AS (
    DELETE FROM blob_uploads WHERE $1::bigint IS NULL OR touched_at < now() - $1::bigint * interval '1 millisecond' RETURNING version
  ), chunks AS (DELETE FROM blob_chunks WHERE version IN (SELECT version FROM gone))
  SELECT count(*)::int AS n FROM gone`;

const lockBlob = (tx: Queryable, container: string, name: string) =>
  tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BLOB_LOCK, `${container}/${name}`]);

/** Ends a body's registration as it is published; a registration already gone was discarded as abandoned. */
async function claim(tx: Queryable, version: string): Promise<void> {
  const rows = await tx.query('DELETE FROM blob_uploads WHERE version = $1 RETURNING version', [version]);
  if (rows.length === 0) throw abandoned();
}

// Points (container, name) at a version (under the blob's lock, after reading the old one). $1 container,
// $2 name, $3 version, $4 size, $5 type, $6 md5, $7 etag.
const publishSql = `
  INSERT INTO blob_objects (container_id, name, version, size, content_type, content_md5, etag, created_at, last_modified)
  VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
  ON CONFLICT (container_id, name) DO UPDATE SET version = EXCLUDED.version, size = EXCLUDED.size,
    content_type = EXCLUDED.content_type, content_md5 = EXCLUDED.content_md5, etag = EXCLUDED.etag, last_modified = now()
  RETURNING ${OBJECT_COLUMNS}`;

// Deletes the staged blocks of (container, name) and the chunks of their versions and of $3.
const discardSql = `
  WITH gone AS (DELETE FROM blob_blocks WHERE container_id = $1 AND name = $2 RETURNING version)
  DELETE FROM blob_chunks WHERE version IN (SELECT version FROM gone UNION ALL SELECT $3::text)`;

export interface DatabaseStoreOptions {
  /** How long a body whose writer stopped renewing it is kept (UPLOAD_LEASE_MS). */
  leaseMs?: number;
}

export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database';
  private readonly leaseMs: number;
  /** Versions this process is writing, renewed together. */
  private readonly writing = new Set<string>();
  private renewal?: NodeJS.Timeout;
  /** The first discard of abandoned bodies (on PGlite, of every body left): every write waits for it. */
  private started?: Promise<number>;

  constructor(
    private readonly db: Db,
    options: DatabaseStoreOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? UPLOAD_LEASE_MS;
  }

  private track(version: string): void {
    this.writing.add(version);
    this.renewal ??= setInterval(() => void this.renew(), this.leaseMs / 3).unref();
  }

  private untrack(version: string): void {
    this.writing.delete(version);
    if (this.writing.size > 0 || !this.renewal) return;
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  private async renew(): Promise<void> {
    // A renewal that fails (the database is away) is tried again at the next tick; a body whose
    // lease ran out meanwhile fails at its next chunk or at publication.
    await this.db.query('UPDATE blob_uploads SET touched_at = now() WHERE version = ANY($1::text[])', [[...this.writing]]).catch(() => undefined);
  }

  /** Streams `body` into chunks of the registered `version`; waits for the chunk in flight before failing. */
  private async receive(version: string, body: Readable, meter: Meter, signal?: AbortSignal): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let fill = 0;
    let seq = 0;
    let offset = 0;
    // The insert under way when the body fails: waited for before cleaning up, or it would land after.
    let inFlight: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      if (fill === 0) return;
      const insert = this.db.query(insertChunk, [version, seq, offset, buffer.subarray(0, fill)]);
      inFlight = insert;
      if ((await insert).length === 0) throw abandoned();
      seq += 1;
      offset += fill;
      fill = 0;
    };
    try {
      await pipeline(
        body,
        meter,
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) {
            for (let at = 0; at < chunk.length; ) {
              const n = Math.min(CHUNK_BYTES - fill, chunk.length - at);
              chunk.copy(buffer, fill, at, at + n);
              fill += n;
              at += n;
              if (fill === CHUNK_BYTES) await flush();
            }
          }
          await flush();
        },
        ...(signal ? [{ signal }] : []),
      );
    } catch (err) {
      await inFlight.catch(() => undefined);
      throw err;
    }
  }

  /**
   * Registers a body, then receives and publishes it; on any failure its registration and chunks
   * are deleted. A body refused before it is read is destroyed, so that its source can be drained.
   */
  private async write(version: string, body: Readable, register: () => Promise<void>, work: () => Promise<void>): Promise<void> {
    try {
      await (this.started ??= this.discard(this.db.kind === 'pglite'));
      await register();
    } catch (err) {
      body.destroy();
      throw err;
    }
    this.track(version);
    try {
      await work();
    } catch (err) {
      await this.db.query('WITH gone AS (DELETE FROM blob_uploads WHERE version = $1) DELETE FROM blob_chunks WHERE version = $1', [version]).catch(() => undefined);
      throw err;
    } finally {
      this.untrack(version);
    }
  }

  private async publish(tx: Queryable, container: string, name: string, version: string, size: number, options: { contentType?: string; contentMd5?: string }) {
    const [old] = await tx.query<{ version: string }>('SELECT version FROM blob_objects WHERE container_id = $1 AND name = $2', [container, name]);
    const [row] = await tx.query<ObjectRow>(publishSql, [
      container,
      name,
      version,
      size,
      options.contentType ?? DEFAULT_TYPE,
      options.contentMd5 ?? null,
      newEtag(),
    ]);
    await tx.query(discardSql, [container, name, old?.version ?? '']);
    return toProperties(row!);
  }

  async putBlob(container: string, name: string, body: Readable, options: PutOptions): Promise<BlobProperties> {
    const version = randomUUID();
    let blob!: BlobProperties;
    await this.write(
      version,
      body,
      async () => void (await this.db.query('INSERT INTO blob_uploads (version, container_id, name) VALUES ($1, $2, $3)', [version, container, name])),
      async () => {
        const meter = new Meter(options.maxBytes);
        await this.receive(version, body, meter, options.signal);
        const contentMd5 = meter.check(options.contentMd5);
        blob = await this.db.transaction(async (tx) => {
          await lockBlob(tx, container, name);
          await claim(tx, version);
          return this.publish(tx, container, name, version, meter.bytes, { contentType: options.contentType, contentMd5 });
        });
      },
    );
    return blob;
  }

  async stagedBlocks(container: string, name: string): Promise<{ blockId: string; size: number }[]> {
    const rows = await this.db.query<{ block_id: string; size: number }>(
      'SELECT block_id, size FROM blob_blocks WHERE container_id = $1 AND name = $2',
      [container, name],
    );
    return rows.map((r) => ({ blockId: r.block_id, size: Number(r.size) })).sort((a, b) => compareNames(a.blockId, b.blockId));
  }

  /**
   * Reserves `needed` bytes for body `version` of block `blockId` under the blob's lock, where
   * every writer of the blob checks against the same sums. The first reservation (`held`
   * undefined) registers the body with exactly the declared length; later ones, while a body
   * without one arrives, step a chunk at a time. Answers the bytes now reserved.
   */
  private reserve(version: string, container: string, name: string, blockId: string, needed: number, maxBytes: number, held?: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      await lockBlob(tx, container, name);
      const [used] = await tx.query<{ blocks: number; bytes: number }>(usageSql, [container, name, blockId, version]);
      if (held === undefined && Number(used!.blocks) >= MAX_STAGED_BLOCKS) throw tooManyBlocks();
      const room = maxBytes - Number(used!.bytes);
      if (needed > room) throw tooLarge(maxBytes);
      if (held === undefined) {
        await tx.query('INSERT INTO blob_uploads (version, container_id, name, block_id, reserved) VALUES ($1, $2, $3, $4, $5)', [version, container, name, blockId, needed]);
        return needed;
      }
      const reserved = Math.min(room, Math.max(needed, held + CHUNK_BYTES));
      const rows = await tx.query('UPDATE blob_uploads SET reserved = $2, touched_at = now() WHERE version = $1 RETURNING version', [version, reserved]);
      if (rows.length === 0) throw abandoned();
      return reserved;
    });
  }

  async stageBlock(container: string, name: string, blockId: string, body: Readable, options: PutOptions) {
    const version = randomUUID();
    const { maxBytes } = options;
    let reserved = 0;
    let staged!: { contentMd5: string; size: number };
    await this.write(
      version,
      body,
      // The declared length is reserved before a byte is read; a body without one reserves as it arrives.
      async () => void (reserved = await this.reserve(version, container, name, blockId, options.length ?? 0, maxBytes)),
      async () => {
        const meter = new Meter(maxBytes, async (needed) => (reserved = await this.reserve(version, container, name, blockId, needed, maxBytes, reserved)), reserved);
        await this.receive(version, body, meter, options.signal);
        const contentMd5 = meter.check(options.contentMd5);
        await this.db.transaction(async (tx) => {
          await lockBlob(tx, container, name);
          await claim(tx, version);
          const [old] = await tx.query<{ version: string }>('SELECT version FROM blob_blocks WHERE container_id = $1 AND name = $2 AND block_id = $3', [
            container,
            name,
            blockId,
          ]);
          await tx.query(
            `INSERT INTO blob_blocks (container_id, name, block_id, version, size) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (container_id, name, block_id) DO UPDATE SET version = EXCLUDED.version, size = EXCLUDED.size, created_at = now()`,
            [container, name, blockId, version, meter.bytes],
          );
          if (old) await tx.query('DELETE FROM blob_chunks WHERE version = $1', [old.version]);
        });
        staged = { contentMd5, size: meter.bytes };
      },
    );
    return staged;
  }

  async commitBlocks(container: string, name: string, blockIds: readonly string[], options: CommitOptions): Promise<BlobProperties> {
    const unique = new Set(blockIds);
    return this.db.transaction(async (tx) => {
      await lockBlob(tx, container, name);
      const rows = await tx.query<{ block_id: string; size: number }>(
        'SELECT block_id, size FROM blob_blocks WHERE container_id = $1 AND name = $2 AND block_id = ANY($3::text[]) FOR UPDATE',
        [container, name, [...unique]],
      );
      const sizes = new Map(rows.map((r) => [r.block_id, Number(r.size)]));
      const missing = blockIds.find((id) => !sizes.has(id));
      if (missing !== undefined) throw new BlobStoreError('InvalidBlockList', `The block list names block '${missing}', which was not staged for this blob.`);
      const size = blockIds.reduce((sum, id) => sum + sizes.get(id)!, 0);
      if (size > options.maxBytes) throw tooLarge(options.maxBytes);
      const version = randomUUID();
      // The listed blocks' chunks in list order, renumbered, at their offsets in the new blob.
      const plan = (data: boolean) => `
        SELECT c.version AS v, c.seq AS s${data ? ', c.data' : ''},
          (row_number() OVER (ORDER BY l.ord, c.seq) - 1)::int AS new_seq,
          (l.start + c.byte_offset)::bigint AS new_offset
        FROM (SELECT t.ord, b.version,
                COALESCE(sum(b.size) OVER (ORDER BY t.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS start
              FROM unnest($3::text[]) WITH ORDINALITY AS t(block_id, ord)
              JOIN blob_blocks b ON b.container_id = $1 AND b.name = $2 AND b.block_id = t.block_id) l
        JOIN blob_chunks c ON c.version = l.version`;
      if (unique.size === blockIds.length) {
        await tx.query(
          `UPDATE blob_chunks c SET version = $4, seq = m.new_seq, byte_offset = m.new_offset
           FROM (${plan(false)}) m WHERE c.version = m.v AND c.seq = m.s`,
          [container, name, blockIds, version],
        );
      } else {
        await tx.query(
          `INSERT INTO blob_chunks (version, seq, byte_offset, container_id, data)
           SELECT $4, m.new_seq, m.new_offset, $1, m.data FROM (${plan(true)}) m`,
          [container, name, blockIds, version],
        );
      }
      return this.publish(tx, container, name, version, size, options);
    });
  }

  async get(container: string, name: string): Promise<BlobProperties | undefined> {
    const [row] = await this.db.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM blob_objects WHERE container_id = $1 AND name = $2`, [container, name]);
    return row && toProperties(row);
  }

  async list(container: string, options: ListOptions = {}): Promise<ListPage> {
    const max = Math.min(options.maxResults ?? MAX_RESULTS, MAX_RESULTS);
    const rows = await this.db.query<ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM blob_objects
       WHERE container_id = $1 AND starts_with(name, $2) AND ($3::text IS NULL OR name >= $3)
       ORDER BY name LIMIT $4`,
      [container, options.prefix ?? '', options.marker ?? null, max + 1],
    );
    const page: ListPage = { blobs: rows.slice(0, max).map(toProperties) };
    if (rows.length > max) page.nextMarker = rows[max]!.name;
    return page;
  }

  async openRead(container: string, name: string, range?: ByteRange): Promise<Readable> {
    const [row] = await this.db.query<{ version: string; size: number }>('SELECT version, size FROM blob_objects WHERE container_id = $1 AND name = $2', [
      container,
      name,
    ]);
    if (!row) throw new BlobStoreError('BlobNotFound', 'The specified blob does not exist.');
    const size = Number(row.size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    return Readable.from(this.read(row.version, start, end), { objectMode: false });
  }

  /**
   * The bytes start..end (inclusive) of a version, from the chunk that holds `start`: through one
   * binary COPY while PostgreSQL lends a connection for it, else a chunk per query. Opened when
   * reading starts, so that a stream destroyed before that holds no connection.
   */
  private async *read(version: string, start: number, end: number): AsyncGenerator<Buffer> {
    if (end < start) return;
    const [first] = await this.db.query<{ seq: number; byte_offset: number }>(
      'SELECT seq, byte_offset FROM blob_chunks WHERE version = $1 AND byte_offset <= $2 ORDER BY seq DESC LIMIT 1',
      [version, start],
    );
    if (!first) throw replaced();
    const from = { seq: Number(first.seq), offset: Number(first.byte_offset) };
    const copy = await this.copy(version, from.seq, end);
    yield* copy ? this.copied(copy, from.offset, start, end) : this.chunks(version, from.seq, start, end);
  }

  /**
   * Bytes come as sent, where a query's bytea arrives as hex text twice its size, decoded on this
   * thread and left for a full garbage collection. One statement reads a consistent snapshot.
   */
  private async copy(version: string, seq: number, end: number): Promise<CopyStream | undefined> {
    if (!this.db.copyOut) return undefined;
    // COPY takes no parameters: the version is one of our own UUIDs, checked before it is inlined.
    if (!UUID.test(version)) throw new Error(`unexpected blob version ${version}`);
    return this.db.copyOut(
      `COPY (SELECT data FROM blob_chunks WHERE version = '${version}' AND seq >= ${seq} AND byte_offset <= ${end} ORDER BY seq)
       TO STDOUT (FORMAT binary)`,
    );
  }

  /** The bytes start..end of a COPY whose first byte is at `offset`. */
  private async *copied(copy: CopyStream, offset: number, start: number, end: number): AsyncGenerator<Buffer> {
    try {
      let position = offset; // of the next byte the COPY gives
      for await (const piece of binaryCopyValues(copy)) {
        const from = Math.max(0, start - position);
        const to = Math.min(piece.length, end + 1 - position);
        position += piece.length;
        if (to > from) yield piece.subarray(from, to);
      }
      if (position <= end) throw replaced();
    } finally {
      copy.destroy();
    }
  }

  /**
   * The bytes start..end from chunk `firstSeq` on, a chunk per query. The next chunk is fetched while
   * the consumer works on this one, so a reader that parses as it goes never waits for the
   * database; that keeps two chunks in memory.
   */
  private async *chunks(version: string, firstSeq: number, start: number, end: number): AsyncGenerator<Buffer> {
    const fetch = (seq: number) =>
      this.db.query<{ seq: number; byte_offset: number; data: unknown }>(
        'SELECT seq, byte_offset, data FROM blob_chunks WHERE version = $1 AND seq >= $2 ORDER BY seq LIMIT 1',
        [version, seq],
      );
    let next: ReturnType<typeof fetch> | undefined = fetch(firstSeq);
    try {
      let position = start;
      while (next) {
        const [row] = await next;
        next = undefined;
        if (!row) throw replaced();
        const data = bytes(row.data);
        const offset = Number(row.byte_offset);
        if (offset > position) throw replaced();
        const from = position - offset;
        const to = Math.min(data.length, end - offset + 1);
        if (to > from) position = offset + to;
        if (position <= end) next = fetch(row.seq + 1);
        if (to > from) yield data.subarray(from, to);
      }
    } finally {
      // A reader that stops early leaves a fetch in flight: its outcome no longer matters.
      next?.catch(() => undefined);
    }
  }

  async delete(container: string, name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await lockBlob(tx, container, name);
      const [row] = await tx.query<{ version: string }>('DELETE FROM blob_objects WHERE container_id = $1 AND name = $2 RETURNING version', [container, name]);
      if (!row) return false;
      await tx.query(discardSql, [container, name, row.version]);
      return true;
    });
  }

  async deleteContainer(container: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM blob_objects WHERE container_id = $1', [container]);
      await tx.query('DELETE FROM blob_blocks WHERE container_id = $1', [container]);
      // Bodies still arriving lose their registration and fail at their next chunk.
      await tx.query('DELETE FROM blob_uploads WHERE container_id = $1', [container]);
      await tx.query('DELETE FROM blob_chunks WHERE container_id = $1', [container]);
    });
  }

  async containers(): Promise<string[]> {
    const rows = await this.db.query<{ container_id: string }>(
      `SELECT container_id FROM blob_objects UNION SELECT container_id FROM blob_blocks UNION SELECT DISTINCT container_id FROM blob_chunks`,
    );
    return rows.map((r) => r.container_id);
  }

  async discardAbandoned(): Promise<number> {
    if (!this.started) return (this.started = this.discard(this.db.kind === 'pglite'));
    await this.started;
    return this.discard(false);
  }

  private async discard(all: boolean): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(discardAbandonedSql, [all ? null : this.leaseMs]);
    return Number(row!.n);
  }
}
