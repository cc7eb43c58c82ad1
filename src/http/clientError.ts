// Errors of node's HTTP parser and its timeouts (a malformed request, headers over the size limit,
// a request not received in time) come before Fastify has a request: they are answered here, on
// the raw socket, as Graph error bodies (Azure XML under the blob endpoint), with no body after
// HEAD; then the connection closes, since the parser cannot resume where it stopped.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { errorXml } from '../families/industryData/blob/xml.js';
import { BLOB_PREFIX } from '../families/industryData/model.js';
import { errorBody, GraphError } from '../graph/errors.js';
import { clientRequestId } from './headers.js';

interface ParserError extends Error {
  code?: string;
  /** The bytes node was parsing when it failed (a Buffer despite Fastify's typing). */
  rawPacket?: unknown;
}

interface Refusal {
  status: number;
  graph: string;
  azure: string;
  message: string;
}

function refusal(err: ParserError): Refusal {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, graph: 'RequestTimeout', azure: 'OperationTimedOut', message: 'The request was not received within the time the server allows.' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, graph: 'RequestHeaderFieldsTooLarge', azure: 'RequestHeaderFieldsTooLarge', message: 'The request line and headers are larger than the server accepts.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, graph: 'RequestEntityTooLarge', azure: 'RequestBodyTooLarge', message: 'The chunk extensions of the request body are larger than the server accepts.' };
    default:
      return { status: 400, graph: 'BadRequest', azure: 'InvalidInput', message: 'The request is not valid HTTP/1.1 and could not be parsed.' };
  }
}

type RequestHead = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

/** Method, URL and headers as far as they are known: the request in flight, else the failed packet's request line. */
function requestOf(err: ParserError, inFlight: ServerResponse | undefined): RequestHead | undefined {
  if (inFlight) return inFlight.req;
  if (!Buffer.isBuffer(err.rawPacket)) return undefined;
  const line = /^([A-Z]+) (\/[^ \r\n]*)/.exec(err.rawPacket.toString('latin1', 0, Math.min(err.rawPacket.length, 16_384)));
  return line ? { method: line[1], url: line[2], headers: {} } : undefined;
}

function response(err: ParserError, request: RequestHead | undefined): string {
  const { status, graph, azure, message } = refusal(err);
  const requestId = randomUUID();
  const path = request?.url?.split('?', 1)[0] ?? '';
  const blob = path.startsWith(`${BLOB_PREFIX}/`);
  const headers: Record<string, string> = blob
    ? { 'content-type': 'application/xml', 'x-ms-request-id': requestId, 'x-ms-error-code': azure }
    : { 'content-type': 'application/json', 'request-id': requestId, 'client-request-id': clientRequestId(request?.headers['client-request-id'], requestId), 'cache-control': 'no-store' };
  const body = blob ? errorXml(azure, message, requestId) : JSON.stringify(errorBody(new GraphError(status, graph, message), requestId, headers['client-request-id']!));
  headers['content-length'] = String(Buffer.byteLength(body));
  headers.connection = 'close';
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return `${head}\r\n\r\n${request?.method === 'HEAD' ? '' : body}`;
}

/** Fastify's `clientErrorHandler`. */
export function clientErrorHandler(err: ParserError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // The response in flight, if any: node's own clientError fallback reads the same field.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  // Once a response has begun, another status line would corrupt it: only closing is left.
  if (socket.writable && !inFlight?.headersSent) socket.write(response(err, requestOf(err, inFlight)));
  socket.destroy();
}
