import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createVerifier, jwks, loadOrCreateSigningKey, mintToken, signingKeyPath } from '../../src/auth/index.js';
import { TENANT, tempDir } from './helpers.js';

const run = promisify(execFile);
const keysModule = new URL('../../src/auth/keys.js', import.meta.url).href;

test('the key is created once, mode 0600, and reused', async (t) => {
  const dataDir = await tempDir(t);
  const first = await loadOrCreateSigningKey(dataDir);
  const path = signingKeyPath(dataDir);
  assert.equal(path, join(dataDir, 'keys', 'signing-key.json'));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const text = await readFile(path, 'utf8');
  const stored = JSON.parse(text) as Record<string, unknown>;
  assert.equal(stored.kty, 'RSA');
  assert.equal(stored.kid, first.kid);
  assert.equal(typeof stored.d, 'string');

  const second = await loadOrCreateSigningKey(dataDir);
  assert.equal(second.kid, first.kid);
  assert.deepEqual(second.publicJwk, first.publicJwk);
  assert.equal(await readFile(path, 'utf8'), text, 'the file is not rewritten');
  assert.deepEqual(await readdir(join(dataDir, 'keys')), ['signing-key.json'], 'no temporary file is left');

  // The reloaded private key signs tokens the first key's public half accepts.
  const token = await mintToken({ key: second, tenantId: TENANT, scopes: ['User.Read'] });
  const principal = await createVerifier({ mode: 'local', key: first.publicJwk }).verify(`Bearer ${token}`);
  assert.equal(principal.tenantId, TENANT);
});

test('the public JWK and the JWKS carry no private member', async (t) => {
  const key = await loadOrCreateSigningKey(await tempDir(t));
  assert.deepEqual(Object.keys(key.publicJwk).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  const doc = jwks(key);
  assert.equal(doc.keys.length, 1);
  assert.equal(doc.keys[0]?.kid, key.kid);
  for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(m in doc.keys[0]!, false, m);
});

test('concurrent creation in one process ends with one key', async (t) => {
  const dataDir = await tempDir(t);
  const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSigningKey(dataDir)));
  assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
  assert.deepEqual(await readdir(join(dataDir, 'keys')), ['signing-key.json']);
});

test('concurrent creation in several processes ends with one identical key', async (t) => {
  const dataDir = await tempDir(t);
  const startAt = Date.now() + 1500; // every child starts creating at the same instant
  const script = `
    const { loadOrCreateSigningKey } = await import(${JSON.stringify(keysModule)});
    const { readFile } = await import('node:fs/promises');
    await new Promise((r) => setTimeout(r, Math.max(0, ${startAt} - Date.now())));
    const key = await loadOrCreateSigningKey(process.argv[1]);
    const file = await readFile(process.argv[1] + '/keys/signing-key.json', 'utf8');
    process.stdout.write(JSON.stringify({ kid: key.kid, n: key.publicJwk.n, file }));
  `;
  const children = Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', script, dataDir]));
  const results = (await Promise.all(children)).map((r) => JSON.parse(r.stdout) as { kid: string; n: string; file: string });
  assert.equal(results.length, 6);
  assert.equal(new Set(results.map((r) => r.kid)).size, 1, 'every process has the same key');
  assert.equal(new Set(results.map((r) => r.n)).size, 1);
  assert.equal(new Set(results.map((r) => r.file)).size, 1);
  const final = await readFile(signingKeyPath(dataDir), 'utf8');
  assert.equal(results[0]?.file, final);
  assert.equal((JSON.parse(final) as { kid: string }).kid, results[0]?.kid);
  assert.deepEqual(await readdir(join(dataDir, 'keys')), ['signing-key.json'], 'no temporary file is left');
});

test('a damaged key file is reported, never silently replaced', async (t) => {
  const dataDir = await tempDir(t);
  await mkdir(join(dataDir, 'keys'));
  await writeFile(signingKeyPath(dataDir), '{"kty":"RSA","n":"abc"', { mode: 0o600 });
  await assert.rejects(loadOrCreateSigningKey(dataDir), /not a valid graph-lro signing key \(it is not JSON\)/);
  await writeFile(signingKeyPath(dataDir), '{"kty":"RSA","kid":"x","n":"abc","e":"AQAB"}', { mode: 0o600 });
  await assert.rejects(loadOrCreateSigningKey(dataDir), /member "d" is missing/);
  assert.equal(await readFile(signingKeyPath(dataDir), 'utf8'), '{"kty":"RSA","kid":"x","n":"abc","e":"AQAB"}');
});
