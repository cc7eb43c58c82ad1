// The blob endpoint of upload sessions: the real container's SAS, kept or damaged parameter by
// parameter, with Azure's comp/restype/block options and garbage values, blob names with controls,
// dot segments, encoded separators and great lengths, and small bodies and block lists.
import type { Fixtures } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text, uriEncode } from '../rng.js';
import type { Case, Scale } from './case.js';
import { huge } from './case.js';

function sas(rng: Rng, fx: Fixtures): [string, string][] {
  const pairs = [...new URLSearchParams(fx.sas)] as [string, string][];
  if (rng.chance(0.55)) return pairs;
  const n = 1 + rng.size(2);
  for (let i = 0; i < n; i++) {
    const at = rng.int(0, pairs.length - 1);
    rng.pick([
      () => pairs.splice(at, 1),
      () => (pairs[at]![1] = rng.pick(['', text(rng, 20), '2021-12-02', '2099-01-01T00:00:00Z', '2000-01-01T00:00:00Z', 'c', 'b', 'racwdl', 'rwdlacup', 'x', huge('A', 2000)])),
      () => (pairs[at]![1] = Buffer.from(pairs[at]![1]).toString('base64')),
      () => pairs.push([pairs[at]![0], pairs[at]![1]]),
      () => pairs.push([rng.pick(['st', 'si', 'spr', 'sip', 'ss', 'srt', 'sig', 'sv', 'SIG', text(rng, 5)]), text(rng, 10)]),
    ])();
  }
  return pairs;
}

function name(rng: Rng, scale: Scale): string {
  return rng.pick<() => string>([
    () => 'users.csv',
    () => uriEncode(text(rng, 30)),
    () => text(rng, 30),
    () => rng.pick(['..', '.', '...', 'a/../b', '%2e%2e', 'a%2Fb', 'a%5Cb', ' a ', '%20', 'a\u0000b', 'a%00b', 'CON', 'data(1)', "users('x')", '%C3%28', '%FF', 'Users.CSV', '$root']),
    () => huge(rng.pick(['a', '%C3%A9', 'é']), rng.size(Math.min(scale.maxBytes, 5000))),
  ])();
}

function options(rng: Rng): [string, string][] {
  const pairs: [string, string][] = [];
  const n = rng.size(3);
  for (let i = 0; i < n; i++) {
    pairs.push(
      rng.pick<[string, string]>([
        ['comp', rng.pick(['block', 'blocklist', 'list', 'metadata', 'tags', 'lease', 'snapshot', 'tier', 'properties', 'x', '', 'BLOCK'])],
        ['restype', rng.pick(['container', 'account', 'service', '', 'x'])],
        ['blockid', rng.pick([Buffer.from(text(rng, 10)).toString('base64'), '', '!!!', huge('QQ', 100), 'AAAA'])],
        ['blocklisttype', rng.pick(['uncommitted', 'committed', 'all', 'x'])],
        ['prefix', text(rng, 10)],
        ['marker', text(rng, 20)],
        ['maxresults', rng.pick(['0', '1', '5000', '5001', '-1', 'x', '1e3', '99999999999999999999'])],
        ['delimiter', rng.pick(['/', '', text(rng, 3)])],
        ['timeout', rng.pick(['0', '30', '-1', 'x'])],
      ]),
    );
  }
  return pairs;
}

const BLOCK_LISTS = [
  '<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>AAAA</Latest></BlockList>',
  '<BlockList><Uncommitted>QUJD</Uncommitted><Committed>QUJD</Committed></BlockList>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><BlockList><Latest>&e;</Latest></BlockList>',
  '<BlockList><Latest>',
  '<BlockList></BlockList>',
  '<?xml version="1.0" encoding="utf-16"?><BlockList/>',
];

export function blob(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const container = rng.chance(0.85) ? fx.containerId : rng.pick(['', text(rng, 10), '00000000-0000-4000-8000-000000000000', fx.containerId.toUpperCase(), '..']);
  const withName = rng.chance(0.75);
  const path = `/blob/${container}${withName ? `/${name(rng, scale)}` : ''}`;
  const pairs = [...sas(rng, fx), ...options(rng)];
  const query = pairs.map(([k, v]) => `${uriEncode(k)}=${rng.chance(0.9) ? uriEncode(v) : v}`).join('&');
  const method = rng.pick(['PUT', 'PUT', 'GET', 'GET', 'HEAD', 'DELETE', 'POST', 'OPTIONS', 'PATCH']);
  const headers: Record<string, string> = {};
  if (method === 'PUT' && rng.chance(0.8)) headers['x-ms-blob-type'] = rng.pick(['BlockBlob', 'BlockBlob', 'AppendBlob', 'PageBlob', '', 'blockblob']);
  const n = rng.size(3);
  for (let i = 0; i < n; i++) {
    const [h, v] = rng.pick<[string, string]>([
      ['content-md5', rng.pick(['', 'x', '1B2M2Y8AsgTpgAmY7PhCfg==', Buffer.from(text(rng, 8)).toString('base64')])],
      ['range', rng.pick(['bytes=0-0', 'bytes=5-1', 'bytes=-1', 'bytes=0-', 'bytes=99999999999-', 'bytes=0-1,3-4', 'x', ''])],
      ['x-ms-range', rng.pick(['bytes=0-10', 'bytes=a-b', ''])],
      ['if-match', rng.pick(['*', '"x"', '', 'W/"x"'])],
      ['if-none-match', rng.pick(['*', '"x"', ''])],
      ['x-ms-version', rng.pick(['2021-12-02', '2099-01-01', '', text(rng, 10)])],
      ['x-ms-client-request-id', text(rng, 30)],
      ['authorization', rng.pick(['SharedKey blob:abc', `Bearer ${fx.tokens.admin}`, ''])],
      ['x-ms-meta-a', text(rng, 10)],
      ['content-type', rng.pick(['text/csv', 'application/xml', ''])],
    ]);
    headers[h] = v;
  }
  const body =
    method === 'PUT' || method === 'POST' || method === 'PATCH'
      ? /comp=blocklist/.test(query) && rng.chance(0.7)
        ? Buffer.from(rng.pick(BLOCK_LISTS))
        : rng.bytes(rng.size(Math.min(scale.maxBytes, 65_536)))
      : undefined;
  return { kind: 'blob', request: { method, path: `${path}${pairs.length ? `?${query}` : ''}`, headers, ...(body ? { body } : {}) } };
}
