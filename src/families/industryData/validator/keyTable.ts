/**
 * A compact hash table of string keys for the cross-file checks: keys live as UTF-8 in one growing
 * byte arena and entries are numbered 0, 1, 2… in insertion order, each with a row number and a
 * flag byte. An entry costs its key's bytes plus about 19 bytes (measured: 25 bytes per
 * six-character id, against some 90 for a Map<string, {row, flags}> with its key strings).
 */
export class KeyTable {
  /** Per entry: the row it was defined on (1-based, header = 1). */
  rows = new Uint32Array(1024);
  /** Per entry: caller-defined bits. */
  flags = new Uint8Array(1024);
  size = 0;

  private arena = Buffer.allocUnsafe(16 * 1024);
  private used = 0;
  private ends = new Uint32Array(1024); // entry i spans arena[ends[i - 1] ?? 0, ends[i])
  private tags = new Uint8Array(1024); // low byte of each entry's hash: rejects most mismatches cheaply
  private slots = new Uint32Array(2048); // entry + 1, 0 = empty; linear probing, load ≤ 0.7

  /** The entry of `key`, or -1. */
  find(key: string): number {
    const length = this.stage(key);
    const slot = this.probe(length, hash(this.arena, this.used, length));
    return slot < 0 ? -1 : this.slots[slot]! - 1;
  }

  /** Adds `key` (row and flags start at 0) and answers its entry, or -1 when it is already present. */
  add(key: string): number {
    const length = this.stage(key);
    const h = hash(this.arena, this.used, length);
    let slot = this.probe(length, h);
    if (slot >= 0) return -1;
    if (this.size + 1 > this.slots.length * 0.7) {
      this.resize();
      slot = this.probe(length, h);
    }
    const entry = this.size++;
    if (entry === this.ends.length) this.growEntries();
    this.used += length;
    this.ends[entry] = this.used;
    this.tags[entry] = h;
    this.slots[~slot] = entry + 1;
    return entry;
  }

  key(entry: number): string {
    return this.arena.toString('utf8', this.start(entry), this.ends[entry]!);
  }

  private start(entry: number): number {
    return entry === 0 ? 0 : this.ends[entry - 1]!;
  }

  /** Writes `key` after the last key (without claiming the space) and answers its byte length. */
  private stage(key: string): number {
    const needed = this.used + key.length * 3; // a UTF-16 code unit is at most 3 UTF-8 bytes
    if (needed > this.arena.length) {
      const arena = Buffer.allocUnsafe(Math.max(needed, Math.ceil(this.arena.length * 1.5)));
      this.arena.copy(arena, 0, 0, this.used);
      this.arena = arena;
    }
    // Ids are nearly always ASCII: copying the code units beats a native call per key.
    const { arena, used } = this;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return arena.write(key, used, 'utf8');
      arena[used + i] = c;
    }
    return key.length;
  }

  /** The slot holding the staged key (≥ 0), or ~slot of the empty slot where it would go. */
  private probe(length: number, h: number): number {
    const { arena, used, slots } = this;
    const tag = h & 0xff;
    for (let slot = home(h, slots.length); ; slot = slot + 1 === slots.length ? 0 : slot + 1) {
      const e = slots[slot]!;
      if (e === 0) return ~slot;
      const entry = e - 1;
      if (this.tags[entry] !== tag) continue;
      const start = this.start(entry);
      if (this.ends[entry]! - start !== length) continue;
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

  /** 1.5 times the slots; hashes are recomputed from the arena. */
  private resize(): void {
    const slots = new Uint32Array(Math.ceil(this.slots.length * 1.5));
    for (let entry = 0; entry < this.size; entry++) {
      const start = this.start(entry);
      let slot = home(hash(this.arena, start, this.ends[entry]! - start), slots.length);
      while (slots[slot] !== 0) slot = slot + 1 === slots.length ? 0 : slot + 1;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }

  private growEntries(): void {
    const length = Math.ceil(this.ends.length * 1.5);
    const grow = <T extends Uint32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a);
      return b;
    };
    this.ends = grow(this.ends, new Uint32Array(length));
    this.rows = grow(this.rows, new Uint32Array(length));
    this.tags = grow(this.tags, new Uint8Array(length));
    this.flags = grow(this.flags, new Uint8Array(length));
  }
}

/** The home slot: the hash's high bits scaled to the table size (any size, no power of two needed). */
const home = (h: number, size: number): number => Math.floor((h / 0x1_0000_0000) * size);

/** FNV-1a over the bytes, then murmur3's finaliser so that high and low bits are both well mixed. */
function hash(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
