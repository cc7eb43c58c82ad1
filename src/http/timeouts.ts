// How long a client may take: slow or stalled clients are cut off, so none holds a connection (and
// what it pins: a parser, a body stream, a pooled COPY read) forever.
//
// node's requestTimeout counts until the request has been *received*, not answered: a
// `Prefer: wait=60` long-poll (a GET, no body) is received at once and waits as long as it likes.
// An upload is bounded by requestTimeout as a whole, so it stays generous; a client that stops
// sending or reading altogether is cut sooner by the idle timeout.
import type { ServerOptions } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import type { FastifyServerOptions } from 'fastify';

export interface HttpTimeouts {
  /** From a request's first byte (or the connection's) until its headers are complete. */
  headersMs: number;
  /** From a request's first byte until the whole request, body included, has arrived. */
  requestMs: number;
  /** A kept-alive connection with no request in flight is closed after this. */
  keepAliveMs: number;
  /**
   * A connection on which no byte moves either way for this long is closed, whatever it is doing.
   * Longer than the longest `Prefer: wait` (60 s), which is silent until it answers.
   */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  headersMs: 15_000,
  // node's default: a 512 MiB directory import needs 1.8 MB/s, a 1 GiB Put Blob 3.6 MB/s.
  requestMs: 300_000,
  // Longer than the 60 s idle timeout of common load balancers, so they close first (Fastify's default).
  keepAliveMs: 72_000,
  idleMs: 300_000,
};

/** A TLS server's private key and certificate (chain), PEM. */
export interface TlsKeyPair {
  key: string;
  cert: string;
}

/**
 * The Fastify options that apply `t` (node checks the header and request deadlines on an interval),
 * over HTTPS when `tls` is given: Fastify then builds an https.Server from `https` alone, so the
 * node options go there too, and the TLS handshake gets the headers' deadline.
 */
export function serverTimeouts(
  t: HttpTimeouts,
  tls?: TlsKeyPair,
): Pick<FastifyServerOptions, 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & { http: ServerOptions; https?: HttpsServerOptions } {
  if (t.headersMs > t.requestMs) throw new RangeError('The headers timeout cannot be longer than the request timeout.');
  // node checks these deadlines every connectionsCheckingInterval (30 s by default, as long as
  // the headers timeout itself): a tenth of the shorter one keeps them within 10 %.
  const http: ServerOptions = { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: Math.max(10, Math.floor(Math.min(t.headersMs, t.requestMs) / 10)) };
  return {
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    requestTimeout: t.requestMs,
    http,
    ...(tls ? { https: { ...http, handshakeTimeout: t.headersMs, key: tls.key, cert: tls.cert } } : {}),
  };
}
