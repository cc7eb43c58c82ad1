import { FNV_OFFSET, FNV_PRIME, mix } from './hash.js';
import type { RowValues } from './records.js';
import { RecordLog } from './scratch.js';
import type { Scratch } from './scratch.js';

/** Bloom filter bits per expected key: about 1 % false positives with 7 probes in 512-bit blocks. */
const BITS_PER_KEY = 10;
const BLOCK_WORDS = 16;
const PROBES = 7;
const MIN_KEYS = 1 << 15;

// log record:      [length u32][h1 u32][h2 u32][row u32][key…]
// deferred record: [length u32][h1 u32][h2 u32][row u32][key length u32][key…][payload…]
const LOG_HEADER = 16;
const DEFERRED_HEADER = 20;

export interface DeferredRow {
  readonly row: number;
  /** The first row with the same key: the row itself, or an earlier one it repeats. */
  readonly first: number;
  /** What add() was given for the row. */
  readonly payload: string;
}

export interface AssociationSetOptions {
  /** Bytes of each buffer before it spills to disk. */
  readonly bufferBytes?: number;
  /** Bytes of deferred rows decided per pass over the log. */
  readonly batchBytes?: number;
}

/**
 * The association keys of one file (DuplicateRecord) in memory that does not grow with the file.
 * Every key goes to a log that spills to a scratch file, and to a blocked Bloom filter. A key the
 * filter has never seen is new for certain and its row goes on at once; that is nearly every row.
 * The others — true repeats and the filter's false positives — are deferred with a payload, and
 * deferred() decides them once the file is read, by passes over the log with the deferred keys of
 * a batch in a map. Keys are the row's association values joined by line feeds, which a kept
 * value cannot contain (LineBreakInValue), so different rows never share a key.
 */
export class AssociationSet {
  private readonly log: RecordLog;
  private readonly deferredRows: RecordLog;
  private readonly batchBytes: number;
  private bloom: Uint32Array;
  private capacity: number;
  private count = 0;

  constructor(scratch: Scratch, options: AssociationSetOptions = {}) {
    const bufferBytes = options.bufferBytes ?? 1 << 20;
    this.log = new RecordLog(scratch, bufferBytes);
    this.deferredRows = new RecordLog(scratch, bufferBytes);
    this.batchBytes = options.batchBytes ?? 8 << 20;
    this.capacity = MIN_KEYS;
    this.bloom = newBloom(this.capacity);
  }

  /** Sizes the filter for `keys` in all (an estimate; it is rebuilt larger when outgrown). */
  reserve(keys: number): void {
    if (keys > this.capacity) this.rebuild(keys);
  }

  /**
   * Records the key of `row` (the values at `ranks`): true when no earlier row can have it, so
   * the row goes on now; false when it is deferred with `payload()` until deferred().
   */
  add(values: RowValues, ranks: readonly number[], row: number, payload: () => string): boolean {
    let bytes = LOG_HEADER;
    for (const rank of ranks) bytes += values[rank]!.length * 3 + 1;
    const { buffer, offset } = this.log.room(bytes);
    // Written and hashed (FNV-1a) in one loop; ids are nearly always ASCII.
    let h = FNV_OFFSET;
    let at = offset + LOG_HEADER;
    for (let i = 0; i < ranks.length; i++) {
      const value = values[ranks[i]!]!;
      if (i > 0) {
        buffer[at++] = 0x0a;
        h = Math.imul(h ^ 0x0a, FNV_PRIME);
      }
      for (let j = 0; j < value.length; j++) {
        const c = value.charCodeAt(j);
        if (c >= 0x80) {
          const end = at + buffer.write(value.slice(j), at, 'utf8');
          for (; at < end; at++) h = Math.imul(h ^ buffer[at]!, FNV_PRIME);
          break;
        }
        buffer[at++] = c;
        h = Math.imul(h ^ c, FNV_PRIME);
      }
    }
    // Two hashes from one: a pair of keys that share h1 also share h2, which costs a key
    // comparison in decide() now and then, never a wrong answer.
    const h1 = mix(h);
    const h2 = mix(h ^ 0x5bd1e995);
    buffer.writeUInt32LE(h1, offset + 4);
    buffer.writeUInt32LE(h2, offset + 8);
    buffer.writeUInt32LE(row, offset + 12);
    const fresh = !testAndSet(this.bloom, h1, h2);
    if (!fresh) this.defer(buffer.subarray(offset + LOG_HEADER, at), h1, h2, row, payload());
    this.log.commit(at - offset);
    if (++this.count > this.capacity) this.rebuild(this.capacity * 2);
    return fresh;
  }

  /** The deferred rows in row order, each with the first row of its key. */
  *deferred(): Generator<DeferredRow> {
    // A batch's records are copied into one buffer; a pending row holds offsets into it.
    let held = Buffer.allocUnsafe(0);
    let used = 0;
    let batch: Pending[] = [];
    for (const [buffer, offset] of this.deferredRows.records()) {
      const length = buffer.readUInt32LE(offset);
      if (used + length > held.length) {
        yield* this.decide(batch, held);
        batch = [];
        used = 0;
        if (length > held.length) held = Buffer.allocUnsafe(Math.max(length, Math.min(this.batchBytes, this.deferredRows.bytes)));
      }
      buffer.copy(held, used, offset, offset + length);
      batch.push({
        id: id(held.readUInt32LE(used + 4), held.readUInt32LE(used + 8)),
        row: held.readUInt32LE(used + 12),
        key: used + DEFERRED_HEADER,
        keyEnd: used + DEFERRED_HEADER + held.readUInt32LE(used + 16),
        end: used + length,
        first: 0,
      });
      used += length;
    }
    yield* this.decide(batch, held);
  }

  close(): void {
    this.log.close();
    this.deferredRows.close();
  }

  /** One pass over the log up to the batch's last row: the first row of each deferred key. */
  private *decide(batch: Pending[], held: Buffer): Generator<DeferredRow> {
    if (batch.length === 0) return;
    const byId = new Map<number, Pending[]>();
    for (const pending of batch) {
      const same = byId.get(pending.id);
      if (same) same.push(pending);
      else byId.set(pending.id, [pending]);
    }
    const last = batch.at(-1)!.row;
    for (const [buffer, offset] of this.log.records()) {
      const row = buffer.readUInt32LE(offset + 12);
      if (row > last) break;
      const same = byId.get(id(buffer.readUInt32LE(offset + 4), buffer.readUInt32LE(offset + 8)));
      if (!same) continue;
      const end = offset + buffer.readUInt32LE(offset);
      for (const pending of same) {
        if (pending.first === 0 && held.compare(buffer, offset + LOG_HEADER, end, pending.key, pending.keyEnd) === 0) pending.first = row;
      }
    }
    for (const { row, first, keyEnd, end } of batch) yield { row, first, payload: held.toString('utf8', keyEnd, end) };
  }

  private defer(key: Buffer, h1: number, h2: number, row: number, payload: string): void {
    const bytes = DEFERRED_HEADER + key.length + Buffer.byteLength(payload);
    const { buffer, offset } = this.deferredRows.room(bytes);
    buffer.writeUInt32LE(h1, offset + 4);
    buffer.writeUInt32LE(h2, offset + 8);
    buffer.writeUInt32LE(row, offset + 12);
    buffer.writeUInt32LE(key.length, offset + 16);
    key.copy(buffer, offset + DEFERRED_HEADER);
    buffer.write(payload, offset + DEFERRED_HEADER + key.length, 'utf8');
    this.deferredRows.commit(bytes);
  }

  /** A filter for `keys`, filled again from the hashes in the log. */
  private rebuild(keys: number): void {
    this.capacity = keys;
    this.bloom = newBloom(keys);
    for (const [buffer, offset] of this.log.records()) testAndSet(this.bloom, buffer.readUInt32LE(offset + 4), buffer.readUInt32LE(offset + 8));
  }
}

/** A deferred row of the batch being decided: offsets of its record in the batch's buffer. */
interface Pending {
  readonly id: number;
  readonly row: number;
  readonly key: number;
  readonly keyEnd: number;
  readonly end: number;
  first: number;
}

/** 53 bits of the two hashes: a map key with few collisions, settled by comparing the keys. */
const id = (h1: number, h2: number): number => h1 * 0x200000 + (h2 >>> 11);

function newBloom(keys: number): Uint32Array {
  const blocks = Math.ceil((Math.max(keys, MIN_KEYS) * BITS_PER_KEY) / (BLOCK_WORDS * 32));
  return new Uint32Array(blocks * BLOCK_WORDS);
}

/** Sets the key's bits; answers whether they were all set already (the key may have been seen). */
function testAndSet(bloom: Uint32Array, h1: number, h2: number): boolean {
  const block = Math.floor((h1 / 0x1_0000_0000) * (bloom.length / BLOCK_WORDS)) * BLOCK_WORDS;
  // Double hashing inside the block: bit i = a + i·b (mod 512).
  const a = h2 & 511;
  const b = (h2 >>> 9) | 1;
  let seen = true;
  for (let i = 0; i < PROBES; i++) {
    const bit = (a + i * b) & 511;
    const word = block + (bit >>> 5);
    const mask = 1 << (bit & 31);
    if ((bloom[word]! & mask) === 0) {
      seen = false;
      bloom[word]! |= mask;
    }
  }
  return seen;
}
