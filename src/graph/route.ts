// What every Graph route shares: the bearer token is verified, the caller authorized with
// Graph's permission names, and the handler runs for the caller's tenant.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Permission, Principal, Verifier } from '../auth/index.js';
import { authorize } from '../auth/index.js';
import { GraphError } from './errors.js';

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

export async function authenticate(verifier: Verifier, request: FastifyRequest, permission: Permission): Promise<Principal> {
  const header = request.headers.authorization;
  const principal = verifier.cached(header) ?? (await verifier.verify(header));
  authorize(principal, permission);
  return principal;
}

/** Registers `route`; the other methods on the same URL answer 405 with `Allow`. */
export function graphRoutes(app: FastifyInstance, verifier: Verifier, routes: readonly GraphRoute[]): void {
  const byUrl = new Map<string, GraphRoute[]>();
  for (const route of routes) {
    byUrl.set(route.url, [...(byUrl.get(route.url) ?? []), route]);
    app.route({
      method: route.method,
      url: route.url,
      handler: async (request, reply) => {
        const principal = await authenticate(verifier, request, route.permission);
        return route.handler({ request, reply, principal });
      },
    });
  }
  const all: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  for (const [url, list] of byUrl) {
    const allowed = list.map((r) => r.method);
    if (allowed.includes('GET')) allowed.push('HEAD');
    const others = all.filter((m) => !allowed.includes(m));
    if (!others.length) continue;
    app.route({
      method: others,
      url,
      handler: async (request) => {
        throw new GraphError(405, 'MethodNotAllowed', `The HTTP method '${request.method}' is not allowed on this resource.`, {
          headers: { allow: allowed.join(', ') },
        });
      },
    });
  }
}
