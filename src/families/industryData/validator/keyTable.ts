import { ensureLength, growable } from './growable.js';
import { FNV_OFFSET, FNV_PRIME, mix } from './hash.js';

/** Most entries per slot; beyond it the slot array grows 1.5 times. */
const MAX_LOAD = 0.75;
/** A key length that does not fit the per-entry byte. */
const LONG = 255;

/**
 * A compact hash table of string keys for the cross-file checks: keys live as UTF-8 in one byte
 * arena and entries are numbered 0, 1, 2… in insertion order, each with the row it came from and
 * a flag byte. An entry costs its key's bytes plus about 9 bytes (1 for its key's length, 1 for
 * its flags, some 7 for its hash slot), against some 90 for a Map<string, {row, flags}> with its
 * key strings. Keys lie one after the other, so a key's start is the start of its group of 16
 * entries plus the lengths before it in the group. Rows come in order, mostly one after the other, so they are kept as runs: the
 * first entry and row of each run. Per-entry arrays and the arena sit on resizable buffers
 * (growable.ts); the slot array is the one part that is rebuilt when it grows, which reserve()
 * avoids.
 */
export class KeyTable {
  /** Per entry: caller-defined bits. */
  readonly flags = growable(Uint8Array, 1024);
  size = 0;

  // Runs of consecutive rows: run i starts at entry runEntries[i] with row runRows[i].
  private readonly runEntries = growable(Uint32Array, 16);
  private readonly runRows = growable(Uint32Array, 16);
  private runs = 0;
  private lastRow = 0;

  private readonly arena = growable(Uint8Array, 16 * 1024);
  private used = 0;
  // Per entry: its key's byte length, LONG for 255 bytes and more (then in longLengths).
  private readonly lengths = growable(Uint8Array, 1024);
  private readonly longLengths = new Map<number, number>();
  // Per group of 16 entries: where the key of its first entry starts.
  private readonly groupStarts = growable(Uint32Array, 64);
  // Open addressing with linear probing, load ≤ MAX_LOAD. A slot holds entry + 1 (0 = empty) and,
  // in the parallel array, a byte of the key's hash that rules out most other keys without
  // touching the arena.
  private slots = new Uint32Array(2048);
  private slotTags = new Uint8Array(2048);
  // The key last staged by stage(): its byte length and hash.
  private stagedLength = 0;
  private stagedHash = 0;

  /** Sizes the slots for `entries` in all (an estimate; the table still grows beyond it). */
  reserve(entries: number): void {
    const slots = Math.ceil(entries / MAX_LOAD);
    if (slots > this.slots.length) this.rehash(slots);
  }

  /** The entry of `key`, or -1. */
  find(key: string): number {
    this.stage(key);
    const slot = this.probe();
    return slot < 0 ? -1 : this.slots[slot]! - 1;
  }

  /**
   * Adds `key` from `row` (1-based, header = 1; later than the rows of earlier keys), its flags
   * at 0, and answers its entry, or -1 when it is already present.
   */
  add(key: string, row: number): number {
    this.stage(key);
    let slot = this.probe();
    if (slot >= 0) return -1;
    if (this.size + 1 > this.slots.length * MAX_LOAD) {
      this.rehash(Math.ceil(this.slots.length * 1.5));
      slot = this.probe();
    }
    const entry = this.size++;
    if (entry === this.lengths.length) {
      ensureLength(this.lengths, entry + 1);
      ensureLength(this.flags, entry + 1);
    }
    if ((entry & 15) === 0) {
      ensureLength(this.groupStarts, (entry >>> 4) + 1);
      this.groupStarts[entry >>> 4] = this.used;
    }
    if (this.stagedLength < LONG) this.lengths[entry] = this.stagedLength;
    else {
      this.lengths[entry] = LONG;
      this.longLengths.set(entry, this.stagedLength);
    }
    if (this.runs === 0 || row !== this.lastRow + 1) {
      ensureLength(this.runEntries, this.runs + 1);
      ensureLength(this.runRows, this.runs + 1);
      this.runEntries[this.runs] = entry;
      this.runRows[this.runs++] = row;
    }
    this.lastRow = row;
    this.used += this.stagedLength;
    this.slots[~slot] = entry + 1;
    this.slotTags[~slot] = this.stagedHash;
    return entry;
  }

  /** The row `entry` came from. */
  row(entry: number): number {
    // The last run starting at or before the entry.
    let low = 0;
    let high = this.runs - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.runEntries[middle]! <= entry) low = middle;
      else high = middle - 1;
    }
    return this.runRows[low]! + (entry - this.runEntries[low]!);
  }

  key(entry: number): string {
    const start = this.start(entry);
    return decoder.decode(this.arena.subarray(start, start + this.length(entry)));
  }

  private length(entry: number): number {
    const length = this.lengths[entry]!;
    return length === LONG ? this.longLengths.get(entry)! : length;
  }

  private start(entry: number): number {
    let start = this.groupStarts[entry >>> 4]!;
    for (let e = entry & ~15; e < entry; e++) start += this.length(e);
    return start;
  }

  /** Writes `key` after the last key, without claiming the space, and hashes it. */
  private stage(key: string): void {
    ensureLength(this.arena, this.used + key.length * 3); // a UTF-16 code unit is at most 3 UTF-8 bytes
    // Ids are nearly always ASCII: copying and hashing the code units in one loop beats a native
    // call per key.
    const { arena, used } = this;
    let h = FNV_OFFSET;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) {
        this.stagedLength = encoder.encodeInto(key, arena.subarray(used)).written;
        this.stagedHash = hash(arena, used, this.stagedLength);
        return;
      }
      arena[used + i] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.stagedLength = key.length;
    this.stagedHash = mix(h);
  }

  /** The slot holding the staged key (≥ 0), or ~slot of the empty slot where it would go. */
  private probe(): number {
    const { arena, used, slots, slotTags, stagedLength: length } = this;
    const tag = this.stagedHash & 0xff;
    for (let slot = home(this.stagedHash, slots.length); ; slot = slot + 1 === slots.length ? 0 : slot + 1) {
      const e = slots[slot]!;
      if (e === 0) return ~slot;
      if (slotTags[slot] !== tag) continue;
      const entry = e - 1;
      if (this.length(entry) !== length) continue;
      const start = this.start(entry);
      let same = true;
      for (let i = 0; i < length; i++) {
        if (arena[start + i] !== arena[used + i]) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  /** Rebuilds the slots at `length`; hashes are recomputed from the arena. */
  private rehash(length: number): void {
    const slots = new Uint32Array(length);
    const slotTags = new Uint8Array(length);
    for (let entry = 0, start = 0; entry < this.size; entry++) {
      const bytes = this.length(entry);
      const h = hash(this.arena, start, bytes);
      start += bytes;
      let slot = home(h, length);
      while (slots[slot] !== 0) slot = slot + 1 === length ? 0 : slot + 1;
      slots[slot] = entry + 1;
      slotTags[slot] = h;
    }
    this.slots = slots;
    this.slotTags = slotTags;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The home slot: the hash's high bits scaled to the table size (any size, no power of two needed). */
const home = (h: number, size: number): number => Math.floor((h / 0x1_0000_0000) * size);

/** FNV-1a over the bytes, finished like the staged hash. */
function hash(bytes: Uint8Array, start: number, length: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return mix(h);
}
