// PostgreSQL's binary COPY format (COPY … TO STDOUT (FORMAT binary)), read as a stream: the bytes
// of bytea values arrive as they are, with none of the text protocol's hex encoding and decoding,
// and no value is ever held whole. https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** Bytes received and not yet read; reads never copy unless a fixed-size field straddles chunks. */
class Received {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Exactly `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return this.cut(n);
    const parts: Buffer[] = [];
    for (let left = n; left > 0; left -= parts.at(-1)!.length) parts.push(this.cut(Math.min(left, this.chunks[0]!.length)));
    return Buffer.concat(parts, n);
  }

  /** Up to `n` bytes of the first chunk. */
  takeSome(n: number): Buffer {
    return this.cut(Math.min(n, this.chunks[0]!.length));
  }

  private cut(n: number): Buffer {
    const first = this.chunks[0]!;
    this.length -= n;
    if (n === first.length) return this.chunks.shift()!;
    this.chunks[0] = first.subarray(n);
    return first.subarray(0, n);
  }
}

/**
 * The values of a one-column binary COPY of bytea, in order and in pieces as they arrive: a value
 * may come as several pieces, and each piece is a view of the received data.
 */
export async function* binaryCopyValues(copy: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const input = new Received();
  let state = 'header' as 'header' | 'extension' | 'tuple' | 'length' | 'value' | 'trailer';
  let left = 0; // bytes of the extension area or of the value still to come
  for await (const chunk of copy) {
    input.push(chunk);
    for (;;) {
      if (state === 'header') {
        if (input.length < SIGNATURE.length + 8) break;
        if (!input.take(SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
        input.take(4); // flags: no OIDs in PostgreSQL 12 and later
        left = input.take(4).readUInt32BE(0);
        state = 'extension';
      } else if (state === 'extension') {
        if (left === 0) state = 'tuple';
        else if (input.length === 0) break;
        else left -= input.takeSome(left).length;
      } else if (state === 'tuple') {
        if (input.length < 2) break;
        const fields = input.take(2).readInt16BE(0);
        if (fields === -1) state = 'trailer';
        else if (fields !== 1) throw new Error(`expected one column in the COPY stream, got ${fields}`);
        else state = 'length';
      } else if (state === 'length') {
        if (input.length < 4) break;
        left = input.take(4).readInt32BE(0);
        if (left < 0) throw new Error('a NULL value in the COPY stream');
        state = left === 0 ? 'tuple' : 'value';
      } else if (state === 'value') {
        if (input.length === 0) break;
        const piece = input.takeSome(left);
        left -= piece.length;
        if (left === 0) state = 'tuple';
        yield piece;
      } else break; // trailer: nothing follows
    }
  }
  if (state !== 'trailer') throw new Error('the COPY stream ended early');
}
