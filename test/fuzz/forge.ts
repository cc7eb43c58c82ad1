// Tokens an attacker can make, signed synchronously so that generators stay pure: the server's
// own key over hostile claims, another RSA key under the server's kid, HMAC keyed with the public
// key (key confusion), `alg: none`, and tampering with a genuine token's parts.
import { createHmac, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import type { SigningKey } from '../../src/auth/index.js';

export interface Forger {
  kid: string;
  publicPem: string;
  publicJwk: Record<string, unknown>;
  /** header.payload.signature with the chosen signer. */
  token(header: Record<string, unknown>, claims: Record<string, unknown>, signer: 'real' | 'other' | 'hmac-pem' | 'hmac-jwk' | 'none'): string;
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function forger(key: SigningKey): Forger {
  const real = KeyObject.from(key.privateKey);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicPem = KeyObject.from(key.publicKey).export({ type: 'spki', format: 'pem' }).toString();
  const publicJwk = { ...key.publicJwk };
  return {
    kid: key.kid,
    publicPem,
    publicJwk,
    token(header, claims, signer) {
      const input = `${b64(header)}.${b64(claims)}`;
      const signature =
        signer === 'real' ? sign('sha256', Buffer.from(input), real)
        : signer === 'other' ? sign('sha256', Buffer.from(input), other)
        : signer === 'hmac-pem' ? createHmac('sha256', publicPem).update(input).digest()
        : signer === 'hmac-jwk' ? createHmac('sha256', JSON.stringify(publicJwk)).update(input).digest()
        : Buffer.alloc(0);
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}
