// What every Graph route shares: the bearer token is verified, the caller authorized with
// Graph's permission names, and the handler runs for the caller's tenant. Both happen in an
// onRequest hook, from the headers alone: a request that is not allowed is refused before a byte
// of its body is read.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, onRequestHookHandler } from 'fastify';
import type { Permission, Principal, Verifier } from '../auth/index.js';
import { authorize } from '../auth/index.js';
import { GraphError, notFound } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, set by the `authenticated` hook of the route; null elsewhere. */
    principal: Principal | null;
  }
}

export interface GraphRouteContext {
  request: FastifyRequest;
  reply: FastifyReply;
  principal: Principal;
}

export interface GraphRoute {
  method: HTTPMethods;
  url: string;
  permission: Permission;
  handler(ctx: GraphRouteContext): Promise<unknown>;
}

/** Declares `request.principal` once, so every request object keeps one shape. */
export function decoratePrincipal(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
}

/**
 * An onRequest hook that verifies the token and checks `permission`, then keeps the caller in
 * `request.principal`. A callback hook: a cached token (every poll after the first) costs no
 * promise.
 */
export function authenticated(verifier: Verifier, permission: Permission): onRequestHookHandler {
  return (request, _reply, done) => {
    const header = request.headers.authorization;
    const cached = verifier.cached(header);
    if (cached) return admit(request, cached, permission, done);
    verifier.verify(header).then((principal) => admit(request, principal, permission, done), done);
  };
}

function admit(request: FastifyRequest, principal: Principal, permission: Permission, done: (err?: Error) => void): void {
  try {
    authorize(principal, permission);
  } catch (err) {
    return done(err as Error);
  }
  request.principal = principal;
  // PostgreSQL text cannot hold U+0000, so no key with one exists: refused before it reaches a query.
  if (Object.values(request.params as Record<string, string>).some((value) => value.includes('\0'))) return done(notFound());
  done();
}

/** Registers `route`; the other methods on the same URL answer 405 with `Allow`. */
export function graphRoutes(app: FastifyInstance, verifier: Verifier, routes: readonly GraphRoute[]): void {
  const byUrl = new Map<string, GraphRoute[]>();
  for (const route of routes) {
    byUrl.set(route.url, [...(byUrl.get(route.url) ?? []), route]);
    app.route({
      method: route.method,
      url: route.url,
      onRequest: authenticated(verifier, route.permission),
      handler: (request, reply) => route.handler({ request, reply, principal: request.principal! }),
    });
  }
  const all: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
  for (const [url, list] of byUrl) {
    const allowed = list.map((r) => r.method);
    if (allowed.includes('GET')) allowed.push('HEAD');
    const others = all.filter((m) => !allowed.includes(m));
    if (!others.length) continue;
    const refuse = (request: FastifyRequest) =>
      new GraphError(405, 'MethodNotAllowed', `The HTTP method '${request.method}' is not allowed on this resource.`, {
        headers: { allow: allowed.join(', ') },
      });
    app.route({
      method: others,
      url,
      // Refused from the request line, before any body is read; Fastify still needs a handler.
      onRequest: (request, _reply, done) => done(refuse(request)),
      handler: async (request) => {
        throw refuse(request);
      },
    });
  }
}
