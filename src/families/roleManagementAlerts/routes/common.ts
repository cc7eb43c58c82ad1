import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleManagementAlertsRead } from '../../../auth/index.js';
import type { Principal } from '../../../auth/index.js';
import type { Operation } from '../../../engine/index.js';
import { notFound } from '../../../graph/errors.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { ResourceSpec } from '../../../graph/odata/resource.js';
import { filterToSql } from '../../../graph/odata/sql.js';
import { acceptedOperation } from '../../../graph/operations.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Page } from '../store.js';
import { requireScopeFilter } from './scope.js';
import type { AlertName } from '../model.js';
import { alertNameOf, OPERATIONS_PATH } from '../model.js';

export const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
export const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name] ?? '';

/** The alert (or definition, or configuration) the id names in the caller's tenant; else 404, as for any unknown id. */
export function alertOf(tenantId: string, id: string, what = 'alert'): AlertName {
  const name = alertNameOf(tenantId, id);
  if (!name) throw notFound(`No ${what} with id '${id}' was found.`);
  return name;
}

/** 202 Accepted for an operation of this family. */
export const accepted = (reply: FastifyReply, root: string, operation: Operation) => acceptedOperation(reply, root, OPERATIONS_PATH, operation);

/**
 * `GET {collection}/$count`: how many items match $filter, as text/plain (spec §5.4). The scoped
 * collections need the scope filter here too.
 */
export function countRoute(
  url: string,
  spec: (request: FastifyRequest, principal: Principal) => ResourceSpec,
  count: (request: FastifyRequest, principal: Principal, page: Page) => Promise<number>,
  scoped: boolean,
): GraphRoute {
  return {
    method: 'GET',
    url: `${url}/$count`,
    permission: roleManagementAlertsRead,
    async handler({ request, reply, principal }) {
      const resource = spec(request, principal);
      if (scoped) requireScopeFilter(query(request), resource);
      const options = parseQueryOptions(query(request), resource, { collection: true, options: ['filter'] });
      const params: unknown[] = [null, null];
      const where = options.filter ? filterToSql(options.filter, resource, params) : undefined;
      const n = await count(request, principal, { where, params: params.slice(2) });
      return reply.type('text/plain').send(String(n));
    },
  };
}
