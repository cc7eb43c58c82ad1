// 32-bit FNV-1a, finished with murmur3's finaliser: the key tables hash bytes as they copy them.

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** murmur3's finaliser, so that high bits (home slots, blocks) and low bits (tags, bits) are all well mixed. */
export function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
