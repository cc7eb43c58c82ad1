// dataConnectors (spec §4.2): list, get, create (azureDataLakeConnector), update, delete, the
// sourceSystem navigation ($expand and GET), getUploadSession and validate.
import { industryDataConnectorsRead, industryDataConnectorsUpload, industryDataConnectorsWrite, industryDataSourceSystemsRead } from '../../../auth/index.js';
import type { Db } from '../../../db/db.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { badRequest, GraphError, notFound } from '../../../graph/errors.js';
import { listPage } from '../../../graph/list.js';
import type { ExpandItem } from '../../../graph/odata/query.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import { parseConnectorCreate, parseConnectorPatch, requireNoParameters } from '../bodies.js';
import { CONNECTORS_PATH } from '../model.js';
import { connectorJson, connectorSpec, sourceSystemJson, sourceSystemSpec } from '../resources.js';
import { blobStoreOf } from '../storage.js';
import type { ConnectorRow } from '../store.js';
import { countConnectors, deleteConnector, getConnector, getSourceSystem, getSourceSystems, insertConnector, listConnectors, updateConnector } from '../store.js';
import { parseGetUploadSession, startValidation, uploadSession } from './actions.js';
import { accepted, countRoute, created, found, param, query } from './common.js';

const WHAT = 'data connector';

const unboundSourceSystem = (id: string) =>
  badRequest(`The source system '${id}' bound by 'sourceSystem@odata.bind' does not exist; create it first (POST …/external/industryData/sourceSystems).`, 'sourceSystem@odata.bind');

/** `$expand=sourceSystem`: each connector's source system (one query for the page). */
export async function connectorExpansions(db: Db, tenantId: string, rows: readonly ConnectorRow[], expand: readonly ExpandItem[]): Promise<Record<string, unknown>[]> {
  const item = expand.find((e) => e.property === 'sourceSystem');
  if (!item) return rows.map(() => ({}));
  const systems = await getSourceSystems(db, tenantId, [...new Set(rows.map((r) => r.source_system_id))]);
  return rows.map((row) => {
    const system = systems.get(row.source_system_id);
    return { sourceSystem: system ? sourceSystemJson(system, item.options.select) : null };
  });
}

export function connectorRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${CONNECTORS_PATH}`;
  const root = (request: Parameters<GraphRoute['handler']>[0]['request']) => serviceRoot(request, services.publicUrl);
  return [
    countRoute(base, industryDataConnectorsRead, connectorSpec, (principal, page) => countConnectors(db, principal.tenantId, page)),
    {
      method: 'GET',
      url: base,
      permission: industryDataConnectorsRead,
      async handler({ request, reply, principal }) {
        return listPage<ConnectorRow>(request, reply, services, {
          spec: connectorSpec,
          path: CONNECTORS_PATH,
          reservedParams: 1,
          fetch: (page) => listConnectors(db, principal.tenantId, page),
          count: (page) => countConnectors(db, principal.tenantId, page),
          toJson: connectorJson,
          expand: (rows, expand) => connectorExpansions(db, principal.tenantId, rows, expand),
        });
      },
    },
    {
      method: 'POST',
      url: base,
      permission: industryDataConnectorsWrite,
      async handler({ request, reply, principal }) {
        const fields = parseConnectorCreate(request.body);
        const row = await insertConnector(db, principal.tenantId, fields);
        if (!row) throw unboundSourceSystem(fields.sourceSystemId);
        const r = root(request);
        return created(reply, `${r}/${CONNECTORS_PATH}/${row.id}`, { '@odata.context': contextUrl(r, CONNECTORS_PATH, { entity: true }), ...connectorJson(row) });
      },
    },
    {
      method: 'GET',
      url: `${base}/:id`,
      permission: industryDataConnectorsRead,
      async handler({ request, principal }) {
        const id = param(request, 'id');
        const options = parseQueryOptions(query(request), connectorSpec, { collection: false });
        const row = found(await getConnector(db, principal.tenantId, id), WHAT, id);
        const [expanded] = options.expand?.length ? await connectorExpansions(db, principal.tenantId, [row], options.expand) : [];
        return {
          '@odata.context': contextUrl(root(request), CONNECTORS_PATH, { select: options.select, expand: options.expand, entity: true }),
          ...connectorJson(row, options.select),
          ...expanded,
        };
      },
    },
    {
      method: 'PATCH',
      url: `${base}/:id`,
      permission: industryDataConnectorsWrite,
      async handler({ request, reply, principal }) {
        const id = param(request, 'id');
        const fields = parseConnectorPatch(request.body);
        const outcome = await updateConnector(db, principal.tenantId, id, fields);
        if (outcome === 'missing') throw notFound(`No ${WHAT} with id '${id}' was found.`);
        if (outcome === 'noSourceSystem') {
          // A missing connector is a 404 even when the binding is wrong too.
          found(await getConnector(db, principal.tenantId, id), WHAT, id);
          throw unboundSourceSystem(fields.sourceSystemId!);
        }
        return reply.code(204).send();
      },
    },
    {
      method: 'DELETE',
      url: `${base}/:id`,
      permission: industryDataConnectorsWrite,
      async handler({ request, reply, principal }) {
        const id = param(request, 'id');
        const outcome = await deleteConnector(db, principal.tenantId, id);
        if (!outcome.deleted && outcome.usedBy) {
          const ids = outcome.usedBy.length ? `: ${outcome.usedBy.map((f) => `'${f}'`).join(', ')}` : '';
          throw new GraphError(409, 'Conflict', `The data connector '${id}' is in use by inbound flows${ids}. Delete them first.`);
        }
        if (!outcome.deleted) throw notFound(`No ${WHAT} with id '${id}' was found.`);
        const store = blobStoreOf(db);
        for (const session of outcome.sessions) {
          await store.deleteContainer(session).catch((err: unknown) => request.log.warn({ err, container: session }, 'could not empty a deleted connector\'s container'));
        }
        return reply.code(204).send();
      },
    },
    {
      method: 'GET',
      url: `${base}/:id/sourceSystem`,
      permission: industryDataSourceSystemsRead,
      async handler({ request, principal }) {
        const id = param(request, 'id');
        const connector = found(await getConnector(db, principal.tenantId, id), WHAT, id);
        const options = parseQueryOptions(query(request), sourceSystemSpec, { collection: false, options: ['select'] });
        const system = found(await getSourceSystem(db, principal.tenantId, connector.source_system_id), 'source system', connector.source_system_id);
        return {
          '@odata.context': contextUrl(root(request), `${CONNECTORS_PATH}('${id}')/sourceSystem`, { select: options.select, entity: true }),
          ...sourceSystemJson(system, options.select),
        };
      },
    },
    ...['validate', 'microsoft.graph.industryData.validate'].map(
      (action): GraphRoute => ({
        method: 'POST',
        url: `${base}/:id/${action}`,
        permission: industryDataConnectorsUpload,
        async handler({ request, reply, principal }) {
          const id = param(request, 'id');
          requireNoParameters(request.body, 'validate');
          const r = root(request);
          const operation = found(await startValidation(services, principal, r, id), WHAT, id);
          return accepted(reply, r, operation);
        },
      }),
    ),
    // getUploadSession in every form (actions.ts); one, two or three segments after the id.
    ...[':a', ':a/:b', ':a/:b/:c'].map(
      (segments): GraphRoute => ({
        method: 'GET',
        url: `${base}/:id/${segments}`,
        permission: industryDataConnectorsUpload,
        async handler({ request, principal }) {
          const params = request.params as Record<string, string>;
          const call = parseGetUploadSession([params.a, params.b, params.c].filter((s): s is string => s !== undefined), query(request));
          if (!call) {
            const last = params.c ?? params.b ?? params.a ?? '';
            throw badRequest(`Resource not found for the segment '${last}'.`);
          }
          const id = param(request, 'id');
          return found(await uploadSession(services, principal, root(request), id, call.reset, request.log), WHAT, id);
        },
      }),
    ),
  ];
}
