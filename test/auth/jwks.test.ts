// JWKS mode against a real JWKS document served over HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  createSigningKey,
  createVerifier,
  jwks,
  MESSAGES,
  mintToken,
  type JsonWebKeySet,
  type SigningKey,
} from '../../src/auth/index.js';
import { GraphError } from '../../src/errors.js';
import { rejects401, signClaims, TENANT, v1Claims } from './helpers.js';

const AUDIENCE = 'api://graph-lro';
let server: Server;
let jwksUrl: string;
let document: JsonWebKeySet;
let status = 200;
let fetches = 0;
let keyA: SigningKey;
let keyB: SigningKey;

before(async () => {
  [keyA, keyB] = await Promise.all([createSigningKey(), createSigningKey()]);
  document = jwks(keyA);
  server = createServer((req, res) => {
    fetches++;
    if (req.url !== '/discovery/keys') return void res.writeHead(404).end();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(document));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discovery/keys`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const mint = (key: SigningKey, extra: Partial<Parameters<typeof mintToken>[0]> = {}) =>
  mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], audience: AUDIENCE, ...extra }).then((t) => `Bearer ${t}`);

test('tokens signed with a published key verify; the JWKS is fetched once', async () => {
  document = jwks(keyA);
  fetches = 0;
  const v = createVerifier({ mode: 'jwks', jwksUrl, audience: AUDIENCE });
  const p = await v.verify(await mint(keyA));
  assert.equal(p.tenantId, TENANT);
  assert.equal((await v.verify(await mint(keyA, { version: '2.0' }))).kind, 'delegated');
  assert.equal((await v.verify(await mint(keyA, { app: true, scopes: [], roles: ['IndustryData.ReadBasic.All'] }))).kind, 'application');
  assert.equal(fetches, 1);

  await rejects401(v.verify(await mint(keyA, { audience: 'https://graph.microsoft.com' })), MESSAGES.audience);
  await rejects401(v.verify(await mint(keyB)), MESSAGES.unknownKey);
  await rejects401(v.verify(`Bearer ${await signClaims(keyB, { ...v1Claims(), aud: AUDIENCE }, { kid: keyA.kid })}`), MESSAGES.signature);
});

test('key rotation: a token with a new kid makes the verifier fetch the JWKS again', async () => {
  document = jwks(keyA);
  fetches = 0;
  const v = createVerifier({ mode: 'jwks', jwksUrl, audience: AUDIENCE, jwksCooldownMs: 0 });
  const oldToken = await mint(keyA);
  await v.verify(oldToken);
  assert.equal(fetches, 1);

  document = jwks(keyB); // keyA retired, keyB published
  const p = await v.verify(await mint(keyB));
  assert.equal(p.tenantId, TENANT);
  assert.equal(fetches, 2, 'the unknown kid triggered one fetch');

  await rejects401(v.verify(await mint(keyA)), MESSAGES.unknownKey);
  assert.equal((await v.verify(oldToken)).tenantId, TENANT, 'an already verified token stays valid until it expires');
});

test('within the cooldown an unknown kid does not refetch the JWKS', async () => {
  document = jwks(keyA);
  fetches = 0;
  const v = createVerifier({ mode: 'jwks', jwksUrl, audience: AUDIENCE }); // default cooldown 30 s
  await v.verify(await mint(keyA));
  document = jwks(keyA, keyB);
  await rejects401(v.verify(await mint(keyB)), MESSAGES.unknownKey);
  await rejects401(v.verify(await mint(keyB)), MESSAGES.unknownKey);
  assert.equal(fetches, 1);
});

test('a configured issuer with {tenantid} in JWKS mode', async () => {
  document = jwks(keyA);
  const v = createVerifier({ mode: 'jwks', jwksUrl, audience: AUDIENCE, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' });
  assert.equal((await v.verify(await mint(keyA, { version: '2.0' }))).tenantId, TENANT);
  await rejects401(v.verify(await mint(keyA)), MESSAGES.issuer); // v1.0 issuer not configured
});

test('an unreachable or broken JWKS is a 503, not a 401', async () => {
  document = jwks(keyA);
  for (const setup of [() => (status = 500), () => (status = 200)]) {
    setup();
    const url = status === 200 ? jwksUrl.replace('/discovery/keys', '/nowhere') : jwksUrl;
    const v = createVerifier({ mode: 'jwks', jwksUrl: url, audience: AUDIENCE });
    await assert.rejects(v.verify(await mint(keyA)), (err: unknown) => {
      assert.ok(err instanceof GraphError);
      assert.equal(err.status, 503);
      assert.equal(err.code, 'serviceNotAvailable');
      return true;
    });
  }
  status = 200;

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const v = createVerifier({ mode: 'jwks', jwksUrl: `http://127.0.0.1:${port}/keys`, audience: AUDIENCE, jwksTimeoutMs: 2000 });
  await assert.rejects(v.verify(await mint(keyA)), (err: unknown) => err instanceof GraphError && err.status === 503);
});
