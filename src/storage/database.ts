// The shared blob store: blobs in PostgreSQL itself (or PGlite), so every instance on the same
// database reads every upload. Content is cut into chunks of 1 MiB (`blob_chunks`, bytea), written
// and read a chunk at a time, so neither a write nor a read holds a whole file.
//
//   blob_objects  (container_id, name) → current version, size, etag, …
//   blob_blocks   (container_id, name, block_id) → version of a staged block
//   blob_chunks   (version, seq) → byte_offset, data; a version is a blob's or a block's content
//
// A body is written under a fresh version and published by one transaction that points the blob
// at it and deletes the old version, so a reader sees the old blob or the new one. Committing a
// block list moves the blocks' chunks to the new version (no bytes copied) unless a block is
// listed twice.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CopyStream, Db, Queryable, Row } from '../db/db.js';
import { binaryCopyValues } from './binaryCopy.js';
import { compareNames, Meter, newEtag, tooLarge } from './meter.js';
import type { BlobProperties, BlobStore, ByteRange, CommitOptions, ListOptions, ListPage, PutOptions } from './types.js';
import { BlobStoreError, MAX_STAGED_BLOCKS } from './types.js';

export const CHUNK_BYTES = 1024 * 1024;
const MAX_RESULTS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const replaced = () => new Error('The blob was replaced or deleted while it was being read.');
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

const insertChunk = `INSERT INTO blob_chunks (version, seq, byte_offset, container_id, data) VALUES ($1, $2, $3, $4, $5)`;

// Points (container, name) at a version (after `SELECT … FOR UPDATE` of the old one). $1 container,
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

export class DatabaseBlobStore implements BlobStore {
  readonly kind = 'database';

  constructor(private readonly db: Db) {}

  /** Streams `body` into chunks of `version`; on failure the chunks written are deleted. */
  private async receive(container: string, version: string, body: Readable, meter: Meter, signal?: AbortSignal): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let fill = 0;
    let seq = 0;
    let offset = 0;
    // The insert under way when the body fails: waited for before cleaning up, or it would land after.
    let writing: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      if (fill === 0) return;
      writing = this.db.query(insertChunk, [version, seq, offset, container, buffer.subarray(0, fill)]);
      await writing;
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
      await writing.catch(() => undefined);
      await this.db.query('DELETE FROM blob_chunks WHERE version = $1', [version]).catch(() => undefined);
      throw err;
    }
  }

  private async publish(tx: Queryable, container: string, name: string, version: string, size: number, options: { contentType?: string; contentMd5?: string }) {
    const [old] = await tx.query<{ version: string }>('SELECT version FROM blob_objects WHERE container_id = $1 AND name = $2 FOR UPDATE', [container, name]);
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
    const meter = new Meter(options.maxBytes);
    await this.receive(container, version, body, meter, options.signal);
    try {
      const contentMd5 = meter.check(options.contentMd5);
      return await this.db.transaction((tx) => this.publish(tx, container, name, version, meter.bytes, { contentType: options.contentType, contentMd5 }));
    } catch (err) {
      await this.db.query('DELETE FROM blob_chunks WHERE version = $1', [version]).catch(() => undefined);
      throw err;
    }
  }

  async stagedBlocks(container: string, name: string): Promise<{ blockId: string; size: number }[]> {
    const rows = await this.db.query<{ block_id: string; size: number }>(
      'SELECT block_id, size FROM blob_blocks WHERE container_id = $1 AND name = $2',
      [container, name],
    );
    return rows.map((r) => ({ blockId: r.block_id, size: Number(r.size) })).sort((a, b) => compareNames(a.blockId, b.blockId));
  }

  async stageBlock(container: string, name: string, blockId: string, body: Readable, options: PutOptions) {
    const [staged] = await this.db.query<{ n: number; bytes: number }>(
      `SELECT count(*)::int AS n, COALESCE(sum(size), 0)::bigint AS bytes FROM blob_blocks
       WHERE container_id = $1 AND name = $2 AND block_id <> $3`,
      [container, name, blockId],
    );
    if (staged!.n >= MAX_STAGED_BLOCKS) {
      throw new BlobStoreError('BlockCountExceedsLimit', `The uncommitted block count cannot exceed the maximum limit of ${MAX_STAGED_BLOCKS} blocks.`);
    }
    const room = options.maxBytes - Number(staged!.bytes);
    if (room < 0) throw tooLarge(options.maxBytes);
    const version = randomUUID();
    const meter = new Meter(room);
    await this.receive(container, version, body, meter, options.signal);
    try {
      const contentMd5 = meter.check(options.contentMd5);
      await this.db.transaction(async (tx) => {
        const [old] = await tx.query<{ version: string }>(
          'SELECT version FROM blob_blocks WHERE container_id = $1 AND name = $2 AND block_id = $3 FOR UPDATE',
          [container, name, blockId],
        );
        await tx.query(
          `INSERT INTO blob_blocks (container_id, name, block_id, version, size) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (container_id, name, block_id) DO UPDATE SET version = EXCLUDED.version, size = EXCLUDED.size, created_at = now()`,
          [container, name, blockId, version, meter.bytes],
        );
        if (old) await tx.query('DELETE FROM blob_chunks WHERE version = $1', [old.version]);
      });
      return { contentMd5, size: meter.bytes };
    } catch (err) {
      await this.db.query('DELETE FROM blob_chunks WHERE version = $1', [version]).catch(() => undefined);
      throw err;
    }
  }

  async commitBlocks(container: string, name: string, blockIds: readonly string[], options: CommitOptions): Promise<BlobProperties> {
    const unique = new Set(blockIds);
    return this.db.transaction(async (tx) => {
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
      await tx.query('DELETE FROM blob_chunks WHERE container_id = $1', [container]);
    });
  }

  async containers(): Promise<string[]> {
    const rows = await this.db.query<{ container_id: string }>(
      `SELECT container_id FROM blob_objects UNION SELECT container_id FROM blob_blocks UNION SELECT DISTINCT container_id FROM blob_chunks`,
    );
    return rows.map((r) => r.container_id);
  }
}
