import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operation } from '../../../engine/index.js';
import { notFound } from '../../../graph/errors.js';
import { retryAfterSeconds } from '../../../graph/operations.js';
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

/** 202 Accepted for a new (or deduplicated) operation: Location and Operation-Location, Retry-After, no body. */
export function accepted(reply: FastifyReply, root: string, operation: Operation) {
  const location = `${root}/${OPERATIONS_PATH}/${operation.id}`;
  return reply
    .code(202)
    .header('location', location)
    .header('operation-location', location)
    .header('retry-after', String(retryAfterSeconds(operation)))
    .send();
}
