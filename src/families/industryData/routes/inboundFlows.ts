// inboundFlows, as much as `…/inboundFlows/{id}/dataConnector/validate` needs (spec §4.2, §4.7):
// inboundFileFlows bound to a data connector — list, get, create, delete — and the flow's
// dataConnector navigation with its validate action.
import { industryDataConnectorsRead, industryDataConnectorsUpload, industryDataInboundFlowsRead, industryDataInboundFlowsWrite } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { badRequest } from '../../../graph/errors.js';
import { listPage } from '../../../graph/list.js';
import type { ExpandItem } from '../../../graph/odata/query.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import type { Db } from '../../../db/db.js';
import { parseInboundFlowCreate, requireNoParameters } from '../bodies.js';
import { INBOUND_FLOWS_PATH } from '../model.js';
import { connectorJson, connectorSpec, inboundFlowJson, inboundFlowSpec } from '../resources.js';
import type { InboundFlowRow } from '../store.js';
import { countInboundFlows, deleteInboundFlow, getConnector, getInboundFlow, insertInboundFlow, listInboundFlows } from '../store.js';
import { startValidation } from './actions.js';
import { accepted, countRoute, created, found, param, query } from './common.js';
import { connectorExpansions } from './dataConnectors.js';

const WHAT = 'inbound flow';

async function flowExpansions(db: Db, tenantId: string, rows: readonly InboundFlowRow[], expand: readonly ExpandItem[]): Promise<Record<string, unknown>[]> {
  const item = expand.find((e) => e.property === 'dataConnector');
  if (!item) return rows.map(() => ({}));
  return Promise.all(
    rows.map(async (row) => {
      const connector = await getConnector(db, tenantId, row.connector_id);
      return { dataConnector: connector ? connectorJson(connector, item.options.select) : null };
    }),
  );
}

export function inboundFlowRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${INBOUND_FLOWS_PATH}`;
  return [
    countRoute(base, industryDataInboundFlowsRead, inboundFlowSpec, (principal, page) => countInboundFlows(db, principal.tenantId, page)),
    {
      method: 'GET',
      url: base,
      permission: industryDataInboundFlowsRead,
      async handler({ request, reply, principal }) {
        return listPage<InboundFlowRow>(request, reply, services, {
          spec: inboundFlowSpec,
          path: INBOUND_FLOWS_PATH,
          reservedParams: 1,
          fetch: (page) => listInboundFlows(db, principal.tenantId, page),
          count: (page) => countInboundFlows(db, principal.tenantId, page),
          toJson: inboundFlowJson,
          expand: (rows, expand) => flowExpansions(db, principal.tenantId, rows, expand),
        });
      },
    },
    {
      method: 'POST',
      url: base,
      permission: industryDataInboundFlowsWrite,
      async handler({ request, reply, principal }) {
        const fields = parseInboundFlowCreate(request.body);
        const row = await insertInboundFlow(db, principal.tenantId, fields);
        if (!row) {
          throw badRequest(`The data connector '${fields.connectorId}' bound by 'dataConnector@odata.bind' does not exist; create it first.`, 'dataConnector@odata.bind');
        }
        const root = serviceRoot(request, services.publicUrl);
        return created(reply, `${root}/${INBOUND_FLOWS_PATH}/${row.id}`, { '@odata.context': contextUrl(root, INBOUND_FLOWS_PATH, { entity: true }), ...inboundFlowJson(row) });
      },
    },
    {
      method: 'GET',
      url: `${base}/:id`,
      permission: industryDataInboundFlowsRead,
      async handler({ request, principal }) {
        const id = param(request, 'id');
        const options = parseQueryOptions(query(request), inboundFlowSpec, { collection: false });
        const row = found(await getInboundFlow(db, principal.tenantId, id), WHAT, id);
        const [expanded] = options.expand?.length ? await flowExpansions(db, principal.tenantId, [row], options.expand) : [];
        const root = serviceRoot(request, services.publicUrl);
        return {
          '@odata.context': contextUrl(root, INBOUND_FLOWS_PATH, { select: options.select, expand: options.expand, entity: true }),
          ...inboundFlowJson(row, options.select),
          ...expanded,
        };
      },
    },
    {
      method: 'DELETE',
      url: `${base}/:id`,
      permission: industryDataInboundFlowsWrite,
      async handler({ request, reply, principal }) {
        const id = param(request, 'id');
        found((await deleteInboundFlow(db, principal.tenantId, id)) || undefined, WHAT, id);
        return reply.code(204).send();
      },
    },
    {
      method: 'GET',
      url: `${base}/:id/dataConnector`,
      permission: industryDataConnectorsRead,
      async handler({ request, principal }) {
        const id = param(request, 'id');
        const flow = found(await getInboundFlow(db, principal.tenantId, id), WHAT, id);
        const options = parseQueryOptions(query(request), connectorSpec, { collection: false });
        const connector = found(await getConnector(db, principal.tenantId, flow.connector_id), 'data connector', flow.connector_id);
        const [expanded] = options.expand?.length ? await connectorExpansions(db, principal.tenantId, [connector], options.expand) : [];
        const root = serviceRoot(request, services.publicUrl);
        return {
          '@odata.context': contextUrl(root, `${INBOUND_FLOWS_PATH}('${id}')/dataConnector`, { select: options.select, expand: options.expand, entity: true }),
          ...connectorJson(connector, options.select),
          ...expanded,
        };
      },
    },
    ...['validate', 'microsoft.graph.industryData.validate'].map(
      (action): GraphRoute => ({
        method: 'POST',
        url: `${base}/:id/dataConnector/${action}`,
        permission: industryDataConnectorsUpload,
        async handler({ request, reply, principal }) {
          const id = param(request, 'id');
          requireNoParameters(request.body, 'validate');
          const flow = found(await getInboundFlow(db, principal.tenantId, id), WHAT, id);
          const root = serviceRoot(request, services.publicUrl);
          const operation = found(await startValidation(services, principal, root, flow.connector_id), 'data connector', flow.connector_id);
          return accepted(reply, root, operation);
        },
      }),
    ),
  ];
}
