// Errors of node's HTTP parser and its timeouts (a malformed request, headers over the size limit,
// a request not received in time) come before Fastify has a request: they are answered here, on
// the raw socket, as Graph error bodies (or in the shape of a family's own endpoint), with no
// body after HEAD; then the connection closes, since the parser cannot resume where it stopped.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Refusal } from '../families/family.js';
import type { Refuse, RefusedRequest } from './refusals.js';
import { rawResponse } from './refusals.js';

interface ParserError extends Error {
  code?: string;
  /** The bytes node was parsing when it failed (a Buffer despite Fastify's typing). */
  rawPacket?: unknown;
}

function refusalOf(err: ParserError): Refusal {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'timeout';
    case 'HPE_HEADER_OVERFLOW':
      return 'headersTooLarge';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'chunkExtensionsTooLarge';
    default:
      return 'malformed';
  }
}

/** Method, URL and headers as far as they are known: the request in flight, else the failed packet's request line. */
function requestOf(err: ParserError, inFlight: ServerResponse | undefined): RefusedRequest | undefined {
  if (inFlight) return inFlight.req;
  if (!Buffer.isBuffer(err.rawPacket)) return undefined;
  const line = /^([A-Z]+) (\/[^ \r\n]*)/.exec(err.rawPacket.toString('latin1', 0, Math.min(err.rawPacket.length, 16_384)));
  return line ? { method: line[1], url: line[2], headers: {} } : undefined;
}

/** Fastify's `clientErrorHandler`. */
export function clientErrorHandler(refuse: Refuse) {
  return (err: ParserError, socket: Socket): void => {
    // A reset connection has nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // The response in flight, if any: node's own clientError fallback reads the same field.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    // Once a response has begun, another status line would corrupt it: only closing is left.
    if (socket.writable && !inFlight?.headersSent) {
      const request = requestOf(err, inFlight);
      socket.write(rawResponse(refuse(refusalOf(err), request, randomUUID()), request?.method));
    }
    socket.destroy();
  };
}
