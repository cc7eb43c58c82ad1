// The embedded blob store: files under a directory (`<data-dir>/blobs`), one directory per
// container. Any number of processes may share the directory (a network file system), but writes
// of one blob, and the limit on its staged blocks, are serialized only within a process.
//
//   <root>/<container>/blobs/<sha256(name)>.json     the blob's properties and current version
//   <root>/<container>/data/<version>                its content
//   <root>/<container>/blocks/<sha256(name)>/<hex(blockId)>   staged blocks
//   <root>/.tmp/<owner>/                             bodies being written by one store instance
//
// A body is written to .tmp/ and renamed into place only when complete; the properties file is
// then replaced by rename, so a reader sees the old blob or the new one, never a partial one.
// Names are hashed: any blob name fits the file system, and case-insensitive ones too.
//
// A body that fails (limit, MD5, client gone) is removed by its request. A process that dies
// mid-body leaves its file in its owner directory (`<host>+<pid>+<random>`): the next store on the
// directory removes every other owner's files when it is the only writer (the embedded database's
// lock proves it), and otherwise those of dead processes on its own host and any file idle for an
// hour (a live body is written to as it arrives).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isProcessAlive } from '../db/lock.js';
import { KeyedLock } from './lock.js';
import { compareNames, Meter, newEtag, tooLarge } from './meter.js';
import { isContainerName } from './names.js';
import type { BlobProperties, BlobStore, ByteRange, CommitOptions, ListOptions, ListPage, PutOptions } from './types.js';
import { BlobStoreError, MAX_STAGED_BLOCKS, tooManyBlocks } from './types.js';

interface Stored extends Omit<BlobProperties, 'createdAt' | 'lastModified'> {
  version: string;
  createdAt: string;
  lastModified: string;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const isMissing = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
const DEFAULT_TYPE = 'application/octet-stream';
const MAX_RESULTS = 5000;
// Reads of 64 KiB: a reader that hands bytes on and drops them leaves small buffers that die in
// young-generation collections; megabyte buffers held across a few of them waited for a full one
// (tens of megabytes of a validation's peak RSS).
const READ_CHUNK = 64 * 1024;
const TMP = '.tmp';
const HOST = encodeURIComponent(hostname());
/** A body file of another live owner not written to for this long is abandoned. */
const IDLE_MS = 60 * 60 * 1000;

/**
 * What is staged for one blob, kept in memory so that a Put Block checks the limits without
 * listing the blocks: their sizes, and the bytes reserved by bodies still arriving.
 */
interface Tally {
  sizes: Map<string, number>;
  bytes: number;
  reserved: number;
  uploads: number;
}

/** Whether `extra` more bytes fit, the block being replaced (same id) not counted. */
const fits = (t: Tally, blockId: string, extra: number, maxBytes: number) => t.bytes - (t.sizes.get(blockId) ?? 0) + t.reserved + extra <= maxBytes;

export interface FileStoreOptions {
  /** This store is the directory's only writer (the embedded database's lock says so). */
  exclusive?: boolean;
}

function toProperties(s: Stored): BlobProperties {
  const props: BlobProperties = {
    name: s.name,
    size: s.size,
    etag: s.etag,
    createdAt: new Date(s.createdAt),
    lastModified: new Date(s.lastModified),
    contentType: s.contentType,
  };
  if (s.contentMd5 !== undefined) props.contentMd5 = s.contentMd5;
  return props;
}

export class FileBlobStore implements BlobStore {
  readonly kind = 'file';
  private readonly locks = new KeyedLock();
  private readonly tallies = new Map<string, Tally>();
  private readonly owner = `${HOST}+${process.pid}+${randomUUID().slice(0, 8)}`;
  private readonly exclusive: boolean;
  /** The first discard of abandoned bodies; every write waits for it, so it can never remove one of ours. */
  private started?: Promise<number>;

  constructor(
    readonly root: string,
    options: FileStoreOptions = {},
  ) {
    this.exclusive = options.exclusive ?? false;
  }

  private dir(container: string): string {
    if (!isContainerName(container)) throw new Error(`invalid container name '${container}'`);
    return join(this.root, container);
  }

  private metaPath = (container: string, name: string) => join(this.dir(container), 'blobs', `${hash(name)}.json`);
  private dataPath = (container: string, version: string) => join(this.dir(container), 'data', version);
  private blocksDir = (container: string, name: string) => join(this.dir(container), 'blocks', hash(name));
  private blockPath = (container: string, name: string, blockId: string) =>
    join(this.blocksDir(container, name), Buffer.from(blockId).toString('hex'));
  private lockKey = (container: string, name: string) => `${container}/${name}`;

  private async tmpPath(): Promise<string> {
    await (this.started ??= this.discard(true));
    const tmp = join(this.root, TMP, this.owner);
    await mkdir(tmp, { recursive: true });
    return join(tmp, randomUUID());
  }

  private async readMeta(container: string, name: string): Promise<Stored | undefined> {
    try {
      return JSON.parse(await readFile(this.metaPath(container, name), 'utf8')) as Stored;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Writes `body` to a new temporary file; removes it on failure. */
  private async receive(body: Readable, meter: Meter, signal?: AbortSignal): Promise<string> {
    let tmp: string;
    let file: FileHandle;
    try {
      tmp = await this.tmpPath();
      // Opened before the pipeline runs: a stream that opened its file itself could create it after
      // a failure's rm() below, leaving it behind.
      file = await open(tmp, 'wx');
    } catch (err) {
      body.destroy();
      throw err;
    }
    try {
      await pipeline(body, meter, file.createWriteStream(), ...(signal ? [{ signal }] : []));
      return tmp;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Makes the content at `tmp` the blob `name` (call under the blob's lock): the content moves to
   * data/, the properties file is replaced, the old content, and every staged block of the name,
   * are removed.
   */
  private async publish(container: string, name: string, tmp: string, size: number, options: { contentType?: string; contentMd5?: string }) {
    const version = randomUUID();
    await mkdir(join(this.dir(container), 'data'), { recursive: true });
    await mkdir(join(this.dir(container), 'blobs'), { recursive: true });
    await rename(tmp, this.dataPath(container, version));
    const old = await this.readMeta(container, name);
    const now = new Date().toISOString();
    const stored: Stored = {
      name,
      size,
      etag: newEtag(),
      createdAt: old?.createdAt ?? now,
      lastModified: now,
      contentType: options.contentType ?? DEFAULT_TYPE,
      version,
      ...(options.contentMd5 !== undefined ? { contentMd5: options.contentMd5 } : {}),
    };
    const metaTmp = `${tmp}.json`;
    await writeFile(metaTmp, JSON.stringify(stored));
    await rename(metaTmp, this.metaPath(container, name));
    if (old) await rm(this.dataPath(container, old.version), { force: true });
    await this.discardBlocks(container, name);
    return toProperties(stored);
  }

  /** Removes the blocks staged for `name` (call under the blob's lock). */
  private async discardBlocks(container: string, name: string): Promise<void> {
    await rm(this.blocksDir(container, name), { recursive: true, force: true });
    const key = this.lockKey(container, name);
    const tally = this.tallies.get(key);
    if (!tally) return;
    tally.sizes.clear();
    tally.bytes = 0;
    this.release(key, tally);
  }

  /** Forgets a tally that holds nothing. */
  private release(key: string, tally: Tally): void {
    if (tally.uploads === 0 && tally.sizes.size === 0 && this.tallies.get(key) === tally) this.tallies.delete(key);
  }

  /** The sizes of the blocks staged for `name`, by id, from the directory: the only listing of blocks. */
  protected async readStaged(container: string, name: string): Promise<Map<string, number>> {
    const dir = this.blocksDir(container, name);
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (err) {
      if (isMissing(err)) return new Map();
      throw err;
    }
    const sizes = new Map<string, number>();
    await Promise.all(
      files.map(async (file) => {
        const size = (await stat(join(dir, file)).catch(() => ({ size: -1 }))).size;
        if (size >= 0) sizes.set(Buffer.from(file, 'hex').toString(), size);
      }),
    );
    return sizes;
  }

  /** The blob's tally, read from the directory the first time (call under the blob's lock). */
  private async tally(container: string, name: string): Promise<Tally> {
    const key = this.lockKey(container, name);
    let tally = this.tallies.get(key);
    if (!tally) {
      const sizes = await this.readStaged(container, name);
      tally = { sizes, bytes: [...sizes.values()].reduce((sum, n) => sum + n, 0), reserved: 0, uploads: 0 };
      this.tallies.set(key, tally);
    }
    return tally;
  }

  async putBlob(container: string, name: string, body: Readable, options: PutOptions): Promise<BlobProperties> {
    const meter = new Meter(options.maxBytes);
    const tmp = await this.receive(body, meter, options.signal);
    try {
      const contentMd5 = meter.check(options.contentMd5);
      return await this.locks.run(this.lockKey(container, name), () =>
        this.publish(container, name, tmp, meter.bytes, { contentType: options.contentType, contentMd5 }),
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async stagedBlocks(container: string, name: string): Promise<{ blockId: string; size: number }[]> {
    const sizes = await this.readStaged(container, name);
    return [...sizes].map(([blockId, size]) => ({ blockId, size })).sort((a, b) => compareNames(a.blockId, b.blockId));
  }

  async stageBlock(container: string, name: string, blockId: string, body: Readable, options: PutOptions) {
    const key = this.lockKey(container, name);
    const { maxBytes } = options;
    // The declared length is reserved before a byte is read; a body without one reserves as it arrives.
    let reserved = options.length ?? 0;
    const tally = await this.locks
      .run(key, async () => {
        const t = await this.tally(container, name);
        const refused = t.sizes.size - (t.sizes.has(blockId) ? 1 : 0) + t.uploads >= MAX_STAGED_BLOCKS ? tooManyBlocks() : !fits(t, blockId, reserved, maxBytes) ? tooLarge(maxBytes) : undefined;
        if (refused) {
          this.release(key, t);
          throw refused;
        }
        t.reserved += reserved;
        t.uploads += 1;
        return t;
      })
      .catch((err: unknown) => {
        body.destroy();
        throw err;
      });
    // In-process, so the check and the reservation are one synchronous step.
    const reserve = (needed: number) => {
      if (!fits(tally, blockId, needed - reserved, maxBytes)) throw tooLarge(maxBytes);
      tally.reserved += needed - reserved;
      reserved = needed;
      return needed;
    };
    try {
      const meter = new Meter(maxBytes, reserve, reserved);
      const tmp = await this.receive(body, meter, options.signal);
      try {
        const contentMd5 = meter.check(options.contentMd5);
        await this.locks.run(key, async () => {
          await mkdir(this.blocksDir(container, name), { recursive: true });
          await rename(tmp, this.blockPath(container, name, blockId));
          tally.bytes += meter.bytes - (tally.sizes.get(blockId) ?? 0);
          tally.sizes.set(blockId, meter.bytes);
        });
        return { contentMd5, size: meter.bytes };
      } finally {
        await rm(tmp, { force: true });
      }
    } finally {
      tally.reserved -= reserved;
      tally.uploads -= 1;
      this.release(key, tally);
    }
  }

  async commitBlocks(container: string, name: string, blockIds: readonly string[], options: CommitOptions): Promise<BlobProperties> {
    return this.locks.run(this.lockKey(container, name), async () => {
      let size = 0;
      for (const id of new Set(blockIds)) {
        const found = await stat(this.blockPath(container, name, id)).catch((err: unknown) => {
          if (isMissing(err)) return undefined;
          throw err;
        });
        if (!found) throw new BlobStoreError('InvalidBlockList', `The block list names block '${id}', which was not staged for this blob.`);
        size += found.size * blockIds.filter((b) => b === id).length;
      }
      if (size > options.maxBytes) throw tooLarge(options.maxBytes);
      const tmp = await this.tmpPath();
      const file = await open(tmp, 'wx');
      try {
        const paths = blockIds.map((id) => this.blockPath(container, name, id));
        await pipeline(
          async function* () {
            for (const path of paths) yield* createReadStream(path);
          },
          file.createWriteStream(),
        );
        return await this.publish(container, name, tmp, size, options);
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }

  async get(container: string, name: string): Promise<BlobProperties | undefined> {
    const stored = await this.readMeta(container, name);
    return stored && toProperties(stored);
  }

  async list(container: string, options: ListOptions = {}): Promise<ListPage> {
    let files: string[];
    try {
      files = await readdir(join(this.dir(container), 'blobs'));
    } catch (err) {
      if (isMissing(err)) return { blobs: [] };
      throw err;
    }
    const all: Stored[] = [];
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      try {
        all.push(JSON.parse(await readFile(join(this.dir(container), 'blobs', file), 'utf8')) as Stored);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    const { prefix = '', marker } = options;
    const max = Math.min(options.maxResults ?? MAX_RESULTS, MAX_RESULTS);
    const matching = all
      .filter((s) => s.name.startsWith(prefix) && (marker === undefined || compareNames(s.name, marker) >= 0))
      .sort((a, b) => compareNames(a.name, b.name));
    const page: ListPage = { blobs: matching.slice(0, max).map(toProperties) };
    if (matching.length > max) page.nextMarker = matching[max]!.name;
    return page;
  }

  async openRead(container: string, name: string, range?: ByteRange): Promise<Readable> {
    // The content may be replaced between reading the properties and opening it: look again.
    for (let tries = 0; tries < 3; tries++) {
      const stored = await this.readMeta(container, name);
      if (!stored) break;
      let handle: FileHandle;
      try {
        handle = await open(this.dataPath(container, stored.version), 'r');
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      // Reads of 1 MiB: a tenth of the per-chunk work of the default 64 KiB for a reader such as the validator.
      return handle.createReadStream({ highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end } : {}) });
    }
    throw new BlobStoreError('BlobNotFound', 'The specified blob does not exist.');
  }

  async delete(container: string, name: string): Promise<boolean> {
    return this.locks.run(this.lockKey(container, name), async () => {
      const stored = await this.readMeta(container, name);
      if (!stored) return false;
      await rm(this.metaPath(container, name), { force: true });
      await rm(this.dataPath(container, stored.version), { force: true });
      await this.discardBlocks(container, name);
      return true;
    });
  }

  async deleteContainer(container: string): Promise<void> {
    for (const [key, tally] of this.tallies) {
      if (!key.startsWith(`${container}/`)) continue;
      tally.sizes.clear();
      tally.bytes = 0;
      this.release(key, tally);
    }
    // Out of the way first, so that nothing reads a half-deleted container.
    const trash = join(this.root, `.trash-${randomUUID()}`);
    try {
      await rename(this.dir(container), trash);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await rm(trash, { recursive: true, force: true });
  }

  async containers(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    // A trash directory left by a crash is removed on the way.
    await Promise.all(entries.filter((e) => e.startsWith('.trash-')).map((e) => rm(join(this.root, e), { recursive: true, force: true })));
    return entries.filter(isContainerName);
  }

  async discardAbandoned(): Promise<number> {
    if (!this.started) return (this.started = this.discard(true));
    await this.started;
    return this.discard();
  }

  /** Removes the body files of owners that are gone (see the header); answers how many. */
  private async discard(first = false): Promise<number> {
    // Bodies of versions before .tmp/ were written to <container>/tmp/.
    if (first && this.exclusive) for (const c of await this.containers()) await rm(join(this.dir(c), 'tmp'), { recursive: true, force: true });
    const base = join(this.root, TMP);
    let owners: string[];
    try {
      owners = await readdir(base);
    } catch (err) {
      if (isMissing(err)) owners = [];
      else throw err;
    }
    let removed = 0;
    for (const owner of owners.filter((o) => o !== this.owner)) {
      const dir = join(base, owner);
      const [host, pid] = owner.split('+');
      const gone = this.exclusive || (host === HOST && !isProcessAlive(Number(pid)));
      const files = await readdir(dir).catch(() => []);
      for (const file of files) {
        const idle = gone || Date.now() - (await stat(join(dir, file)).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs > IDLE_MS;
        if (!idle) continue;
        await rm(join(dir, file), { force: true });
        removed += 1;
      }
      if (gone) await rm(dir, { recursive: true, force: true });
    }
    return removed;
  }
}
