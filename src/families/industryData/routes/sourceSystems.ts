// sourceSystems (spec §4.5): list, get, create, update, delete. A source system that data
// connectors are bound to is not deleted: 409 Conflict naming them.
import { industryDataSourceSystemsRead, industryDataSourceSystemsWrite } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { GraphError } from '../../../graph/errors.js';
import { listPage } from '../../../graph/list.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import { parseSourceSystemCreate, parseSourceSystemPatch } from '../bodies.js';
import { SOURCE_SYSTEMS_PATH } from '../model.js';
import { sourceSystemJson, sourceSystemSpec } from '../resources.js';
import type { SourceSystemRow } from '../store.js';
import { countSourceSystems, deleteSourceSystem, getSourceSystem, insertSourceSystem, listSourceSystems, updateSourceSystem } from '../store.js';
import { countRoute, created, found, param, query } from './common.js';

const WHAT = 'source system';

export function sourceSystemRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${SOURCE_SYSTEMS_PATH}`;
  return [
    countRoute(base, industryDataSourceSystemsRead, sourceSystemSpec, (principal, page) => countSourceSystems(db, principal.tenantId, page)),
    {
      method: 'GET',
      url: base,
      permission: industryDataSourceSystemsRead,
      async handler({ request, reply, principal }) {
        return listPage<SourceSystemRow>(request, reply, services, {
          spec: sourceSystemSpec,
          path: SOURCE_SYSTEMS_PATH,
          reservedParams: 1,
          fetch: (page) => listSourceSystems(db, principal.tenantId, page),
          count: (page) => countSourceSystems(db, principal.tenantId, page),
          toJson: sourceSystemJson,
        });
      },
    },
    {
      method: 'POST',
      url: base,
      permission: industryDataSourceSystemsWrite,
      async handler({ request, reply, principal }) {
        const row = await insertSourceSystem(db, principal.tenantId, parseSourceSystemCreate(request.body));
        const root = serviceRoot(request, services.publicUrl);
        return created(reply, `${root}/${SOURCE_SYSTEMS_PATH}/${row.id}`, {
          '@odata.context': contextUrl(root, SOURCE_SYSTEMS_PATH, { entity: true }),
          ...sourceSystemJson(row),
        });
      },
    },
    {
      method: 'GET',
      url: `${base}/:id`,
      permission: industryDataSourceSystemsRead,
      async handler({ request, principal }) {
        const id = param(request, 'id');
        const options = parseQueryOptions(query(request), sourceSystemSpec, { collection: false });
        const row = found(await getSourceSystem(db, principal.tenantId, id), WHAT, id);
        const root = serviceRoot(request, services.publicUrl);
        return { '@odata.context': contextUrl(root, SOURCE_SYSTEMS_PATH, { select: options.select, entity: true }), ...sourceSystemJson(row, options.select) };
      },
    },
    {
      method: 'PATCH',
      url: `${base}/:id`,
      permission: industryDataSourceSystemsWrite,
      async handler({ request, reply, principal }) {
        const id = param(request, 'id');
        const fields = parseSourceSystemPatch(request.body);
        found((await updateSourceSystem(db, principal.tenantId, id, fields)) || undefined, WHAT, id);
        return reply.code(204).send();
      },
    },
    {
      method: 'DELETE',
      url: `${base}/:id`,
      permission: industryDataSourceSystemsWrite,
      async handler({ request, reply, principal }) {
        const id = param(request, 'id');
        const outcome = await deleteSourceSystem(db, principal.tenantId, id);
        if (!outcome.deleted && outcome.usedBy) {
          const ids = outcome.usedBy.length ? `: ${outcome.usedBy.map((c) => `'${c}'`).join(', ')}` : '';
          throw new GraphError(409, 'Conflict', `The source system '${id}' is in use by data connectors${ids}. Delete them or bind them to another source system first.`);
        }
        found(outcome.deleted || undefined, WHAT, id);
        return reply.code(204).send();
      },
    },
  ];
}
