// A small seeded PRNG (sfc32, seeded through splitmix32) and the picks the generators need.
// Every case gets its own stream derived from (seed, case index), so one case replays alone.

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    const mix = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0);
    [this.a, this.b, this.c, this.d] = [mix(), mix(), mix(), mix()];
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor((this.next() / 0x1_0000_0000) * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** Small sizes often, large ones sometimes: 0..max on a log scale. */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp((this.next() / 0x1_0000_0000) * Math.log(max + 1))) - 1 + this.int(0, 1));
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** Characters the generators mix into strings: OData syntax, encodings, controls, unicode. */
const ALPHABET = [
  ...'abcxyzAZ09_-.~',
  ...`'"(),;:/\\=&?#%+*$@! []{}<>|^\``,
  '%00', '%ZZ', '%', '%2F', '%27', '%C3%28', '%E2%80%AE', '%F0%9F%92%A9', '%FF',
  '\u0000', '\u0001', '\t', '\n', '\r', '\u007f', '\u0085', '\u00e9', '\u2028', '\u202e', '\ud83d\udca9', '\ud800', '\uffff', '\ufeff',
  ' eq ', ' and ', ' or ', 'not ', ' in ', 'null', 'true', '$', '@odata.', '..',
];

export function text(rng: Rng, max = 40): string {
  const n = rng.size(max);
  let out = '';
  for (let i = 0; i < n; i++) out += rng.pick(ALPHABET);
  return out;
}

/** encodeURIComponent that never throws: lone surrogates become U+FFFD first, as UTF-8 does. */
export const uriEncode = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
export const uriEncodeLoose = (s: string) => encodeURI(Buffer.from(s, 'utf8').toString('utf8'));
