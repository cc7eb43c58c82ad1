// HTTPS requests that trust exactly the certificate authority given (node's fetch takes no CA
// before node 23, and NODE_EXTRA_CA_CERTS is read only when a process starts): each on a new
// connection, with the server's certificate as it was presented.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { PeerCertificate } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
  /** The certificate the server presented. */
  peer: PeerCertificate;
}

export interface HttpsOptions {
  /** The CA to trust (PEM); none: node's bundled roots only. */
  ca?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export function httpsRequest(url: string, options: HttpsOptions = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, agent: false, rejectUnauthorized: true }, (res) => {
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T, peer });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JSON request with a bearer token. */
export function httpsJson(url: string, token: string, ca: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpsAnswer> {
  return httpsRequest(url, {
    ca,
    method: options.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}
