import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The scratch directory of one validation, made on first use; close() closes and removes all in
 * it, whatever state the validation stopped in. The validator's row handlers are synchronous
 * (csv-parse calls them inside write()), so scratch files are written and read with the
 * synchronous calls, in chunks of a megabyte or so.
 */
export class Scratch {
  private dir: string | undefined;
  private files = 0;
  private readonly open = new Map<number, string>(); // descriptor → path

  constructor(private readonly parent: string = tmpdir()) {}

  /** A new empty file, open for reading and writing; answers its descriptor. */
  create(): number {
    this.dir ??= mkdtempSync(join(this.parent, 'graph-lro-validate-'));
    const path = join(this.dir, String(++this.files));
    const fd = openSync(path, 'w+');
    this.open.set(fd, path);
    return fd;
  }

  /** Closes and deletes a file of create(). */
  remove(fd: number): void {
    closeSync(fd);
    unlinkSync(this.open.get(fd)!);
    this.open.delete(fd);
  }

  close(): void {
    for (const fd of this.open.keys()) closeSync(fd);
    this.open.clear();
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/**
 * An append-only sequence of records, each [byte length u32][bytes…], held in a buffer that
 * spills to a scratch file when full, and read back in order in buffer-sized chunks.
 */
export class RecordLog {
  private buffer: Buffer;
  private used = 0;
  private fd: number | undefined;
  private written = 0;

  constructor(
    private readonly scratch: Scratch,
    private readonly bufferBytes: number,
  ) {
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  /**
   * Room for a record of at most `bytes` (its length word included): the buffer and the offset
   * to write it at. Seal it with commit().
   */
  room(bytes: number): { buffer: Buffer; offset: number } {
    if (this.used + bytes > this.buffer.length) {
      this.flush();
      if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes);
    }
    return { buffer: this.buffer, offset: this.used };
  }

  /** Seals the record written at room()'s offset: `bytes` long, its length word included. */
  commit(bytes: number): void {
    this.buffer.writeUInt32LE(bytes, this.used);
    this.used += bytes;
  }

  /** Bytes of all records so far. */
  get bytes(): number {
    return this.written + this.used;
  }

  /** Every record so far, in order: a buffer and each record's offset in it (valid until the next step). */
  *records(): Generator<[Buffer, number]> {
    if (this.fd !== undefined) {
      let chunk = Buffer.allocUnsafe(this.bufferBytes);
      let kept = 0; // bytes of a record cut by the previous read, moved to the chunk's start
      for (let position = 0; position < this.written; ) {
        const read = readSync(this.fd, chunk, kept, chunk.length - kept, position);
        position += read;
        const end = kept + read;
        let offset = 0;
        while (offset + 4 <= end && offset + chunk.readUInt32LE(offset) <= end) {
          yield [chunk, offset];
          offset += chunk.readUInt32LE(offset);
        }
        kept = end - offset;
        if (offset + 4 <= end && chunk.readUInt32LE(offset) > chunk.length) {
          const bigger = Buffer.allocUnsafe(chunk.readUInt32LE(offset));
          chunk.copy(bigger, 0, offset, end);
          chunk = bigger;
        } else chunk.copy(chunk, 0, offset, end);
      }
    }
    for (let offset = 0; offset < this.used; offset += this.buffer.readUInt32LE(offset)) yield [this.buffer, offset];
  }

  /** Deletes the spilled part; the log is not used again. */
  close(): void {
    if (this.fd !== undefined) this.scratch.remove(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.fd ??= this.scratch.create();
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done, this.written + done);
    this.written += this.used;
    this.used = 0;
  }
}
