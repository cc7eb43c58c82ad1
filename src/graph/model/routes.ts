// Every route of an entity set, from its declaration: list (all query options), `$count`, get,
// create (201 + Location), update (PATCH 204), delete (204); GET of each navigation property and
// of the entities behind it; and the actions bound to the set's type, the navigations' types and
// the collection, by name and by qualified name.
import type { FastifyRequest, HTTPMethods } from 'fastify';
import type { Permission, Principal } from '../../auth/index.js';
import type { Row } from '../../db/db.js';
import { contextUrl, serviceRoot } from '../context.js';
import { notFound } from '../../errors.js';
import { listPage } from '../list.js';
import { parseQueryOptions } from '../odata/query.js';
import { filterToSql } from '../odata/sql.js';
import type { GraphRoute, GraphRouteContext } from '../route.js';
import type { Services } from '../services.js';
import type { ActionContext, BoundAction } from './action.js';
import { readCreate, readParameters, readUpdate } from './body.js';
import type { EntityCollection, Scope } from './collection.js';
import { isContained } from './collection.js';
import type { EntityType } from './edm.js';
import { derivesFrom } from './edm.js';
import type { Located } from './expand.js';
import { expansions } from './expand.js';
import { entityJson, valueOf } from './json.js';
import { countOf, pageOf, rowByKey } from './rows.js';
import { entitySpecOf, specOf } from './spec.js';

/** A collection served at a path below the version root, e.g. `external/industryData/sourceSystems`. */
export interface EntitySet {
  path: string;
  collection: EntityCollection;
}

const query = (request: FastifyRequest) => request.query as Record<string, unknown>;
const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string>)[name] ?? '';

const missing = (collection: EntityCollection, key: string) => notFound(`No ${collection.what} with id '${key}' was found.`);

/** Throws what a write refused with; a row or nothing passes. */
function refusal(outcome: unknown, collection: EntityCollection, key: string): void {
  if (typeof outcome !== 'object' || outcome === null) return;
  const refused = outcome as Partial<{ notFound: true; error: Error }>;
  if (refused.notFound === true) throw missing(collection, key);
  if (refused.error instanceof Error) throw refused.error;
}

/** Where a collection is, for one request: its path, and its parent row when contained. */
interface Place {
  collection: EntityCollection;
  /** The context path, e.g. `…/alerts('{id}')/alertIncidents`. */
  path: string;
  /** The path of links into it, e.g. `…/alerts/{id}/alertIncidents`. */
  linkPath: string;
  parent?: Row;
  /** The types of its entities when narrower than the collection's (one alert: one incident type). */
  types?: readonly EntityType[];
}

/** Where an entity of a collection at `path` is: `path('id')`, and `path/id` in links. */
const locatedIn = (path: string) => (row: Row): Located => ({ context: `${path}('${String(row.id)}')`, link: `${path}/${String(row.id)}` });

/** The values of every queryable property of a row: what a $skiptoken records of the last one. */
function sortValues(collection: EntityCollection, row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.keys(specOf(collection).properties).map((name) => [name, valueOf(collection, row, name)]));
}

export function modelRoutes(services: Services, sets: readonly EntitySet[], actions: readonly BoundAction[]): GraphRoute[] {
  const scopeOf = (principal: Principal): Scope => ({ db: services.engine.db, tenantId: principal.tenantId });
  const rootOf = (request: FastifyRequest) => serviceRoot(request, services.publicUrl);
  const routes: GraphRoute[] = [];
  const route = (method: HTTPMethods, url: string, permission: Permission, handler: (ctx: GraphRouteContext & { scope: Scope }) => Promise<unknown>) =>
    routes.push({ method, url, permission, handler: (ctx) => handler({ ...ctx, scope: scopeOf(ctx.principal) }) });

  async function found(scope: Scope, collection: EntityCollection, key: string, parent?: Row): Promise<Row> {
    const row = await rowByKey(scope, collection, key, parent);
    if (!row) throw missing(collection, key);
    return row;
  }

  /** One entity with its $select/$expand, in the context `path`. */
  async function entityBody(request: FastifyRequest, scope: Scope, collection: EntityCollection, row: Row, path: string, located: (row: Row) => Located) {
    const options = parseQueryOptions(query(request), entitySpecOf(collection, row), { collection: false });
    const root = rootOf(request);
    const [expanded] = options.expand?.length ? await expansions(scope, collection, [row], options.expand, root, located, query(request)) : [];
    return { '@odata.context': contextUrl(root, path, { select: options.select, expand: options.expand, entity: true }), ...entityJson(collection, row, options.select), ...expanded };
  }

  /** List and $count of a collection (its place resolved per request). */
  function collectionRoutes(url: string, permission: Permission, place: (request: FastifyRequest, scope: Scope) => Promise<Place>) {
    route('GET', `${url}/$count`, permission, async ({ request, reply, scope }) => {
      const { collection, parent, types } = await place(request, scope);
      const spec = specOf(collection, types);
      const options = parseQueryOptions(query(request), spec, { collection: true, options: ['filter'] });
      collection.checkList?.(options.filter);
      const n = await countOf(scope, collection, options.filter ? filterToSql(options.filter, spec) : undefined, parent);
      return reply.type('text/plain').send(String(n));
    });
    route('GET', url, permission, async ({ request, reply, scope }) => {
      const { collection, parent, path, linkPath, types } = await place(request, scope);
      return listPage<Row>(request, reply, services, {
        spec: specOf(collection, types),
        path,
        linkPath,
        check: (options) => collection.checkList?.(options.filter),
        fetch: (page) => pageOf(scope, collection, page, parent),
        count: (where) => countOf(scope, collection, where, parent),
        toJson: (row, select) => entityJson(collection, row, select),
        values: (row) => sortValues(collection, row),
        expand: (rows, expand, root) => expansions(scope, collection, rows, expand, root, locatedIn(linkPath), query(request)),
      });
    });
  }

  function actionRoutes(url: string, matches: (action: BoundAction) => boolean, target: (request: FastifyRequest, scope: Scope) => Promise<Omit<ActionContext, 'request' | 'reply' | 'principal' | 'services' | 'scope' | 'root'>>) {
    for (const action of actions) {
      if (!action.invoke || !matches(action)) continue;
      for (const name of new Set([action.name, `${action.namespace}.${action.name}`])) {
        route(action.kind === 'action' ? 'POST' : 'GET', `${url}/${name}`, action.permission, async ({ request, reply, principal, scope }) => {
          // The body first: a call that is wrong whatever it is bound to is a 400 before any read.
          const parameters = readParameters(action.name, action.parameters ?? {}, request.body);
          const bound = await target(request, scope);
          return action.invoke!({ request, reply, principal, services, scope, root: rootOf(request), ...bound }, parameters);
        });
      }
    }
  }

  /** POST into a contained collection, PATCH and DELETE of its entities (`flowSets/{id}/provisioningFlows`). */
  function containedWrites(parentSet: EntitySet, name: string, target: EntityCollection) {
    const { write } = target.permissions;
    if (!write) return;
    const url = `/beta/${parentSet.path}/:key/${name}`;
    const child = `${url}/:key2`;
    const parentOf = (request: FastifyRequest, scope: Scope) => found(scope, parentSet.collection, param(request, 'key'));
    if (target.create) {
      route('POST', url, write, async ({ request, reply, scope }) => {
        const { type, values } = readCreate(target, request.body);
        const parent = await parentOf(request, scope);
        const root = rootOf(request);
        const outcome = await target.create!({ scope, root, type }, values, parent);
        refusal(outcome, target, '');
        const row = outcome as Row;
        const key = param(request, 'key');
        return reply
          .code(201)
          .header('location', `${root}/${parentSet.path}/${key}/${name}/${String(row.id)}`)
          .send({ '@odata.context': contextUrl(root, `${parentSet.path}('${key}')/${name}`, { entity: true }), ...entityJson(target, row) });
      });
    }
    const childRoute = (method: HTTPMethods, apply: (scope: Scope, request: FastifyRequest, row: Row) => Promise<unknown>) =>
      route(method, child, write, async ({ request, reply, scope }) => {
        const key = param(request, 'key2');
        refusal(await apply(scope, request, await found(scope, target, key, await parentOf(request, scope))), target, key);
        return reply.code(204).send();
      });
    if (target.update) childRoute('PATCH', (scope, request, row) => target.update!({ scope, root: rootOf(request) }, row, readUpdate(target, request.body, row)));
    if (target.remove) childRoute('DELETE', (scope, request, row) => target.remove!({ scope, root: rootOf(request) }, row));
  }

  const boundTo = (collection: EntityCollection, many: boolean) => (action: BoundAction) =>
    (action.collection ?? false) === many && derivesFrom(collection.type, action.binding);

  for (const { path, collection } of sets) {
    const base = `/beta/${path}`;
    const { read, write } = collection.permissions;
    const item = `${base}/:key`;
    collectionRoutes(base, read, async () => ({ collection, path, linkPath: path }));
    if (collection.create && write) {
      route('POST', base, write, async ({ request, reply, scope }) => {
        const { type, values } = readCreate(collection, request.body);
        const root = rootOf(request);
        const outcome = await collection.create!({ scope, root, type }, values);
        refusal(outcome, collection, '');
        const row = outcome as Row;
        return reply
          .code(201)
          .header('location', `${root}/${path}/${String(row.id)}`)
          .send({ '@odata.context': contextUrl(root, path, { entity: true }), ...entityJson(collection, row) });
      });
    }
    route('GET', item, read, async ({ request, scope }) => entityBody(request, scope, collection, await found(scope, collection, param(request, 'key')), path, locatedIn(path)));
    if (collection.update && write) {
      route('PATCH', item, write, async ({ request, reply, scope }) => {
        const key = param(request, 'key');
        const row = await found(scope, collection, key);
        const values = readUpdate(collection, request.body, row);
        refusal(await collection.update!({ scope, root: rootOf(request) }, row, values), collection, key);
        return reply.code(204).send();
      });
    }
    if (collection.remove && write) {
      route('DELETE', item, write, async ({ request, reply, scope }) => {
        const key = param(request, 'key');
        refusal(await collection.remove!({ scope, root: rootOf(request) }, await found(scope, collection, key)), collection, key);
        return reply.code(204).send();
      });
    }
    actionRoutes(base, boundTo(collection, true), async () => ({ collection }));
    actionRoutes(item, boundTo(collection, false), async (request, scope) => ({ collection, row: await found(scope, collection, param(request, 'key')) }));

    for (const [name, source] of Object.entries(collection.navigations ?? {})) {
      const target = source.target();
      const url = `${item}/${name}`;
      const context = (request: FastifyRequest) => `${path}('${param(request, 'key')}')/${name}`;
      if (isContained(source)) {
        const place = async (request: FastifyRequest, scope: Scope): Promise<Place> => {
          const parent = await found(scope, collection, param(request, 'key'));
          const linkPath = `${path}/${param(request, 'key')}/${name}`;
          return { collection: target, path: context(request), linkPath, parent, ...(source.types ? { types: source.types(parent) } : {}) };
        };
        collectionRoutes(url, target.permissions.read, place);
        const child = `${url}/:key2`;
        const childRow = async (request: FastifyRequest, scope: Scope) => {
          const parent = await found(scope, collection, param(request, 'key'));
          return { parent, row: await found(scope, target, param(request, 'key2'), parent) };
        };
        route('GET', child, target.permissions.read, async ({ request, scope }) => {
          const { row } = await childRow(request, scope);
          return entityBody(request, scope, target, row, context(request), locatedIn(`${path}/${param(request, 'key')}/${name}`));
        });
        // The child's own single-valued navigations (a run activity's `activity`).
        for (const [childName, childSource] of Object.entries(target.navigations ?? {})) {
          if (isContained(childSource)) continue;
          const childContext = (request: FastifyRequest) => `${context(request)}('${param(request, 'key2')}')/${childName}`;
          const childLink = (request: FastifyRequest) => `${path}/${param(request, 'key')}/${name}/${param(request, 'key2')}/${childName}`;
          route('GET', `${child}/${childName}`, childSource.target().permissions.read, async ({ request, scope }) => {
            const { row } = await childRow(request, scope);
            const key = childSource.key(row);
            if (key === null) throw notFound(`The ${target.what} '${param(request, 'key2')}' has no ${childName}.`);
            const related = await found(scope, childSource.target(), key);
            return entityBody(request, scope, childSource.target(), related, childContext(request), () => ({ context: childContext(request), link: childLink(request) }));
          });
        }
        containedWrites({ path, collection }, name, target);
        actionRoutes(url, boundTo(target, true), async (request, scope) => ({ collection: target, parent: await found(scope, collection, param(request, 'key')) }));
        actionRoutes(child, boundTo(target, false), async (request, scope) => ({ collection: target, ...(await childRow(request, scope)) }));
      } else {
        const related = async (request: FastifyRequest, scope: Scope) => {
          const parent = await found(scope, collection, param(request, 'key'));
          const key = source.key(parent);
          if (key === null) throw notFound(`The ${collection.what} '${param(request, 'key')}' has no ${name}.`);
          return found(scope, target, key);
        };
        const located = (request: FastifyRequest) => () => ({ context: context(request), link: `${path}/${param(request, 'key')}/${name}` });
        route('GET', url, target.permissions.read, async ({ request, scope }) => entityBody(request, scope, target, await related(request, scope), context(request), located(request)));
        actionRoutes(url, boundTo(target, false), async (request, scope) => ({ collection: target, row: await related(request, scope) }));
      }
    }
  }
  return routes;
}
