/** The largest resizable ArrayBuffer V8 allows. */
const MAX_BYTES = 2 ** 32;

type Growable = Uint8Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/**
 * A typed array over a resizable ArrayBuffer, tracking its length. Growing one commits more address
 * space in place: nothing is copied, no old array lingers until the next GC, and pages never
 * written cost no memory, so capacity can run well ahead of use.
 */
export function growable<T extends Growable>(Type: { new (buffer: ArrayBuffer): T; readonly BYTES_PER_ELEMENT: number }, length: number): T {
  return new Type(new ArrayBuffer(length * Type.BYTES_PER_ELEMENT, { maxByteLength: MAX_BYTES }));
}

/** Makes room for `length` elements, doubling at least. */
export function ensureLength(array: Growable, length: number): void {
  if (length <= array.length) return;
  const size = array.BYTES_PER_ELEMENT;
  if (length * size > MAX_BYTES) throw new RangeError(`more than ${MAX_BYTES} bytes of keys`);
  array.buffer.resize(Math.min(MAX_BYTES, Math.max(length, array.length * 2) * size));
}
