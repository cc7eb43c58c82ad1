import { isUtf8 } from 'node:buffer';

export interface Utf8Step {
  /** Bytes that are valid UTF-8 and complete, BOM removed: safe to hand to the parser. */
  readonly valid: Buffer;
  /** The input starts with a UTF-8 byte order mark (reported once, by the first step). */
  readonly bom?: true;
  /** Set when the input is not UTF-8: byte offset of the first bad sequence and why. */
  readonly invalid?: { readonly offset: number; readonly reason: string };
}

const EMPTY = Buffer.alloc(0);

/**
 * Checks a byte stream for UTF-8 chunk by chunk (`isUtf8` is native and fast), carrying a sequence
 * split across chunks to the next one. The bytes it passes on do not depend on how the input was
 * chunked: everything before the first invalid sequence, nothing after it.
 */
export class Utf8Guard {
  private carry: Buffer = EMPTY;
  private offset = 0; // input bytes already passed on or skipped (BOM)
  private started = false;

  push(chunk: Buffer): Utf8Step {
    return this.step(this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]), false);
  }

  end(): Utf8Step {
    return this.step(this.carry, true);
  }

  private step(data: Buffer, final: boolean): Utf8Step {
    this.carry = EMPTY;
    let bom: true | undefined;
    if (!this.started) {
      if (data.length < 3 && !final) {
        this.carry = data;
        return { valid: EMPTY };
      }
      this.started = true;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
        bom = true;
        data = data.subarray(3);
        this.offset = 3;
      } else if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
        return { valid: EMPTY, invalid: { offset: 0, reason: 'it starts with a UTF-16 or UTF-32 byte order mark' } };
      }
    }
    const tail = final ? 0 : incompleteTail(data);
    const body = tail === 0 ? data : data.subarray(0, data.length - tail);
    const flags = bom ? { bom } : {};
    if (!isUtf8(body)) {
      const at = firstInvalid(body);
      return { ...flags, valid: body.subarray(0, at), invalid: { offset: this.offset + at, reason: `invalid byte sequence at byte offset ${this.offset + at}` } };
    }
    if (tail !== 0) this.carry = Buffer.from(data.subarray(data.length - tail)); // a copy: do not pin the chunk
    this.offset += body.length;
    return { ...flags, valid: body };
  }
}

/** Length (0–3) of a multi-byte sequence cut off at the end of `b`. */
function incompleteTail(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const c = b[n - k]!;
    if (c < 0x80) return 0;
    if (c >= 0xc0) {
      const length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return length > k ? k : 0;
    }
  }
  return 0;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode Table 3-7). */
export function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    if (i + more >= b.length) return i;
    const second = b[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= more; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return b.length;
}
