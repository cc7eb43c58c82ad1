/**
 * A compact hash table of string keys for the cross-file checks: keys live as UTF-8 in one growing
 * byte arena and entries are numbered 0, 1, 2… in insertion order, each with a row number and a
 * flag byte. A million ten-character ids take about 35 MB, against well over 100 MB for a
 * Map<string, object>.
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
  private hashes = new Uint32Array(1024);
  private slots = new Uint32Array(2048); // entry + 1; 0 = empty; linear probing, load ≤ 1/2

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
    if ((this.size + 1) * 2 > this.slots.length) {
      this.rehash();
      slot = this.probe(length, h);
    }
    const entry = this.size++;
    if (entry === this.ends.length) this.growEntries();
    this.used += length;
    this.ends[entry] = this.used;
    this.hashes[entry] = h;
    this.slots[~slot] = entry + 1;
    return entry;
  }

  key(entry: number): string {
    return this.arena.toString('utf8', entry === 0 ? 0 : this.ends[entry - 1]!, this.ends[entry]!);
  }

  /** Writes `key` after the last key (without claiming the space) and answers its byte length. */
  private stage(key: string): number {
    const needed = this.used + key.length * 3; // a UTF-16 code unit is at most 3 UTF-8 bytes
    if (needed > this.arena.length) {
      const arena = Buffer.allocUnsafe(Math.max(needed, this.arena.length * 2));
      this.arena.copy(arena, 0, 0, this.used);
      this.arena = arena;
    }
    return this.arena.write(key, this.used, 'utf8');
  }

  /** The slot holding the staged key (≥ 0), or ~slot of the empty slot where it would go. */
  private probe(length: number, h: number): number {
    const mask = this.slots.length - 1;
    const { arena, used } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.slots[slot]!;
      if (e === 0) return ~slot;
      const entry = e - 1;
      if (this.hashes[entry] !== h) continue;
      const start = entry === 0 ? 0 : this.ends[entry - 1]!;
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

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }

  private growEntries(): void {
    const grow = <T extends Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(a.length * 2);
      b.set(a);
      return b;
    };
    this.ends = grow(this.ends, (n) => new Uint32Array(n));
    this.hashes = grow(this.hashes, (n) => new Uint32Array(n));
    this.rows = grow(this.rows, (n) => new Uint32Array(n));
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
  }
}

/** FNV-1a over the staged bytes. */
function hash(bytes: Uint8Array, start: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
