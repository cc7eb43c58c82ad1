// Bytes node:http would not send: malformed request lines, header names and values with controls,
// obs-fold, conflicting Content-Length and Transfer-Encoding, bad chunking, oversized headers,
// unencoded unicode and controls in the target. The HTTP parser's answers are held to the oracle.
import type { Fixtures } from '../fixtures.js';
import { INDUSTRY, PIM } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text } from '../rng.js';
import type { Case, Scale } from './case.js';
import { huge } from './case.js';

export function raw(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const target = rng.pick([`${INDUSTRY}/operations/${fx.validateOperationId}`, `${PIM}/operations`, `/blob/${fx.containerId}/a.csv?${fx.sas}`, '/healthz', `${INDUSTRY}/dataConnectors`]);
  const method = rng.pick(['GET', 'POST', 'PUT', 'get', 'G ET', 'GET\u0000', 'PRI', 'CONNECT', '', huge('A', 100)]);
  const line = rng.pick([
    () => `${method} ${target} HTTP/1.1`,
    () => `${method} ${target}${text(rng, 10)} HTTP/1.1`,
    () => `${method} ${target} HTTP/${rng.pick(['1.0', '0.9', '2.0', '1.2', '1', 'x'])}`,
    () => `${method} ${target}`,
    () => `${method} http://x${target} HTTP/1.1`,
    () => `${method} * HTTP/1.1`,
    () => `${method} /${huge('a', rng.size(Math.min(scale.maxBytes, 40_000)))} HTTP/1.1`,
    () => text(rng, 40),
  ])();
  const headers = [`Host: ${rng.chance(0.9) ? '127.0.0.1' : text(rng, 10)}`, `Authorization: Bearer ${fx.tokens.admin}`];
  let body = '';
  const n = 1 + rng.size(3);
  for (let i = 0; i < n; i++) {
    rng.pick([
      () => headers.push(`${text(rng, 10)}: ${text(rng, 20)}`),
      () => headers.push(`X-A\u0000: b`, 'X-B: c\u0000d'),
      () => headers.push('X-Fold: a', ' continued'),
      () => headers.push('Content-Length: 2', 'Content-Length: 3'),
      () => headers.push('Content-Length: 5', 'Transfer-Encoding: chunked'),
      () => headers.push('Transfer-Encoding: chunked', 'Content-Type: application/json') && (body = rng.pick(['zz\r\n{}\r\n0\r\n\r\n', '2\r\n{}\r\n', '-1\r\n', '2\r\n{}0\r\n\r\n'])),
      () => headers.push(`Content-Length: ${rng.pick(['-1', 'abc', '1e3', '0x10', ' 2', '99999999999999999999999'])}`),
      () => headers.push(`X-Big: ${huge('x', rng.size(Math.min(scale.maxBytes, 40_000)))}`),
      () => headers.push(...Array.from({ length: rng.size(3000) }, (_, k) => `X-H${k}: v`)),
      () => headers.push('Expect: 100-continue'),
      () => headers.push(`Prefer: wait=${rng.pick(['1', 'x'])}`),
      () => headers.push('Connection: upgrade', 'Upgrade: websocket'),
    ])();
  }
  return { kind: 'raw', raw: Buffer.concat([Buffer.from(`${line}\r\n${headers.join('\r\n')}\r\n\r\n`, 'utf8'), Buffer.from(body)]) };
}
