// Every error leaves as a Graph error body (spec §5.1) with the right status; a 500 is logged
// with its stack and answered without one. A refusal never waits for the body it refuses.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, OUTAGE_RETRY_AFTER_SECONDS } from '../db/unavailable.js';
import { errorBody, GraphError } from '../errors.js';

const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'ResourceNotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  411: 'LengthRequired',
  412: 'PreconditionFailed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'serviceNotAvailable',
};

/**
 * PostgreSQL's class 22, data exception (invalid byte sequence, untranslatable character, invalid
 * text representation, numeric value out of range, …): a value the request carried that the
 * database refuses. node-postgres and PGlite both carry the SQLSTATE in `code`.
 */
const isDataException = (err: { code?: unknown }) => typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code);

/** A Fastify or validation error (bad JSON, body too large, …) as the Graph error it stands for. */
function toGraphError(err: FastifyError, request: FastifyRequest): GraphError | undefined {
  if (err instanceof GraphError) return err;
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new GraphError(413, 'RequestEntityTooLarge', `The request body is larger than the ${request.routeOptions.bodyLimit} bytes this resource accepts.`);
  }
  if (isDatabaseUnavailable(err)) {
    return new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable: its database cannot be reached. Retry after the time in Retry-After.', {
      headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) },
    });
  }
  if (isDataException(err)) {
    request.log.warn({ err }, 'a data exception from the database, answered 400');
    return new GraphError(400, 'BadRequest', 'A value in the request cannot be stored or compared by the service (for example a NUL character, or a number out of range).');
  }
  if (err.validation) return new GraphError(400, 'BadRequest', `Invalid request: ${err.message}.`);
  const status = err.statusCode;
  if (status && status >= 400 && status < 500) {
    return new GraphError(status, CODES[status] ?? 'BadRequest', err.message.replace(/^FST_\w+: /, ''));
  }
  return undefined;
}

/** An unread body up to this size is read and dropped by node, and the connection kept. */
const DISCARDED_BODY_BYTES = 64 * 1024;

/** True when the client may still be sending a body too large to read only to drop it. */
function unreadBody(request: FastifyRequest): boolean {
  const raw = request.raw;
  if (raw.complete) return false;
  if (raw.headers['transfer-encoding'] !== undefined) return true;
  return Number(raw.headers['content-length']) > DISCARDED_BODY_BYTES;
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, err: GraphError) {
  // Closing is the only way to refuse a body without reading it: node would otherwise read (and
  // drop) all of it to reuse the connection.
  if (unreadBody(request)) reply.header('connection', 'close');
  const requestId = String(request.id);
  const clientRequestId = String(reply.getHeader('client-request-id') ?? requestId);
  for (const [name, value] of Object.entries(err.options.headers ?? {})) reply.header(name, value);
  return reply.status(err.status).type('application/json').send(errorBody(err, requestId, clientRequestId));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const graphError = toGraphError(err, request);
    if (graphError) return sendGraphError(request, reply, graphError);
    request.log.error({ err }, 'unhandled error');
    return sendGraphError(request, reply, new GraphError(500, 'generalException', 'An unexpected error occurred. The request id identifies it in the server log.'));
  });

  const notFound = (request: FastifyRequest) => {
    const path = request.url.split('?')[0]!;
    let segment = path.split('/').filter(Boolean).at(-1) ?? '';
    try {
      segment = decodeURIComponent(segment);
    } catch {
      // Not percent-encoded UTF-8: named as sent.
    }
    return new GraphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
  };
  // An unknown URL is refused from the request line, before Fastify would parse its body.
  app.addHook('onRequest', (request, _reply, done) => (request.is404 ? done(notFound(request)) : done()));
  // Fastify needs a handler; the hook above answers first.
  app.setNotFoundHandler(async (request) => {
    throw notFound(request);
  });
}
