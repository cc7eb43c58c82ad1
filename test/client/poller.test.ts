// pollOperation's decisions against a scripted fetch (no server): Retry-After in seconds and as an
// HTTP date, clamping, 429/503 retries, backoff without hints, error bodies, Response targets.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphError, parseRetryAfter, pollOperation } from '../../packages/client/src/index.js';

const op = (status: string, statusDetail = '') => ({ id: 'op', createdDateTime: 'x', lastActionDateTime: status + statusDetail, resourceLocation: '', status, statusDetail });

function scripted(answers: (() => Response)[]) {
  const at: number[] = [];
  const sent: RequestInit[] = [];
  const start = Date.now();
  return {
    at,
    sent,
    fetch: async (_url: string, init: RequestInit) => {
      at.push(Date.now() - start);
      sent.push(init);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next();
    },
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('pollOperation (scripted fetch)', () => {
  test('parseRetryAfter: seconds, HTTP dates, garbage', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    const now = Date.parse('2026-11-23T00:00:00Z');
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 00:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 23:00:00 GMT', now), 0, 'a date in the past is now');
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  test('without Preference-Applied it follows Retry-After, clamped to maxDelayMs', async () => {
    const s = scripted([() => json(op('running'), 200, { 'retry-after': '3600' }), () => json(op('running', 'half'), 200, { 'retry-after': '0' }), () => json(op('succeeded'))]);
    const seen: string[] = [];
    const result = await pollOperation('http://x/op', { token: () => 't', fetch: s.fetch, maxDelayMs: 150, minDelayMs: 50, onProgress: (o) => seen.push(`${o.status}:${o.statusDetail}`) });
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(seen, ['running:', 'running:half', 'succeeded:']);
    assert.ok(s.at[1]! - s.at[0]! >= 140 && s.at[1]! - s.at[0]! < 1000, `an hour clamped to 150 ms: ${s.at}`);
    assert.ok(s.at[2]! - s.at[1]! >= 45, `0 s raised to minDelayMs: ${s.at}`);
    assert.equal((s.sent[0]!.headers as Record<string, string>).prefer, 'wait=30');
    assert.equal((s.sent[0]!.headers as Record<string, string>).authorization, 'Bearer t');
  });

  test('429 and 503 are retried after their Retry-After (HTTP date too); a 404 is a GraphError', async () => {
    const soon = new Date(Date.now() + 1000).toUTCString();
    const s = scripted([
      () => json({ error: { code: 'TooManyRequests', message: 'slow down' } }, 429, { 'retry-after': '0' }),
      () => json({ error: { code: 'serviceNotAvailable', message: 'later' } }, 503, { 'retry-after': soon }),
      () => json(op('succeeded')),
    ]);
    await pollOperation('http://x/op', { token: () => 't', fetch: s.fetch, minDelayMs: 10 });
    assert.equal(s.at.length, 3);
    assert.ok(s.at[2]! - s.at[1]! >= 5, String(s.at));

    const n = scripted([() => json({ error: { code: 'ResourceNotFound', message: 'no such operation', innerError: { 'request-id': 'rid' } } }, 404)]);
    const error = await pollOperation('http://x/op', { token: () => 't', fetch: n.fetch }).catch((e: unknown) => e);
    assert.ok(error instanceof GraphError);
    assert.equal(error.status, 404);
    assert.equal(error.code, 'ResourceNotFound');
    assert.equal(error.message, 'no such operation');
    assert.equal(error.requestId, 'rid');
  });

  test('no hints at all: exponential backoff with jitter; network errors retried up to maxRetries', async () => {
    const s = scripted([() => json(op('running')), () => json(op('running')), () => json(op('running')), () => json(op('succeeded'))]);
    await pollOperation('http://x/op', { token: () => 't', fetch: s.fetch, minDelayMs: 40, maxDelayMs: 1000 });
    const gaps = s.at.slice(1).map((t, i) => t - s.at[i]!);
    assert.ok(gaps[0]! >= 15 && gaps[2]! >= 70, `growing gaps: ${gaps}`);

    let calls = 0;
    const failing = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    await assert.rejects(pollOperation('http://x/op', { token: () => 't', fetch: failing, minDelayMs: 1, maxDelayMs: 2, maxRetries: 2 }), TypeError);
    assert.equal(calls, 3);
  });

  test('a 202 Response: Operation-Location first, then Location; an error Response is a GraphError', async () => {
    const urls: string[] = [];
    const fetchImpl = async (url: string) => {
      urls.push(url);
      return json(op('succeeded'));
    };
    await pollOperation(new Response(null, { status: 202, headers: { location: 'http://x/loc', 'operation-location': 'http://x/oploc' } }), { token: () => 't', fetch: fetchImpl });
    await pollOperation(new Response(null, { status: 202, headers: { location: 'http://x/loc' } }), { token: () => 't', fetch: fetchImpl });
    assert.deepEqual(urls, ['http://x/oploc', 'http://x/loc']);
    const error = await pollOperation(json({ error: { code: 'BadRequest', message: 'bad' } }, 400), { token: () => 't', fetch: fetchImpl }).catch((e: unknown) => e);
    assert.ok(error instanceof GraphError && error.code === 'BadRequest');
  });
});
