// JSON batching (Graph's `POST /beta/$batch`): up to 20 requests in one body, each answered as if
// it had come alone. Every inner request goes through this same app with `inject()`, so it meets
// every hook a real one meets (token, permission, tenant, Graph headers and errors, 202 +
// Location); it carries the batch's Authorization, and its absolute URLs use the batch's host
// and protocol. The rules and messages are Graph's:
//   - the body is `{ requests: [{ id, method, url, headers?, body?, dependsOn? }] }`, 1 to 20 of
//     them; a batch that breaks a rule is refused whole (400), none of it runs;
//   - `url` is relative to the version root (`/external/…` or `external/…`), never absolute;
//   - ids are unique, compared case-insensitively; `dependsOn` names requests earlier in the
//     array, and a batch is either fully parallel (no dependsOn) or fully sequential (every
//     request but the first has one);
//   - a write (POST, PUT, PATCH) carries a body and a Content-Type; a JSON body is a JSON value,
//     any other a base64 string;
//   - requests run one at a time in array order; one whose dependency failed (status >= 400) is
//     not run and answers 424.
// Only Graph's URLs are reachable: a URL is resolved under /beta/, and one that would leave it
// (`../admin`) or names $batch again answers 400 for that request.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, InjectOptions } from 'fastify';
import type { Verifier } from '../auth/index.js';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { errorBody, GraphError } from '../errors.js';
import { API_VERSION } from '../graph/context.js';
import { clientRequestId } from './headers.js';

/** Graph's limit on requests in one batch. */
export const BATCH_LIMIT = 20;

/** 20 requests of up to the app's 1 MiB each would be 20 MiB; a batch of writes that big is not a batch. */
export const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

const BATCH_URL = `/${API_VERSION}/$batch`;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const WRITES = new Set(['POST', 'PUT', 'PATCH']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*:|\/\/|\\\\)/;

/**
 * Marks an inner request for the app-wide hook below: `<nonce> <protocol>`. The nonce is made per
 * app, so a client cannot forge the mark; the hook removes the header before anything reads it.
 */
const MARK = 'x-graph-lro-batch';

/** Headers of an inner request that the batch sets, or that belong to a connection, not a request. */
const NOT_FORWARDED = new Set([
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  MARK,
]);

/** The headers of an inner response a batch passes on, with Graph's spelling. */
const RESPONSE_HEADERS: Record<string, string> = {
  location: 'Location',
  'operation-location': 'Operation-Location',
  'retry-after': 'Retry-After',
  'content-type': 'Content-Type',
  etag: 'ETag',
  'cache-control': 'Cache-Control',
  'odata-version': 'OData-Version',
  'preference-applied': 'Preference-Applied',
  allow: 'Allow',
  'www-authenticate': 'WWW-Authenticate',
};

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
  dependsOn: string[];
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const invalid = (detail?: string) => new GraphError(400, 'BadRequest', detail ? `Invalid batch payload format. ${detail}` : 'Invalid batch payload format.');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isJsonType = (type: string) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type);
const isTextType = (type: string) => /^(text\/|application\/([\w.+-]+\+)?xml\s*(;|$))/i.test(type);

/** Validates the whole batch as Graph does; throws the 400 that refuses it. */
export function parseBatch(raw: Buffer | string | undefined): BatchItem[] {
  let document: unknown;
  try {
    document = JSON.parse(raw === undefined ? '' : String(raw));
  } catch {
    throw invalid();
  }
  if (!isObject(document) || !Array.isArray(document.requests) || document.requests.length === 0) throw invalid();
  if (document.requests.length > BATCH_LIMIT) throw new GraphError(400, 'BadRequest', 'Number of requests inside batch exceed the limit.');
  const items = document.requests.map(parseItem);
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.id.toLowerCase();
    if (seen.has(key)) throw new GraphError(400, 'BadRequest', `Request Id ${item.id} has to be unique in a batch.`);
    seen.add(key);
  }
  // Dependencies point backwards, so array order is an order that honours them, and no cycle exists.
  const earlier = new Set<string>();
  for (const item of items) {
    for (const dependency of item.dependsOn) {
      if (!earlier.has(dependency.toLowerCase())) {
        throw new GraphError(400, 'BadRequest', `Invalid dependency for request Id ${item.id}: dependsOn must name requests that come before it in the batch ('${dependency}' does not).`);
      }
    }
    earlier.add(item.id.toLowerCase());
  }
  if (items.some((item) => item.dependsOn.length) && items.slice(1).some((item) => !item.dependsOn.length)) {
    throw new GraphError(400, 'BadRequest', 'Batch should be either fully sequential or fully parallel.');
  }
  return items;
}

function parseItem(value: unknown, index: number): BatchItem {
  if (!isObject(value)) throw invalid(`Request ${index + 1} is not an object.`);
  const { id, method, url, headers, body, dependsOn } = value;
  if (typeof id !== 'string' || id === '') throw invalid(`Request ${index + 1} has no id (a non-empty string).`);
  if (typeof method !== 'string' || !METHODS.has(method.toUpperCase())) throw invalid(`Request id ${id} has no method among ${[...METHODS].join(', ')}.`);
  if (typeof url !== 'string' || url === '') throw invalid(`Request id ${id} has no url.`);
  if (ABSOLUTE.test(url)) throw invalid(`The url of request id ${id} is absolute; it must be relative to the version root, e.g. /external/industryData/operations.`);
  if (dependsOn !== undefined && dependsOn !== null && !(Array.isArray(dependsOn) && dependsOn.every((d) => typeof d === 'string'))) {
    throw invalid(`The dependsOn of request id ${id} is not an array of request ids.`);
  }
  const forwarded: Record<string, string> = {};
  if (headers !== undefined && headers !== null) {
    if (!isObject(headers)) throw invalid(`The headers of request id ${id} are not an object.`);
    for (const [name, v] of Object.entries(headers)) {
      if (!TOKEN.test(name) || typeof v !== 'string' || !HEADER_VALUE.test(v)) throw invalid(`The header '${name}' of request id ${id} is not a valid header.`);
      const lower = name.toLowerCase();
      if (!NOT_FORWARDED.has(lower)) forwarded[lower] = v;
    }
  }
  const upper = method.toUpperCase();
  const type = forwarded['content-type'];
  const hasBody = body !== undefined && body !== null;
  if (WRITES.has(upper) && (!hasBody || type === undefined)) {
    throw new GraphError(400, 'BadRequest', `Write request id : ${id} does not contain Content-Type header or body.`);
  }
  if (hasBody && type === undefined) throw new GraphError(400, 'BadRequest', `Request id : ${id} has a body but no Content-Type header.`);
  let payload: string | Buffer | undefined;
  if (hasBody && upper !== 'GET' && upper !== 'HEAD') {
    if (isJsonType(type!)) payload = JSON.stringify(body);
    else if (typeof body === 'string') payload = Buffer.from(body, 'base64');
    else throw invalid(`The body of request id ${id} is not JSON (Content-Type ${type}), so it must be a base64 string.`);
  }
  if (forwarded.prefer !== undefined) {
    // Inner answers are sent together: a long-poll would only hold the whole batch back.
    const prefer = withoutWait(forwarded.prefer);
    if (prefer) forwarded.prefer = prefer;
    else delete forwarded.prefer;
  }
  return { id, method: upper, url, headers: forwarded, payload, dependsOn: dependsOn ?? [] };
}

/** `Prefer` without its `wait` preference. */
function withoutWait(prefer: string): string {
  return prefer
    .split(',')
    .filter((part) => part.split(';')[0]!.split('=')[0]!.trim().toLowerCase() !== 'wait')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ');
}

/** `url` under the version root, as the router will see it; undefined when it would leave the root. */
export function innerPath(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(`/${API_VERSION}/${url.replace(/^\//, '')}`, 'http://localhost');
  } catch {
    return undefined;
  }
  const path = parsed.pathname + parsed.search;
  return path.startsWith(`/${API_VERSION}/`) ? path : undefined;
}

/** An answer the batch writes itself (424, a URL outside the root): a Graph error, as the app would send. */
function errorResponse(id: string, err: GraphError, requestId: string, clientId: string): BatchResponse {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'OData-Version': '4.0', 'Content-Type': 'application/json; charset=utf-8' };
  for (const [name, value] of Object.entries(err.options.headers ?? {})) headers[RESPONSE_HEADERS[name] ?? name] = value;
  return { id, status: err.status, headers, body: errorBody(err, requestId, clientId) };
}

/** An inner response as a batch response: Graph's headers; JSON bodies as JSON, text as a string, the rest base64. */
function toBatchResponse(id: string, method: string, res: Awaited<ReturnType<FastifyInstance['inject']>>): BatchResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const spelled = RESPONSE_HEADERS[name];
    if (spelled && value !== undefined) headers[spelled] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const response: BatchResponse = { id, status: res.statusCode, headers };
  const raw = res.rawPayload;
  if (method === 'HEAD' || raw.length === 0) return response;
  const type = headers['Content-Type'] ?? '';
  if (isJsonType(type)) {
    try {
      response.body = JSON.parse(raw.toString('utf8'));
      return response;
    } catch {
      // Not JSON after all: passed on as text.
    }
  }
  response.body = isJsonType(type) || isTextType(type) ? raw.toString('utf8') : raw.toString('base64');
  return response;
}

/**
 * Registers `POST /beta/$batch` (the other methods answer 405) in a scope of its own, where any
 * content type is read as the batch's JSON, up to BATCH_BODY_LIMIT; and the app-wide hook that
 * gives inner requests the batch's protocol.
 */
export async function registerBatch(app: FastifyInstance, verifier: Verifier): Promise<void> {
  const nonce = randomBytes(16).toString('hex');
  const inner = new WeakSet<object>();

  // Inner requests get the batch's protocol (their Host header is already the batch's host), so
  // serviceRoot() writes the URLs the client would have got from a request of its own, whether TLS
  // ends here or at a trusted proxy.
  app.addHook('onRequest', (request, _reply, done) => {
    const mark = request.raw.headers[MARK];
    if (mark === undefined) return done();
    delete request.raw.headers[MARK];
    if (typeof mark === 'string' && mark.startsWith(`${nonce} `)) {
      inner.add(request.raw);
      Object.defineProperty(request, 'protocol', { value: mark.slice(nonce.length + 1), configurable: true });
    }
    done();
  });

  const authenticate = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (inner.has(request.raw)) return done(new GraphError(400, 'BadRequest', 'A batch request cannot contain another batch request ($batch).'));
    const header = request.headers.authorization;
    const cached = verifier.cached(header);
    if (cached) {
      request.principal = cached;
      return done();
    }
    verifier.verify(header).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  };

  const run = async (request: FastifyRequest, item: BatchItem): Promise<BatchResponse> => {
    const path = innerPath(item.url);
    const refuse = (err: GraphError) => errorResponse(item.id, err, String(request.id), clientRequestId(request.headers['client-request-id'], String(request.id)));
    if (path === undefined) return refuse(new GraphError(400, 'BadRequest', `The url '${item.url}' of request id ${item.id} is outside the service root /${API_VERSION}.`));
    const headers: Record<string, string> = {
      ...item.headers,
      authorization: request.headers.authorization!,
      host: request.host,
      [MARK]: `${nonce} ${request.protocol}`,
    };
    if (headers['client-request-id'] === undefined && typeof request.headers['client-request-id'] === 'string') headers['client-request-id'] = request.headers['client-request-id'];
    const options: InjectOptions = { method: item.method as InjectOptions['method'], url: path, headers, remoteAddress: request.ip };
    if (item.payload !== undefined) options.payload = item.payload;
    try {
      return toBatchResponse(item.id, item.method, await app.inject(options));
    } catch (err) {
      // The server began to close while the batch ran: what a request of its own would get now.
      if ((err as { code?: unknown }).code !== 'FST_ERR_REOPENED_CLOSE_SERVER') throw err;
      return refuse(
        new GraphError(503, 'serviceNotAvailable', 'The service is shutting down. Retry after the time in Retry-After.', {
          headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) },
        }),
      );
    }
  };

  await app.register(async (scope) => {
    // The batch's body is read whatever its content type says, and refused as Graph refuses it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.route({
      method: 'POST',
      url: BATCH_URL,
      bodyLimit: BATCH_BODY_LIMIT,
      onRequest: authenticate,
      handler: async (request, reply) => {
        const items = parseBatch(request.body as Buffer | undefined);
        const statuses = new Map<string, number>();
        const responses: BatchResponse[] = [];
        const clientId = clientRequestId(request.headers['client-request-id'], String(request.id));
        for (const item of items) {
          const failed = item.dependsOn.find((d) => (statuses.get(d.toLowerCase()) ?? 0) >= 400);
          const response =
            failed === undefined
              ? await run(request, item)
              : errorResponse(item.id, new GraphError(424, 'FailedDependency', `The request was not run: request id ${failed}, on which it depends, failed.`), String(request.id), clientId);
          statuses.set(item.id.toLowerCase(), response.status);
          responses.push(response);
        }
        return reply.type('application/json').send({ responses });
      },
    });
    const refuse = (request: FastifyRequest) =>
      new GraphError(405, 'MethodNotAllowed', `The HTTP method '${request.method}' is not allowed on this resource.`, { headers: { allow: 'POST' } });
    scope.route({
      method: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'],
      url: BATCH_URL,
      onRequest: (request, _reply, done) => done(refuse(request)),
      handler: async (request) => {
        throw refuse(request);
      },
    });
  });
}
