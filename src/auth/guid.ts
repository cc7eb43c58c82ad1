// GUIDs as Entra writes them in tokens (tid, oid, wids): 8-4-4-4-12 hex digits, compared
// case-insensitively and kept in lower case.
import { createHash } from 'node:crypto';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A stable GUID derived from `name` (SHA-256, RFC 9562 version 8 layout): same name, same GUID. */
export function guidFromName(name: string): string {
  const b = createHash('sha256').update(name, 'utf8').digest();
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = b.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
