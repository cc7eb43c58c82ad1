// alertIncidents of one alert: list (paged), get, and the remediate action.
import { roleManagementAlertsRead, roleManagementAlertsWrite } from '../../../auth/index.js';
import { contextUrl, serviceRoot } from '../../../graph/context.js';
import { badRequest, notFound } from '../../../graph/errors.js';
import { listPage } from '../../../graph/list.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { GraphRoute } from '../../../graph/route.js';
import type { Services } from '../../../graph/services.js';
import { requireNoParameters } from '../bodies.js';
import { alertId, ALERTS_PATH } from '../model.js';
import { incidentJson, incidentSpecs } from '../resources.js';
import type { IncidentRow } from '../store.js';
import { countIncidents, getIncident, listIncidents, remediateIncident } from '../store.js';
import { alertOf, countRoute, param, query } from './common.js';

/** `…/alerts('{alertId}')/alertIncidents`: the context path of an alert's incidents (spec §5.5). */
const incidentsPath = (id: string) => `${ALERTS_PATH}('${id}')/alertIncidents`;

export function incidentRoutes(services: Services): GraphRoute[] {
  const db = services.engine.db;
  const base = `/beta/${ALERTS_PATH}/:alertId/alertIncidents`;
  const noIncident = (id: string) => notFound(`No alert incident with id '${id}' was found.`);
  const nameOf = (request: Parameters<typeof param>[0], tenantId: string) => alertOf(tenantId, param(request, 'alertId'));
  return [
    countRoute(
      base,
      (request, principal) => incidentSpecs[nameOf(request, principal.tenantId)],
      (request, principal, page) => countIncidents(db, principal.tenantId, nameOf(request, principal.tenantId), page),
      false,
    ),
    {
      method: 'GET',
      url: base,
      permission: roleManagementAlertsRead,
      async handler({ request, reply, principal }) {
        const tenantId = principal.tenantId;
        const name = alertOf(tenantId, param(request, 'alertId'));
        const id = alertId(tenantId, name);
        return listPage<IncidentRow>(request, reply, services, {
          spec: incidentSpecs[name],
          path: incidentsPath(id),
          linkPath: `${ALERTS_PATH}/${id}/alertIncidents`,
          reservedParams: 2,
          fetch: (page) => listIncidents(db, tenantId, name, page),
          count: (page) => countIncidents(db, tenantId, name, page),
          toJson: (row, select) => incidentJson(name, row, select),
        });
      },
    },
    {
      method: 'GET',
      url: `${base}/:incidentId`,
      permission: roleManagementAlertsRead,
      async handler({ request, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'alertId'));
        const options = parseQueryOptions(query(request), incidentSpecs[name], { collection: false });
        const incidentId = param(request, 'incidentId');
        const row = await getIncident(db, principal.tenantId, name, incidentId);
        if (!row) throw noIncident(incidentId);
        const root = serviceRoot(request, services.publicUrl);
        return {
          '@odata.context': contextUrl(root, incidentsPath(alertId(principal.tenantId, name)), { select: options.select, entity: true }),
          ...incidentJson(name, row, options.select),
        };
      },
    },
    {
      method: 'POST',
      url: `${base}/:incidentId/remediate`,
      permission: roleManagementAlertsWrite,
      async handler({ request, reply, principal }) {
        const name = alertOf(principal.tenantId, param(request, 'alertId'));
        requireNoParameters(request.body, 'remediate');
        const incidentId = param(request, 'incidentId');
        const outcome = await remediateIncident(db, principal.tenantId, name, incidentId);
        if (outcome === 'notFound') throw noIncident(incidentId);
        if (outcome === 'notRemediatable') {
          throw badRequest(`Incidents of alert '${alertId(principal.tenantId, name)}' cannot be remediated: its definition is not remediatable (isRemediatable is false).`);
        }
        return reply.code(200).send();
      },
    },
  ];
}
