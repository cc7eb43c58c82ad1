// The XML the Blob REST API speaks: errors, List Blobs, Get Block List; and the Put Block List body.
import type { BlobProperties } from '../../../storage/index.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const element = (name: string, value: string | number | undefined) =>
  value === undefined || value === '' ? `<${name} />` : `<${name}>${escapeXml(String(value))}</${name}>`;

/** `<Error><Code>…</Code><Message>…</Message>…</Error>`, as Azure Storage writes it. */
export function errorXml(code: string, message: string, requestId: string, extra: Record<string, string> = {}): string {
  const text = `${message}\nRequestId:${requestId}\nTime:${new Date().toISOString()}`;
  const more = Object.entries(extra)
    .map(([name, value]) => element(name, value))
    .join('');
  return `${DECLARATION}<Error>${element('Code', code)}${element('Message', text)}${more}</Error>`;
}

function blobXml(blob: BlobProperties): string {
  const p = [
    element('Creation-Time', blob.createdAt.toUTCString()),
    element('Last-Modified', blob.lastModified.toUTCString()),
    element('Etag', blob.etag.replace(/"/g, '')),
    element('Content-Length', blob.size),
    element('Content-Type', blob.contentType),
    element('Content-Encoding', undefined),
    element('Content-Language', undefined),
    element('Content-CRC64', undefined),
    element('Content-MD5', blob.contentMd5),
    element('Cache-Control', undefined),
    element('Content-Disposition', undefined),
    element('BlobType', 'BlockBlob'),
    element('AccessTier', 'Hot'),
    element('AccessTierInferred', 'true'),
    element('LeaseStatus', 'unlocked'),
    element('LeaseState', 'available'),
    element('ServerEncrypted', 'false'),
  ].join('');
  return `<Blob>${element('Name', blob.name)}<Properties>${p}</Properties><OrMetadata /></Blob>`;
}

export interface ListingXml {
  serviceEndpoint: string;
  container: string;
  prefix?: string;
  marker?: string;
  maxResults?: number;
  delimiter?: string;
  blobs: BlobProperties[];
  prefixes: string[];
  nextMarker?: string;
}

/** List Blobs (`restype=container&comp=list`): `EnumerationResults`. */
export function listXml(l: ListingXml): string {
  const head = [
    l.prefix !== undefined ? element('Prefix', l.prefix) : '',
    l.marker !== undefined ? element('Marker', l.marker) : '',
    l.maxResults !== undefined ? element('MaxResults', l.maxResults) : '',
    l.delimiter !== undefined ? element('Delimiter', l.delimiter) : '',
  ].join('');
  const items = [...l.blobs.map(blobXml), ...l.prefixes.map((p) => `<BlobPrefix>${element('Name', p)}</BlobPrefix>`)].join('');
  return `${DECLARATION}<EnumerationResults ServiceEndpoint="${escapeXml(l.serviceEndpoint)}" ContainerName="${escapeXml(l.container)}">${head}<Blobs>${items}</Blobs>${element('NextMarker', l.nextMarker)}</EnumerationResults>`;
}

/** Get Block List: the staged (uncommitted) blocks. */
export function blockListXml(uncommitted: { blockId: string; size: number }[]): string {
  const blocks = uncommitted.map((b) => `<Block>${element('Name', b.blockId)}${element('Size', b.size)}</Block>`).join('');
  return `${DECLARATION}<BlockList><CommittedBlocks />${blocks ? `<UncommittedBlocks>${blocks}</UncommittedBlocks>` : '<UncommittedBlocks />'}</BlockList>`;
}

export interface BlockListEntry {
  list: 'Latest' | 'Committed' | 'Uncommitted';
  id: string;
}

const UNESCAPE: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string | undefined {
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    const c = UNESCAPE[ref];
    if (c === undefined) bad = true;
    return c ?? '';
  });
  return bad || out.includes('&') ? undefined : out;
}

/**
 * The Put Block List body: `<BlockList>` holding `<Latest>`, `<Committed>` and `<Uncommitted>`
 * elements, in order. Undefined when it is not such a document.
 */
export function parseBlockList(xml: string): BlockListEntry[] | undefined {
  const body = xml.replace(/^\uFEFF/, '').replace(/^\s*<\?xml[^?]*\?>/, '').trim();
  const m = /^<BlockList\s*>([\s\S]*)<\/BlockList>$/.exec(body) ?? /^<BlockList\s*\/>$/.exec(body);
  if (!m) return undefined;
  const inner = m[1] ?? '';
  const entries: BlockListEntry[] = [];
  const pattern = /\s*<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>\s*/y;
  let at = 0;
  while (at < inner.length) {
    pattern.lastIndex = at;
    const e = pattern.exec(inner);
    if (!e) return inner.slice(at).trim() === '' ? entries : undefined;
    const id = unescapeXml(e[2]!);
    if (id === undefined) return undefined;
    entries.push({ list: e[1] as BlockListEntry['list'], id });
    at = pattern.lastIndex;
  }
  return entries;
}
