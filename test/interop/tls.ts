// An HTTPS front for the test server: the Graph JS client attaches the bearer token only to
// https:// URLs of Graph hosts or of its customHosts (AuthenticationHandler → isValidEndpoint),
// so it is pointed at https://localhost:<port>, which this proxy forwards to the service over
// loopback HTTP with X-Forwarded-Proto/Host (the server runs with trustProxy). The certificate is
// made for the run by a local CA of its own, as `serve --tls` makes one (test/http/tls.test.ts and
// tls.test.ts here show the service serving HTTPS itself).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@microsoft/microsoft-graph-client';
import { loadOrCreateLocalTls } from '../../src/http/localCa.js';

export interface TlsFront {
  url: string;
  /** The certificate authority (PEM) that signed the front's certificate, for clients that take one. */
  ca: string;
  close(): Promise<void>;
}

export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-tls-'));
  const { key, cert, ca } = await loadOrCreateLocalTls(dir);
  const upstream = new URL(target);
  const server = https.createServer({ key, cert }, (req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': req.headers.host ?? '' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    ca,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Graph JS client as its users set it up against a host of their own: beta, this token, the front. */
export function graphClient(front: TlsFront, token: string): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: async () => token },
    baseUrl: front.url,
    defaultVersion: 'beta',
    customHosts: new Set(['localhost']),
  });
}
