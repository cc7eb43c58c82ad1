// OData key syntax: `operations('refresh:DirectoryRole_…')` addresses the same entity as
// `operations/refresh:DirectoryRole_…` (spec §2.5). Rewritten before routing.

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
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.includes('(') && !path.includes('%28')) return url;
  return path.split('/').map(rewriteSegment).join('/') + (q < 0 ? '' : url.slice(q));
}
