// What the server serves HTTPS with: the local CA's leaf (localCa.ts), or the user's own
// certificate and key, read and checked here so that a wrong file stops the start with a sentence
// that names it (TlsError), not with a stack from deep inside node's TLS.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { canonicalHost, LOOPBACK_HOSTS, loadOrCreateLocalTls, TlsError } from './localCa.js';

export { TlsError } from './localCa.js';

export type TlsConfig =
  /** The local CA's leaf for the loopback names and these (made or reused in `<dataDir>/tls`). */
  | { local: true; hosts?: readonly string[] }
  /** The user's own PEM files; the certificate file may carry its chain after it. */
  | { local?: false; certFile: string; keyFile: string };

/** What the server serves with, and what to tell its user. */
export interface ServedTls {
  key: string;
  cert: string;
  certFile: string;
  keyFile: string;
  /** The local CA's certificate, for clients to trust (absent with the user's own files). */
  caFile?: string;
  /** The names a generated leaf covers. */
  hosts?: string[];
  notAfter: Date;
  /** This start made a new local CA: clients that trusted an earlier one must trust this one. */
  newCa?: boolean;
}

/** Loads (or, for the local CA, makes) what `config` asks for. Throws TlsError for bad files. */
export async function loadTls(config: TlsConfig, dataDir: string): Promise<ServedTls> {
  if (config.local) {
    const local = await loadOrCreateLocalTls(dataDir, config.hosts ?? LOOPBACK_HOSTS);
    const { files } = local;
    return { key: local.key, cert: local.cert, certFile: files.certFile, keyFile: files.keyFile, caFile: files.caFile, hosts: local.hosts, notAfter: local.notAfter, newCa: local.made.ca };
  }
  return loadTlsFiles(config.certFile, config.keyFile);
}

/** The user's certificate and key, checked: readable, PEM, and one the key of the other. */
export function loadTlsFiles(certFile: string, keyFile: string): ServedTls {
  const certPath = resolve(certFile);
  const keyPath = resolve(keyFile);
  const cert = readPem(certPath, '--tls-cert');
  const key = readPem(keyPath, '--tls-key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsError(`--tls-cert ${certPath} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----).`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    const encrypted = /ENCRYPTED|passphrase/i.test(key) || /passphrase/i.test(String(err));
    throw new TlsError(
      encrypted
        ? `--tls-key ${keyPath} is encrypted; give the key without a passphrase (e.g. openssl pkey -in encrypted.pem -out key.pem).`
        : `--tls-key ${keyPath} holds no PEM private key (expected -----BEGIN PRIVATE KEY----- or a PKCS#1/SEC1 key).`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsError(`--tls-key ${keyPath} does not match the certificate in --tls-cert ${certPath} (they are not one pair).`);
  }
  try {
    createSecureContext({ key, cert });
  } catch (err) {
    throw new TlsError(`--tls-cert ${certPath} with --tls-key ${keyPath} cannot be served: ${err instanceof Error ? err.message : String(err)}.`);
  }
  return { key, cert, certFile: certPath, keyFile: keyPath, notAfter: new Date(x509.validTo) };
}

/**
 * The names the local leaf is made for beyond the loopback ones: the address listened on when it
 * is a specific one, the public URL's host, and any asked for.
 */
export function localTlsHosts(options: { host?: string; publicUrl?: string; hosts?: readonly string[] }): string[] {
  const hosts = [...LOOPBACK_HOSTS];
  if (options.host && !['0.0.0.0', '::', ''].includes(options.host)) hosts.push(options.host);
  if (options.publicUrl) {
    try {
      hosts.push(new URL(options.publicUrl).hostname);
    } catch {
      // not a URL: the server says so where it reads it
    }
  }
  hosts.push(...(options.hosts ?? []));
  return [...new Set(hosts.map(canonicalHost))];
}

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? String(err));
    throw new TlsError(`${flag} ${path} cannot be read: ${why}.`);
  }
}
