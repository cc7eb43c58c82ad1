import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SignJWT } from 'jose';
import {
  createSigningKey,
  createVerifier,
  DirectoryRoles,
  MESSAGES,
  mintToken,
  type SigningKey,
  type Verifier,
} from '../../src/auth/index.js';
import { APP_ID, handBuilt, OTHER_TENANT, rejects401, signClaims, TENANT, USER_OID, v1Claims } from './helpers.js';

let key: SigningKey;
let otherKey: SigningKey;
let verifier: Verifier;
before(async () => {
  [key, otherKey] = await Promise.all([createSigningKey(), createSigningKey()]);
  verifier = createVerifier({ mode: 'local', key });
});

const bearer = (token: string) => `Bearer ${token}`;

test('a delegated token gives a delegated principal', async () => {
  const token = await mintToken({
    key,
    tenantId: TENANT,
    oid: USER_OID,
    appId: APP_ID,
    scopes: ['RoleManagementAlert.Read.Directory', 'User.Read'],
    wids: [DirectoryRoles.securityReader],
    lifetimeSeconds: 600,
  });
  const p = await verifier.verify(bearer(token));
  assert.equal(p.kind, 'delegated');
  assert.equal(p.tenantId, TENANT);
  assert.equal(p.objectId, USER_OID);
  assert.equal(p.appId, APP_ID);
  assert.deepEqual([...p.scopes], ['RoleManagementAlert.Read.Directory', 'User.Read']);
  assert.deepEqual([...p.roles], []);
  assert.deepEqual([...p.wids], [DirectoryRoles.securityReader, DirectoryRoles.defaultMember]);
  const exp = Math.floor(Date.now() / 1000) + 600;
  assert.ok(Math.abs(p.expiresAt.getTime() / 1000 - exp) <= 2);
  assert.ok(Object.isFrozen(p));
});

test('an application token gives an application principal', async () => {
  const token = await mintToken({ key, tenantId: TENANT, app: true, appId: APP_ID, roles: ['IndustryData.ReadBasic.All'] });
  const p = await verifier.verify(bearer(token));
  assert.equal(p.kind, 'application');
  assert.equal(p.appId, APP_ID);
  assert.deepEqual([...p.roles], ['IndustryData.ReadBasic.All']);
  assert.equal(p.scopes.size, 0);
  assert.equal(p.wids.size, 0);

  const bare = await verifier.verify(bearer(await mintToken({ key, tenantId: TENANT, app: true })));
  assert.equal(bare.kind, 'application', 'idtyp app without roles is still an application');
  assert.equal(bare.roles.size, 0);
});

test('a v2.0 token verifies', async () => {
  const token = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], version: '2.0', appId: APP_ID });
  const p = await verifier.verify(bearer(token));
  assert.equal(p.kind, 'delegated');
  assert.equal(p.appId, APP_ID, 'azp is the app id of a v2.0 token');
  assert.equal(p.tenantId, TENANT);
});

test('the Bearer scheme is case-insensitive and surrounding spaces are ignored', async () => {
  const token = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] });
  const fresh = createVerifier({ mode: 'local', key });
  assert.equal((await fresh.verify(`bearer ${token}`)).tenantId, TENANT);
  assert.equal((await fresh.verify(`  BEARER   ${token}  `)).tenantId, TENANT);
});

test('missing or empty tokens: Access token is empty.', async () => {
  for (const header of [undefined, '', '   ', 'Bearer', 'Bearer ', 'bearer    ']) {
    await rejects401(verifier.verify(header), MESSAGES.empty);
  }
});

test('other schemes and malformed tokens: CompactToken parsing failed', async () => {
  const token = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] });
  const cases = [
    `Basic ${Buffer.from('user:pass').toString('base64')}`,
    `Token ${token}`,
    token, // no scheme at all
    'Bearer garbage',
    'Bearer a.b.c',
    'Bearer eyJhbGciOiJSUzI1NiJ9.e30', // two parts
    `Bearer ${token}.extra.parts`, // five parts (JWE shape)
    `Bearer ${token} ${token}`,
    `Bearer ${token.replace('.', '.!')}`,
    `Bearer ${Buffer.from('not json').toString('base64url')}.e30.c2ln`, // header is not JSON
    `Bearer ${Buffer.from('[1]').toString('base64url')}.e30.c2ln`, // header is not an object
  ];
  for (const header of cases) await rejects401(verifier.verify(header), MESSAGES.malformed);
});

test('expired, and not yet valid: Access token has expired or is not yet valid.', async () => {
  const issued = new Date('2031-05-01T12:00:00Z').getTime();
  let now = issued;
  const v = createVerifier({ mode: 'local', key, clock: () => now });
  const token = bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], lifetimeSeconds: 60, now: new Date(issued) }));

  now = issued + (60 + 300) * 1000 - 1000; // still within the 5-minute clock tolerance
  assert.equal((await createVerifier({ mode: 'local', key, clock: () => now }).verify(token)).tenantId, TENANT);
  now = issued + (60 + 300) * 1000;
  await rejects401(v.verify(token), MESSAGES.expired);
  await rejects401(createVerifier({ mode: 'local', key, clock: () => now, clockToleranceSeconds: 0 }).verify(token), MESSAGES.expired);

  const future = bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], now: new Date(issued + 3600_000) }));
  now = issued;
  await rejects401(v.verify(future), MESSAGES.expired);
  now = issued + 3600_000 - 299_000; // nbf within tolerance
  assert.equal((await v.verify(future)).tenantId, TENANT);
});

test('wrong audience', async () => {
  const token = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], audience: 'api://some-other-api' });
  await rejects401(verifier.verify(bearer(token)), MESSAGES.audience);
  await rejects401(verifier.verify(bearer(await signClaims(key, { ...v1Claims(), aud: undefined }))), MESSAGES.audience);
});

test('wrong issuer, and an issuer for another tenant than tid', async () => {
  await rejects401(verifier.verify(bearer(await signClaims(key, { ...v1Claims(), iss: 'https://evil.example/' }))), MESSAGES.issuer);
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), iss: `https://sts.windows.net/${OTHER_TENANT}/` }))),
    MESSAGES.issuer,
  );
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }))),
    MESSAGES.issuer,
  );
  await rejects401(verifier.verify(bearer(await signClaims(key, { ...v1Claims(), iss: undefined }))), MESSAGES.issuer);
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), iss: `https://sts.windows.net/${TENANT}` }))), // no trailing slash
    MESSAGES.issuer,
  );
});

test('a token signed by another key', async () => {
  const foreign = await mintToken({ key: otherKey, tenantId: TENANT, scopes: ['User.Read'] });
  await rejects401(verifier.verify(bearer(foreign)), MESSAGES.unknownKey);
  // Same kid as the local key, other key's signature.
  const forged = await signClaims(otherKey, v1Claims(), { kid: key.kid });
  await rejects401(verifier.verify(bearer(forged)), MESSAGES.signature);
  // A valid token whose payload was changed after signing.
  const genuine = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] });
  const [h, , s] = genuine.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...v1Claims(), scp: 'RoleManagementAlert.ReadWrite.Directory' })).toString('base64url')}.${s}`;
  await rejects401(verifier.verify(bearer(tampered)), MESSAGES.signature);
});

test('alg none and HMAC tokens are refused', async () => {
  await rejects401(verifier.verify(bearer(handBuilt({ alg: 'none', typ: 'JWT' }, v1Claims()))), MESSAGES.algorithm);
  await rejects401(verifier.verify(bearer(handBuilt({ alg: 'none', kid: key.kid }, v1Claims(), 'c2ln'))), MESSAGES.algorithm);
  await rejects401(verifier.verify(bearer(handBuilt({ typ: 'JWT' }, v1Claims(), 'c2ln'))), MESSAGES.algorithm);
  const secret = new TextEncoder().encode('a-shared-secret-that-is-long-enough-for-hs256');
  const hs256 = await new SignJWT(v1Claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid }).sign(secret);
  await rejects401(verifier.verify(bearer(hs256)), MESSAGES.algorithm);
  // The classic confusion attack: HMAC keyed with the public key's bytes.
  const confused = await new SignJWT(v1Claims())
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
  await rejects401(verifier.verify(bearer(confused)), MESSAGES.algorithm);
});

test('tid missing or not a GUID, exp missing, no scp nor roles', async () => {
  await rejects401(verifier.verify(bearer(await signClaims(key, { ...v1Claims(), tid: undefined }))), MESSAGES.noTenant);
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), tid: 'contoso', iss: 'https://sts.windows.net/contoso/' }))),
    MESSAGES.badTenant,
  );
  await rejects401(verifier.verify(bearer(await signClaims(key, { ...v1Claims(), exp: undefined }))), MESSAGES.noExpiry);
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), scp: undefined }))),
    'Either scp or roles claim need to be present in the token.',
  );
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), oid: 'not-a-guid' }))),
    'Access token validation failure. Invalid object id (oid).',
  );
  await rejects401(
    verifier.verify(bearer(await signClaims(key, { ...v1Claims(), wids: ['Global Administrator'] }))),
    'Access token validation failure. Invalid wids claim.',
  );
});

test('a configured issuer may contain {tenantid}; it replaces the Entra defaults', async () => {
  const v = createVerifier({ mode: 'local', key, issuer: ['https://issuer.example/{tenantid}/', 'https://static.example/'] });
  const ok = await signClaims(key, { ...v1Claims(), iss: `https://issuer.example/${TENANT}/` });
  assert.equal((await v.verify(bearer(ok))).tenantId, TENANT);
  const fixed = await signClaims(key, { ...v1Claims(), iss: 'https://static.example/' });
  assert.equal((await v.verify(bearer(fixed))).tenantId, TENANT);
  const otherTid = await signClaims(key, { ...v1Claims(), iss: `https://issuer.example/${OTHER_TENANT}/` });
  await rejects401(v.verify(bearer(otherTid)), MESSAGES.issuer);
  await rejects401(v.verify(bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] }))), MESSAGES.issuer);

  const upper = createVerifier({ mode: 'local', key, issuer: 'https://issuer.example/{TenantId}/' });
  assert.equal((await upper.verify(bearer(ok))).tenantId, TENANT);
});

test('a configured audience replaces the Graph defaults', async () => {
  const v = createVerifier({ mode: 'local', key, audience: 'api://graph-lro' });
  const mine = await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], audience: 'api://graph-lro' });
  assert.equal((await v.verify(bearer(mine))).tenantId, TENANT);
  await rejects401(v.verify(bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] }))), MESSAGES.audience);
  // Both Graph audiences are accepted by default.
  for (const audience of ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000']) {
    assert.equal((await verifier.verify(bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], audience })))).tenantId, TENANT);
  }
});

test('invalid configuration is refused when the verifier is created', async () => {
  assert.throws(() => createVerifier({ mode: 'local', key: { kty: 'RSA', n: 'x', e: 'AQAB', d: 'secret' } }), /public key/);
  assert.throws(() => createVerifier({ mode: 'local', key, audience: [] }), /audience/);
  assert.throws(() => createVerifier({ mode: 'local', key, issuer: '' }), /issuer/);
  assert.throws(() => createVerifier({ mode: 'jwks', jwksUrl: 'https://example.test/keys', audience: undefined as unknown as string }), /audience/);
  assert.throws(() => createVerifier({ mode: 'local', key, cacheSize: -1 }), /cacheSize/);
});

test('a verified token is cached until it expires', async () => {
  const issued = new Date('2031-05-01T12:00:00Z').getTime();
  let now = issued;
  const v = createVerifier({ mode: 'local', key, clock: () => now });
  const header = bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'], lifetimeSeconds: 60, now: new Date(issued) }));

  assert.equal(v.cached(header), undefined);
  const first = await v.verify(header);
  assert.equal(v.cacheSize, 1);
  assert.equal(await v.verify(header), first, 'a cache hit returns the same principal');
  assert.equal(v.cached(header), first, 'and is available synchronously');
  assert.equal(v.cached(undefined), undefined);

  now = issued + 359_000; // exp + tolerance - 1 s
  assert.equal(await v.verify(header), first);
  now = issued + 360_000;
  assert.equal(v.cached(header), undefined, 'an expired entry is not served');
  await rejects401(v.verify(header), MESSAGES.expired);
  assert.equal(v.cacheSize, 0);
  await rejects401(v.verify(header), MESSAGES.expired);

  const uncached = createVerifier({ mode: 'local', key, clock: () => issued, cacheSize: 0 });
  assert.notEqual(await uncached.verify(header), await uncached.verify(header), 'without a cache every call verifies afresh');
  assert.equal(uncached.cacheSize, 0);
});

test('the cache is bounded and evicts the oldest entry', async () => {
  const v = createVerifier({ mode: 'local', key, cacheSize: 2 });
  const headers = await Promise.all([1, 2, 3].map(async () => bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] }))));
  for (const h of headers) await v.verify(h);
  assert.equal(v.cacheSize, 2);
  assert.equal(v.cached(headers[0]), undefined);
  assert.ok(v.cached(headers[1]));
  assert.ok(v.cached(headers[2]));
  v.clearCache();
  assert.equal(v.cacheSize, 0);
});

test('failures are not cached; concurrent first requests share one verification', async () => {
  const v = createVerifier({ mode: 'local', key });
  const bad = bearer(await mintToken({ key: otherKey, tenantId: TENANT, scopes: ['User.Read'] }));
  await rejects401(v.verify(bad), MESSAGES.unknownKey);
  assert.equal(v.cacheSize, 0);
  await rejects401(v.verify(bad), MESSAGES.unknownKey);

  const header = bearer(await mintToken({ key, tenantId: TENANT, scopes: ['User.Read'] }));
  const all = await Promise.all(Array.from({ length: 5 }, () => v.verify(header)));
  for (const p of all) assert.equal(p, all[0]);
  assert.equal(v.cacheSize, 1);
});
