// Requests refused before any route runs (by node's parser, Fastify's router, the CORS preflight
// check, or for a method node has no request for) are answered here: a Graph error, or under a
// family's own endpoint (the blob endpoint) in that endpoint's shape.
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Family } from '../families/index.js';
import type { OwnEndpoint, RawAnswer, Refusal } from '../families/family.js';
import { errorBody, GraphError } from '../errors.js';
import { clientRequestId } from './headers.js';

const GRAPH: Record<Refusal, { status: number; code: string; message: string }> = {
  malformed: { status: 400, code: 'BadRequest', message: 'The request is not valid HTTP/1.1 and could not be parsed.' },
  timeout: { status: 408, code: 'RequestTimeout', message: 'The request was not received within the time the server allows.' },
  headersTooLarge: { status: 431, code: 'RequestHeaderFieldsTooLarge', message: 'The request line and headers are larger than the server accepts.' },
  chunkExtensionsTooLarge: { status: 413, code: 'RequestEntityTooLarge', message: 'The chunk extensions of the request body are larger than the server accepts.' },
  badUri: { status: 400, code: 'BadRequest', message: 'The request URL is not valid: a percent-encoding in its path does not decode to UTF-8.' },
  segmentTooLong: { status: 400, code: 'BadRequest', message: 'The request URL is not valid: a segment of its path is longer than the 512 characters the service accepts.' },
  method: { status: 405, code: 'MethodNotAllowed', message: 'The HTTP method is not allowed on this service.' },
  notPreflight: {
    status: 405,
    code: 'MethodNotAllowed',
    message: "The HTTP method 'OPTIONS' is allowed only as a CORS preflight request, with the headers Origin and Access-Control-Request-Method.",
  },
};

/** What is known of a refused request: the parser may have read only its request line, or nothing. */
export interface RefusedRequest {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

export type Refuse = (refusal: Refusal, request: RefusedRequest | undefined, requestId: string) => RawAnswer;

/** The family endpoint `url` is under, if any. */
export function endpointOf(endpoints: readonly OwnEndpoint[], url: string | undefined): OwnEndpoint | undefined {
  const path = url?.split('?', 1)[0] ?? '';
  return endpoints.find((e) => path === e.prefix || path.startsWith(`${e.prefix}/`));
}

export const ownEndpoints = (families: readonly Family[]): OwnEndpoint[] => families.flatMap((f) => (f.endpoint ? [f.endpoint] : []));

export function refuser(endpoints: readonly OwnEndpoint[]): Refuse {
  return (refusal, request, requestId) => {
    const { status, code, message } = GRAPH[refusal];
    const own = endpointOf(endpoints, request?.url);
    if (own) return own.refuse(refusal, message, requestId);
    const clientId = clientRequestId(request?.headers['client-request-id'], requestId);
    return {
      status,
      headers: { 'content-type': 'application/json', 'request-id': requestId, 'client-request-id': clientId, 'cache-control': 'no-store' },
      body: JSON.stringify(errorBody(new GraphError(status, code, message), requestId, clientId)),
    };
  };
}

/** `answer` as bytes for a raw socket, closing the connection; no body after HEAD. */
export function rawResponse(answer: RawAnswer, method: string | undefined): string {
  const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)), connection: 'close' };
  const head = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)].join('\r\n');
  return `${head}\r\n\r\n${method === 'HEAD' ? '' : answer.body}`;
}
