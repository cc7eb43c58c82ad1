// Headers on every response (spec §5.3): request-id, client-request-id (echoed, or the
// request-id), Cache-Control: no-store, OData-Version; Graph's JSON content type.
import type { FastifyInstance } from 'fastify';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The client's `client-request-id` when it is one, else the request-id. */
export const clientRequestId = (given: string | string[] | undefined, requestId: string) =>
  typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : requestId;

export function registerGraphHeaders(app: FastifyInstance): void {
  // Callback hooks: they run on every request, and async ones cost a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    const requestId = String(request.id);
    reply.headers({
      'request-id': requestId,
      'client-request-id': clientRequestId(request.headers['client-request-id'], requestId),
      'cache-control': 'no-store',
      'odata-version': '4.0',
    });
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json') && reply.statusCode < 400) reply.header('content-type', GRAPH_JSON);
    done(null, payload);
  });
}
