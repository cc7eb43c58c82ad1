// The longRunningOperation resource (spec §1, §2.4): its JSON, and the GET routes each family
// mounts under its own `…/operations` path.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission } from '../auth/index.js';
import type { Operation } from '../engine/index.js';
import { isTerminal } from '../engine/index.js';
import { contextUrl, serviceRoot } from './context.js';
import { notFound } from '../errors.js';
import { listPage } from './list.js';
import type { Column } from './model/collection.js';
import type { EntityType } from './model/edm.js';
import { qualifiedName } from './model/edm.js';
import { specFor } from './model/spec.js';
import { LONG_RUNNING_OPERATION } from './model/types.js';
import type { ResourceSpec } from './odata/resource.js';
import { parseQueryOptions } from './odata/query.js';
import { filterToSql } from './odata/sql.js';
import { parsePrefer, preferredInteger } from './prefer.js';
import type { GraphRoute } from './route.js';
import type { Services } from './services.js';

export interface OperationsCollection {
  /** The engine's family name for these operations. */
  family: string;
  /** Path below the version root, e.g. `identityGovernance/roleManagementAlerts/operations`. */
  path: string;
  permission: Permission;
  /** The family's types derived from longRunningOperation (their properties are kept in the operation's result). */
  types?: readonly EntityType[];
}

/** The operations table's columns (the derived types' properties have none: they are not queryable). */
const COLUMNS: Record<string, Column> = {
  id: { column: 'id', notNull: true },
  createdDateTime: { column: 'created_at', notNull: true },
  lastActionDateTime: { column: 'last_action_at', notNull: true },
  resourceLocation: { column: 'resource_location' },
  status: { column: 'status', notNull: true },
  statusDetail: { column: 'status_detail' },
};

export function operationSpec(collection: OperationsCollection): ResourceSpec {
  return specFor(qualifiedName(LONG_RUNNING_OPERATION), [LONG_RUNNING_OPERATION, ...(collection.types ?? [])], COLUMNS);
}

/** The operation as Graph writes it; `select` limits the properties (annotations stay). */
export function operationJson(op: Operation, select?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: op.id,
    createdDateTime: op.createdAt,
    lastActionDateTime: op.lastActionAt,
    resourceLocation: op.resourceLocation,
    status: op.status,
    statusDetail: op.statusDetail,
    ...op.result,
  };
  const json: Record<string, unknown> = op.odataType ? { '@odata.type': `#${op.odataType}` } : {};
  const names = select?.length && !select.includes('*') ? select : Object.keys(all);
  for (const name of names) if (name in all) json[name] = all[name];
  return json;
}

/**
 * 202 Accepted for a new (or deduplicated) operation in the collection at `operationsPath`:
 * absolute Location and Operation-Location (Azure pollers read the latter), Retry-After, no body.
 */
export function acceptedOperation(reply: FastifyReply, root: string, operationsPath: string, operation: Operation) {
  const location = `${root}/${operationsPath}/${operation.id}`;
  return reply
    .code(202)
    .headers({ location, 'operation-location': location, 'retry-after': String(retryAfterSeconds(operation)) })
    .send();
}

/** Seconds a client should wait before polling again: short at first, longer for long runs. */
export function retryAfterSeconds(op: Operation, now = Date.now()): number {
  const ageSeconds = (now - Date.parse(op.createdAt)) / 1000;
  return Math.min(10, Math.max(1, Math.ceil(ageSeconds / 10)));
}

const MAX_WAIT_SECONDS = 60;

/**
 * `Prefer: wait=N` (RFC 7240): while the operation is not terminal, answer as soon as its status
 * or statusDetail changes (a NOTIFY from any process), or after N seconds.
 */
async function readWithWait(services: Services, tenantId: string, family: string, id: string, waitSeconds: number, signal: AbortSignal) {
  const { engine } = services;
  const subscription = engine.changes.subscribe(tenantId, id);
  let release: (() => void) | undefined;
  try {
    const first = await engine.get(tenantId, family, id);
    if (!first || isTerminal(first.status)) return first;
    release = services.holdLongPoll?.();
    const deadline = Date.now() + waitSeconds * 1000;
    let current: Operation | null = first;
    while (current && current.status === first.status && current.statusDetail === first.statusDetail) {
      if (!(await subscription.changed(deadline - Date.now(), signal))) break;
      current = await engine.get(tenantId, family, id);
    }
    return current;
  } finally {
    release?.();
    subscription.close();
  }
}

function abortedWithRequest(request: FastifyRequest, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return AbortSignal.any([controller.signal, shutdown]);
}

function sendOperation(reply: FastifyReply, op: Operation, body: Record<string, unknown>) {
  if (!isTerminal(op.status)) reply.header('retry-after', String(retryAfterSeconds(op)));
  return body;
}

/** GET `…/operations/{id}` and GET `…/operations` for one family. */
export function operationRoutes(services: Services, collection: OperationsCollection): GraphRoute[] {
  const spec = operationSpec(collection);
  const base = `/beta/${collection.path}`;
  const scope = (tenantId: string) => ({ tenantId, family: collection.family });
  return [
    {
      // `/$count`: the number of operations matching $filter, as text/plain (spec §5.4).
      method: 'GET',
      url: `${base}/$count`,
      permission: collection.permission,
      async handler({ request, reply, principal }) {
        const options = parseQueryOptions(request.query as Record<string, unknown>, spec, { collection: true, options: ['filter'] });
        const where = options.filter ? filterToSql(options.filter, spec) : undefined;
        const count = await services.engine.count({ ...scope(principal.tenantId), ...(where ? { where } : {}) });
        return reply.type('text/plain').send(String(count));
      },
    },
    {
      method: 'GET',
      url: `${base}/:id`,
      permission: collection.permission,
      async handler({ request, reply, principal }) {
        const { id } = request.params as { id: string };
        const options = parseQueryOptions(request.query as Record<string, unknown>, spec, { collection: false });
        const wait = preferredInteger(parsePrefer(request.headers.prefer), 'wait', MAX_WAIT_SECONDS);
        const op = wait
          ? await readWithWait(services, principal.tenantId, collection.family, id, wait, abortedWithRequest(request, services.shutdown))
          : await services.engine.get(principal.tenantId, collection.family, id);
        if (!op) throw notFound(`No operation with id '${id}' was found.`);
        if (wait) reply.header('preference-applied', `wait=${wait}`);
        const root = serviceRoot(request, services.publicUrl);
        return sendOperation(reply, op, {
          '@odata.context': contextUrl(root, collection.path, { select: options.select, entity: true }),
          ...operationJson(op, options.select),
        });
      },
    },
    {
      method: 'GET',
      url: base,
      permission: collection.permission,
      async handler({ request, reply, principal }) {
        return listPage<Operation>(request, reply, services, {
          spec,
          path: collection.path,
          fetch: (query) => services.engine.list({ ...query, ...scope(principal.tenantId) }),
          count: (where) => services.engine.count({ ...scope(principal.tenantId), ...(where ? { where } : {}) }),
          toJson: operationJson,
        });
      },
    },
  ];
}
