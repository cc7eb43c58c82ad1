// What the server answers before (or instead of) routing: Fastify's router errors, OPTIONS that is
// not a CORS preflight, CONNECT, and `Expect: 100-continue`.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { OwnEndpoint, RawAnswer, Refusal } from '../families/family.js';
import type { Refuse } from './refusals.js';
import { endpointOf, rawResponse } from './refusals.js';

const send = (reply: FastifyReply, answer: RawAnswer) => reply.code(answer.status).headers(answer.headers).send(answer.body);

/** Fastify's `frameworkErrors`: a URL that does not decode, or a segment over the router's limit. */
export function frameworkErrors(refuse: Refuse): FastifyServerOptions['frameworkErrors'] {
  return (err, request, reply) => {
    const refusal: Refusal = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'segmentTooLong' : 'badUri';
    return send(reply, refuse(refusal, request.raw, String(request.id)));
  };
}

/**
 * OPTIONS without Origin and Access-Control-Request-Method is not a CORS preflight, and no route
 * has OPTIONS otherwise. Registered before @fastify/cors, whose strict check would answer it in
 * text/plain.
 */
export function refuseNonPreflight(app: FastifyInstance, refuse: Refuse): void {
  app.addHook('onRequest', (request: FastifyRequest, reply, done) => {
    if (request.method !== 'OPTIONS' || (request.headers.origin && request.headers['access-control-request-method'])) return done();
    send(reply, refuse('notPreflight', request.raw, String(request.id)));
  });
}

/** node closes a CONNECT without a word when the server has no 'connect' listener: answer 405. */
export function answerConnect(server: Server, refuse: Refuse): void {
  server.on('connect', (request, socket) => {
    socket.on('error', () => {}); // a client that resets has nobody to answer
    socket.end(rawResponse(refuse('method', request, randomUUID()), request.method));
  });
}

/**
 * node answers `Expect: 100-continue` with `100 Continue` before any code runs, inviting a body
 * before the request is authorized. Under a family's own endpoint the endpoint sends it once it
 * has authorized the request; elsewhere it is sent at once, as node would.
 */
export function deferContinue(server: Server, endpoints: readonly OwnEndpoint[]): void {
  server.on('checkContinue', (request, response) => {
    if (!endpointOf(endpoints, request.url)) response.writeContinue();
    server.emit('request', request, response);
  });
}
