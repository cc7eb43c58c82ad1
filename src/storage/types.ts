// The blob store behind the upload sessions: containers of named blobs, written from streams
// (whole, or as staged blocks committed by a block list, as Azure block blobs are), listed,
// read as streams (whole or a byte range) and deleted. Nothing is ever held whole in memory.
import type { Readable } from 'node:stream';

/** What is known about a stored blob. */
export interface BlobProperties {
  name: string;
  size: number;
  /** Quoted, as in the `ETag` header: `"0x8DC…"`. Changes with every write. */
  etag: string;
  createdAt: Date;
  lastModified: Date;
  contentType: string;
  /** Base64 MD5 of the content: computed for a blob put whole, as given for a block list. */
  contentMd5?: string;
}

export interface PutOptions {
  /** Largest body accepted; beyond it the write fails with `RequestBodyTooLarge`. */
  maxBytes: number;
  contentType?: string;
  /** Base64 MD5 the client sent; a different body fails with `Md5Mismatch`. */
  contentMd5?: string;
  /**
   * The body's declared length (Content-Length), when known: a staged block reserves it against
   * the blob's limit before a byte is read. Without it a block reserves as its bytes arrive.
   */
  length?: number;
  signal?: AbortSignal;
}

export interface CommitOptions {
  /** Largest blob the blocks may add up to (`RequestBodyTooLarge`). */
  maxBytes: number;
  contentType?: string;
  /** Stored as the blob's MD5 (`x-ms-blob-content-md5`), not checked, as Azure does. */
  contentMd5?: string;
}

export interface ListOptions {
  prefix?: string;
  /** The first name to return (a previous page's `nextMarker`). */
  marker?: string;
  maxResults?: number;
}

export interface ListPage {
  /** In byte order of the UTF-8 names. */
  blobs: BlobProperties[];
  /** The name the next page starts at; absent on the last page. */
  nextMarker?: string;
}

/** A byte range, both ends inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The write methods read their `body` to the end or, when they fail, destroy it. */
export interface BlobStore {
  readonly kind: 'file' | 'database';
  /** Writes a blob from a stream, replacing any blob of that name once the body is complete. */
  putBlob(container: string, name: string, body: Readable, options: PutOptions): Promise<BlobProperties>;
  /**
   * Stages a block of a future blob (Put Block); a block with the same id is replaced. The blocks
   * staged for one name, with the bodies of blocks still arriving for it, may add up to `maxBytes`
   * at most: bytes are reserved before they are written, atomically per blob, so concurrent blocks
   * can never together exceed the limit. Answers the block's base64 MD5.
   */
  stageBlock(container: string, name: string, blockId: string, body: Readable, options: PutOptions): Promise<{ contentMd5: string; size: number }>;
  /**
   * Makes the blob out of staged blocks in this order (Put Block List); the blob's staged blocks
   * are discarded afterwards. A block id that was not staged fails with `InvalidBlockList`.
   */
  commitBlocks(container: string, name: string, blockIds: readonly string[], options: CommitOptions): Promise<BlobProperties>;
  /** The ids and sizes of the blocks staged for `name`, in id order. */
  stagedBlocks(container: string, name: string): Promise<{ blockId: string; size: number }[]>;
  get(container: string, name: string): Promise<BlobProperties | undefined>;
  list(container: string, options?: ListOptions): Promise<ListPage>;
  /** The content (or a range of it); fails with `BlobNotFound`. The stream errors if the blob is replaced while read. */
  openRead(container: string, name: string, range?: ByteRange): Promise<Readable>;
  /** false when there was no such blob. */
  delete(container: string, name: string): Promise<boolean>;
  /** Everything in the container: blobs and staged blocks. */
  deleteContainer(container: string): Promise<void>;
  /** Containers holding anything (the sweep compares them with the live sessions). */
  containers(): Promise<string[]>;
  /**
   * Removes the partial bodies of uploads whose writer is gone (a process that crashed mid-body;
   * a client that disconnects is cleaned up at once by its own request). Run at start and by the
   * sweep; never touches an upload another live process is writing. Answers how many it removed.
   */
  discardAbandoned(): Promise<number>;
}

export type BlobErrorCode = 'RequestBodyTooLarge' | 'Md5Mismatch' | 'InvalidBlockList' | 'BlobNotFound' | 'BlockCountExceedsLimit' | 'OperationTimedOut';

/** A failure the client caused; the HTTP layer answers it with Azure's status and code. */
export class BlobStoreError extends Error {
  constructor(
    readonly code: BlobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BlobStoreError';
  }
}

/** Azure's limit of uncommitted blocks per blob. */
export const MAX_STAGED_BLOCKS = 100_000;

export const tooManyBlocks = () =>
  new BlobStoreError('BlockCountExceedsLimit', `The uncommitted block count cannot exceed the maximum limit of ${MAX_STAGED_BLOCKS} blocks.`);
