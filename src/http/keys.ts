// OData key syntax: `operations('refresh:DirectoryRole_…')` addresses the same entity as
// `operations/refresh:DirectoryRole_…` (spec §2.5). Rewritten before routing.
import { API_VERSION } from '../graph/context.js';

const KEY_SEGMENT = /^([A-Za-z][A-Za-z0-9_]*)\((?:'((?:[^']|'')*)'|([^()']+))\)$/;

function rewriteSegment(raw: string): string {
  if (!raw.includes('(') && !raw.includes('%28')) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return raw;
  }
  const m = KEY_SEGMENT.exec(decoded);
  if (!m) return raw;
  const key = m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!.trim();
  return `${m[1]}/${encodeURIComponent(key)}`;
}

export function rewriteKeySegments(url: string): string {
  // Only Graph's paths: elsewhere (the blob endpoint) `name(1)` is a file name, not a key.
  if (!url.startsWith(`/${API_VERSION}/`)) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.includes('(') && !path.includes('%28')) return url;
  return path.split('/').map(rewriteSegment).join('/') + (q < 0 ? '' : url.slice(q));
}
