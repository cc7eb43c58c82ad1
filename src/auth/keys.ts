// The local signing key: an RS256 key pair kept in `<dataDir>/keys/signing-key.json` (a private
// JWK with a `kid`, mode 0600), created on first use so that a new installation can mint and
// verify tokens with no configuration.
//
// Creation is safe when several processes start at once on the same data directory: each one
// writes a complete key to its own temporary file and `link`s it into place. `link` fails when
// the target exists, so exactly one key wins, every process then reads that one, and no process
// can ever read a half-written file.
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALG = 'RS256';

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
}

export interface JsonWebKeySet {
  keys: JWK[];
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: typeof SIGNING_ALG;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public half, safe to publish (e.g. in a JWKS document). */
  readonly publicJwk: Readonly<PublicJwk>;
}

const PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export function signingKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'signing-key.json');
}

/** Reads `<dataDir>/keys/signing-key.json`, creating it (and the directory) if it does not exist. */
export async function loadOrCreateSigningKey(dataDir: string): Promise<SigningKey> {
  const path = signingKeyPath(dataDir);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const jwk = await newPrivateJwk();
  const tmp = join(dir, `.signing-key.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(jwk, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await link(tmp, path);
    } catch (err) {
      // Another process got there first: its key is complete (it was linked, not written in place).
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDirectory(dir);

  const key = await readKeyFile(path);
  if (!key) throw new Error(`${path} vanished while it was being created`);
  return key;
}

/** A fresh key that lives only in memory (tests, tools). */
export async function createSigningKey(): Promise<SigningKey> {
  return importPrivateJwk(await newPrivateJwk(), 'memory');
}

/** The JWKS document that publishes the public half of `keys`. */
export function jwks(...keys: SigningKey[]): JsonWebKeySet {
  return { keys: keys.map((k) => ({ ...k.publicJwk })) };
}

async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'sha256');
  return { kty: 'RSA', kid, alg: SIGNING_ALG, use: 'sig', ...pick(jwk) };
}

function pick(jwk: JWK): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const m of PRIVATE_MEMBERS) out[m] = jwk[m];
  return out;
}

async function readKeyFile(path: string): Promise<SigningKey | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalidKeyFile(path, 'it is not JSON');
  }
  return importPrivateJwk(jwk, path);
}

async function importPrivateJwk(jwk: unknown, source: string): Promise<SigningKey> {
  if (typeof jwk !== 'object' || jwk === null) throw invalidKeyFile(source, 'it is not a JSON object');
  const j = jwk as Record<string, unknown>;
  if (j.kty !== 'RSA') throw invalidKeyFile(source, 'kty is not RSA');
  if (typeof j.kid !== 'string' || j.kid === '') throw invalidKeyFile(source, 'it has no kid');
  for (const m of PRIVATE_MEMBERS) {
    if (typeof j[m] !== 'string' || j[m] === '') throw invalidKeyFile(source, `member "${m}" is missing`);
  }
  const n = j.n as string;
  const e = j.e as string;
  const privateKey = (await importJWK({ ...(j as JWK), alg: SIGNING_ALG, ext: false }, SIGNING_ALG)) as CryptoKey;
  const publicKey = (await importJWK({ kty: 'RSA', n, e }, SIGNING_ALG)) as CryptoKey;
  const publicJwk: PublicJwk = Object.freeze({ kty: 'RSA', n, e, kid: j.kid, alg: SIGNING_ALG, use: 'sig' });
  return Object.freeze({ kid: j.kid, alg: SIGNING_ALG, privateKey, publicKey, publicJwk });
}

function invalidKeyFile(source: string, why: string): Error {
  return new Error(`${source} is not a valid graph-lro signing key (${why}); move it away to create a new key`);
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the new link durable. Not every platform can open a directory; that is not fatal.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
