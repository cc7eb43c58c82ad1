// The local certificate authority behind `serve --tls`: a CA (ECDSA P-256 key and self-signed
// certificate) made once in `<dataDir>/tls/`, and a leaf certificate it signs for the host names
// the server is reached by (localhost, 127.0.0.1 and ::1 at least). A client trusts the CA once
// (NODE_EXTRA_CA_CERTS=<dataDir>/tls/ca.pem, curl --cacert) and every leaf after it.
//
//   ca-key.pem   the CA's private key (PKCS#8, 0600): whoever reads it can sign for any name
//   ca.pem       the CA's certificate, the one file clients are given
//   key.pem      the leaf's private key (PKCS#8, 0600)
//   cert.pem     the leaf's certificate
//
// Later starts reuse all four. The leaf is made anew when it is missing, unreadable, near its end
// (RENEW_BEFORE_MS), not signed by the CA on disk, or made for other host names; the CA only when
// its key is missing or it nears its own end (clients must then trust the new one).
//
// Several processes may start at once on one data directory. The CA key is created as the
// signing key is (auth/keys.ts): written whole to a temporary file and `link`ed into place, so one
// key wins and everyone reads that one. Certificates are replaced by `rename`: a reader sees a
// whole old file or a whole new one. The leaf's two files are replaced one after the other, so a
// reader can see a key and a certificate of different generations; it takes that pair for stale
// and makes its own. What a process serves is always the pair it read or made, never a mix.
import { createHash, createPrivateKey, createPublicKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { isIP, isIPv6 } from 'node:net';
import { join } from 'node:path';

export const CA_LIFETIME_MS = 10 * 365 * 86_400_000;
/** Within Apple's 398-day limit for TLS server certificates, which macOS applies to local CAs too. */
export const LEAF_LIFETIME_MS = 397 * 86_400_000;
/** A certificate with less than this left is made anew at start. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;
/** What every generated leaf covers. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { ...EC, hash: 'SHA-256' } as const;
/** Certificates start an hour back: a client whose clock is a little behind still accepts them. */
const BACKDATE_MS = 3_600_000;

export interface LocalTlsFiles {
  dir: string;
  caFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

export interface LocalTls {
  /** The leaf's key and certificate (PEM), as served. */
  key: string;
  cert: string;
  /** The CA's certificate (PEM). */
  ca: string;
  files: LocalTlsFiles;
  /** The names the leaf covers, in the order asked. */
  hosts: string[];
  notAfter: Date;
  /** What this start made: a new CA (clients must trust it anew) and/or a new leaf. */
  made: { ca: boolean; leaf: boolean };
}

/** A problem with TLS configuration or files, told to the user as it is (no stack). */
export class TlsError extends Error {
  override readonly name = 'TlsError';
}

export function localTlsFiles(dataDir: string): LocalTlsFiles {
  const dir = join(dataDir, 'tls');
  return { dir, caFile: join(dir, 'ca.pem'), caKeyFile: join(dir, 'ca-key.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

/**
 * A host name or IP address as it is compared with a certificate's subjectAltName: lower case,
 * IPv6 compressed; throws TlsError for anything else (a URL, a port, spaces).
 */
export function canonicalHost(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIPv6(h)) return new URL(`http://[${h}]`).hostname.slice(1, -1);
  if (isIP(h)) return h;
  const name = h.toLowerCase().replace(/\.$/, '');
  if (name.length > 253 || !/^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)) {
    throw new TlsError(`"${host}" is not a host name or an IP address a certificate can be made for.`);
  }
  return name;
}

/** Reads the CA and the leaf under `<dataDir>/tls`, making what is missing or stale (see above). */
export async function loadOrCreateLocalTls(dataDir: string, hosts: readonly string[] = LOOPBACK_HOSTS, now = new Date()): Promise<LocalTls> {
  const files = localTlsFiles(dataDir);
  const asked = [...new Set([...LOOPBACK_HOSTS, ...hosts].map(canonicalHost))];
  await mkdir(files.dir, { recursive: true, mode: 0o700 });

  const ca = await loadOrCreateCa(files, now);
  const current = await readLeaf(files, ca.cert, asked, now);
  if (current) return { ...current, ca: ca.pem, files, hosts: asked, made: { ca: ca.made, leaf: false } };

  const leaf = await makeLeaf(ca, asked, now);
  // Key first: a reader that finds the new key with the old certificate makes its own pair.
  await replace(files.keyFile, leaf.key, 0o600);
  await replace(files.certFile, leaf.cert, 0o644);
  return { ...leaf, ca: ca.pem, files, hosts: asked, made: { ca: ca.made, leaf: true } };
}

interface Ca {
  key: KeyObject;
  cert: X509Certificate;
  pem: string;
  made: boolean;
}

async function loadOrCreateCa(files: LocalTlsFiles, now: Date): Promise<Ca> {
  let keyPem = await readIfExists(files.caKeyFile);
  if (keyPem === undefined) {
    await createExclusive(files.caKeyFile, await newKeyPem(), 0o600);
    keyPem = await readIfExists(files.caKeyFile);
    if (keyPem === undefined) throw new TlsError(`${files.caKeyFile} vanished while it was being created.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new TlsError(`${files.caKeyFile} is not a PEM private key; remove the folder ${files.dir} to make a new local CA (clients must then trust its new ca.pem).`);
  }

  const existing = await readIfExists(files.caFile);
  const current = existing === undefined ? undefined : parseCertificate(existing);
  if (existing !== undefined && current?.checkPrivateKey(key) && remaining(current, now) > RENEW_BEFORE_MS) {
    return { key, cert: current, pem: existing, made: false };
  }
  const made = await makeCaCertificate(key, now);
  // A first start's certificate is placed as the key is, so that processes starting together
  // all sign with the certificate that stays; one to be replaced is replaced whole.
  if (existing === undefined) await createExclusive(files.caFile, made, 0o644);
  else await replace(files.caFile, made, 0o644);
  const pem = await readIfExists(files.caFile);
  const cert = pem === undefined ? undefined : parseCertificate(pem);
  if (pem === undefined || !cert?.checkPrivateKey(key)) throw new TlsError(`${files.caFile} changed while it was being made; start again.`);
  return { key, cert, pem, made: pem !== existing };
}

/** The leaf on disk when it can be served as it is. */
async function readLeaf(files: LocalTlsFiles, ca: X509Certificate, asked: readonly string[], now: Date): Promise<{ key: string; cert: string; notAfter: Date } | undefined> {
  const [key, cert] = await Promise.all([readIfExists(files.keyFile), readIfExists(files.certFile)]);
  if (key === undefined || cert === undefined) return undefined;
  const parsed = parseCertificate(cert);
  if (!parsed) return undefined;
  try {
    if (!parsed.checkPrivateKey(createPrivateKey(key))) return undefined;
  } catch {
    return undefined;
  }
  if (!parsed.checkIssued(ca) || !parsed.verify(ca.publicKey)) return undefined;
  if (Date.parse(parsed.validFrom) > now.getTime() || remaining(parsed, now) <= RENEW_BEFORE_MS) return undefined;
  const covered = subjectAltNames(parsed);
  if (covered.length !== asked.length || !asked.every((h) => covered.includes(h))) return undefined;
  return { key, cert, notAfter: new Date(parsed.validTo) };
}

/** The DNS names and IP addresses of a certificate's subjectAltName, canonical. */
export function subjectAltNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):(.+)$/.exec(entry);
    if (!m) continue;
    try {
      names.push(canonicalHost(m[2]!));
    } catch {
      names.push(m[2]!); // kept as is: it matches no asked name, so the leaf is made anew
    }
  }
  return names;
}

// --- making keys and certificates (@peculiar/x509 over WebCrypto, loaded only when needed) ------

type X509Lib = typeof import('@peculiar/x509');
let lib: Promise<X509Lib> | undefined;

function x509(): Promise<X509Lib> {
  lib ??= (async () => {
    // @peculiar/x509 (its tsyringe) needs the Reflect metadata API.
    await import('reflect-metadata');
    const x = await import('@peculiar/x509');
    x.cryptoProvider.set(webcrypto as unknown as Crypto);
    return x;
  })();
  return lib;
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function newKeyPem(): Promise<string> {
  return pemOf((await newKeyPair()).privateKey);
}

function pemOf(key: CryptoKey): string {
  return KeyObject.from(key as webcrypto.CryptoKey)
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** The CryptoKey pair of an EC P-256 private key (the public half derived from it). */
async function cryptoPair(key: KeyObject): Promise<CryptoKeyPair> {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TlsError('The local CA key is not an ECDSA P-256 key; remove the tls folder of the data directory to make a new local CA.');
  }
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', pkcs8, EC, false, ['sign']),
    webcrypto.subtle.importKey('spki', spki, EC, true, ['verify']),
  ]);
  return { privateKey, publicKey } as CryptoKeyPair;
}

/** A positive, non-zero 128-bit serial number in hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function makeCaCertificate(key: KeyObject, now: Date): Promise<string> {
  const x = await x509();
  const keys = await cryptoPair(key);
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const cert = await x.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    // A name of its own, so that installations' CAs can be told apart where they are trusted, and
    // the key's: every certificate ever made for this key (a renewal, two processes' at once) has
    // the same name and key, so a leaf it signed chains to any of them.
    name: `CN=graph-lro local CA ${createHash('sha256').update(spki).digest('hex').slice(0, 12)}, O=graph-lro`,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_LIFETIME_MS),
    signingAlgorithm: SIGNING,
    keys,
    extensions: [
      new x.BasicConstraintsExtension(true, 0, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign, true),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

async function makeLeaf(ca: Ca, hosts: readonly string[], now: Date): Promise<{ key: string; cert: string; notAfter: Date }> {
  const x = await x509();
  const caKeys = await cryptoPair(ca.key);
  const keys = await newKeyPair();
  const notAfter = new Date(Math.min(now.getTime() + LEAF_LIFETIME_MS, Date.parse(ca.cert.validTo)));
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${hosts.includes('localhost') ? 'localhost' : hosts[0]!}, O=graph-lro`,
    // The CA's name as its certificate encodes it, so that the chain links byte for byte.
    issuer: new x.X509Certificate(ca.pem).subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter,
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x.BasicConstraintsExtension(false, undefined, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature, true),
      new x.ExtendedKeyUsageExtension([x.ExtendedKeyUsage.serverAuth]),
      new x.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }))),
      await x.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = cert.toString('pem') + '\n';
  return { key: pemOf(keys.privateKey), cert: pem, notAfter: new Date(new X509Certificate(pem).validTo) };
}

// --- files ----------------------------------------------------------------------------------------

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

const remaining = (cert: X509Certificate, now: Date) => Date.parse(cert.validTo) - now.getTime();

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeTemp(path: string, data: string, mode: number): Promise<string> {
  const tmp = `${path}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  return tmp;
}

/** Puts `data` at `path` unless a file is there already; whether this call's data won. */
async function createExclusive(path: string, data: string, mode: number): Promise<boolean> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Replaces the file at `path` whole: readers see the old content or the new, never a part. */
async function replace(path: string, data: string, mode: number): Promise<void> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
