// Headers on every response (spec §5.3): request-id, client-request-id (echoed, or the
// request-id), Cache-Control: no-store, OData-Version; Graph's JSON content type.
import type { FastifyInstance } from 'fastify';

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

export function registerGraphHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const requestId = String(request.id);
    const given = request.headers['client-request-id'];
    const clientRequestId = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : requestId;
    reply.header('request-id', requestId);
    reply.header('client-request-id', clientRequestId);
    reply.header('cache-control', 'no-store');
    reply.header('odata-version', '4.0');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json') && reply.statusCode < 400) reply.header('content-type', GRAPH_JSON);
    return payload;
  });
}
