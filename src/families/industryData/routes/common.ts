import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission, Principal } from '../../../auth/index.js';
import type { Operation } from '../../../engine/index.js';
import { notFound } from '../../../graph/errors.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { ResourceSpec } from '../../../graph/odata/resource.js';
import { filterToSql } from '../../../graph/odata/sql.js';
import { acceptedOperation } from '../../../graph/operations.js';
import type { GraphRoute } from '../../../graph/route.js';
import { OPERATIONS_PATH } from '../model.js';
import type { Page } from '../store.js';

export const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
export const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name] ?? '';

/** 404 for an id that is not the caller tenant's, exactly as for one that does not exist. */
export function found<T>(row: T | undefined, what: string, id: string): T {
  if (row === undefined) throw notFound(`No ${what} with id '${id}' was found.`);
  return row;
}

/** 201 Created with the entity and its URL in Location. */
export function created(reply: FastifyReply, location: string, body: Record<string, unknown>) {
  return reply.code(201).header('location', location).send(body);
}

/** 202 Accepted for an operation of this family. */
export const accepted = (reply: FastifyReply, root: string, operation: Operation) => acceptedOperation(reply, root, OPERATIONS_PATH, operation);

/** `GET {collection}/$count`: how many items match $filter, as text/plain (spec §5.4). */
export function countRoute(url: string, permission: Permission, spec: ResourceSpec, count: (principal: Principal, page: Page) => Promise<number>): GraphRoute {
  return {
    method: 'GET',
    url: `${url}/$count`,
    permission,
    async handler({ request, reply, principal }) {
      const options = parseQueryOptions(query(request), spec, { collection: true, options: ['filter'] });
      const params: unknown[] = [null];
      const where = options.filter ? filterToSql(options.filter, spec, params) : undefined;
      const n = await count(principal, { where, params: params.slice(1) });
      return reply.type('text/plain').send(String(n));
    },
  };
}
