// Counts and hashes the bytes of a body as they pass, and stops it past a size limit.
import { createHash } from 'node:crypto';
import type { TransformCallback } from 'node:stream';
import { Transform } from 'node:stream';
import { BlobStoreError } from './types.js';

/**
 * Makes sure at least `needed` bytes of the body are reserved against a shared limit (a blob's
 * staged blocks) before they pass; answers the bytes now reserved, or throws `tooLarge`.
 */
export type Reserve = (needed: number) => number | Promise<number>;

export class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('md5');

  constructor(
    private readonly maxBytes: number,
    private readonly reserve?: Reserve,
    /** Already reserved (a declared length). */
    private reserved = 0,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(tooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (!this.reserve || this.bytes <= this.reserved) {
      callback(null, chunk);
      return;
    }
    // Held back until reserved: no byte of a block is written beyond what the blob may hold.
    Promise.resolve()
      .then(() => this.reserve!(this.bytes))
      .then((reserved) => {
        this.reserved = reserved;
        callback(null, chunk);
      }, callback);
  }

  /** Base64 MD5 of everything that passed; call once, at the end. */
  md5(): string {
    return this.hash.digest('base64');
  }

  /** Fails with `Md5Mismatch` when the client's MD5 differs from the body's. */
  check(expected: string | undefined): string {
    const actual = this.md5();
    if (expected !== undefined && expected !== actual) {
      throw new BlobStoreError('Md5Mismatch', `The MD5 value specified in the request (${expected}) did not match the MD5 value calculated by the server (${actual}).`);
    }
    return actual;
  }
}

export const tooLarge = (maxBytes: number) =>
  new BlobStoreError('RequestBodyTooLarge', `The request body is too large and exceeds the maximum permissible limit of ${maxBytes} bytes per file.`);

/** A new ETag, quoted, in Azure's form (`"0x8DC1F…"`): unique per write. */
export function newEtag(): string {
  const time = BigInt(Date.now()) * 10_000n + BigInt(Math.floor(Math.random() * 10_000));
  return `"0x${time.toString(16).toUpperCase()}${Math.floor(Math.random() * 0xfff).toString(16).toUpperCase().padStart(3, '0')}"`;
}

/** Byte order of UTF-8 names (what PostgreSQL's "C" collation gives). */
export const compareNames = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
