// What the OData query options see of each collection (ResourceSpecs over store.ts's tables) and
// the JSON of each entity, in the order the service writes its properties.
import type { PropertySpec, ResourceSpec } from '../../graph/odata/resource.js';
import { DATA_DOMAINS, TYPES } from './model.js';
import type { ConnectorRow, InboundFlowRow, SessionRow, SourceSystemRow } from './store.js';

const key: PropertySpec = { column: 'id', type: 'string', nullable: false };
const text = (column: string, nullable = false): PropertySpec => ({ column, type: 'string', nullable });
const opaque = (column: string): PropertySpec => ({ column, type: 'string', filterable: false, sortable: false });

export const sourceSystemSpec: ResourceSpec = {
  typeName: TYPES.sourceSystem,
  key: 'id',
  properties: {
    id: key,
    displayName: text('display_name'),
    vendor: text('vendor', true),
    userMatchingSettings: opaque('user_matching_settings'),
  },
};

export const connectorSpec: ResourceSpec = {
  typeName: TYPES.connector,
  key: 'id',
  properties: {
    id: key,
    displayName: text('display_name'),
    fileFormat: opaque('file_format_code'),
    // `$filter=fileFormat/code eq 'schoolDataSyncV2Rev1'`
    'fileFormat/code': { ...text('file_format_code'), caseSensitive: true },
  },
  expandable: { sourceSystem: { target: sourceSystemSpec, collection: false } },
};

export const inboundFlowSpec: ResourceSpec = {
  typeName: TYPES.inboundFlow,
  key: 'id',
  properties: {
    id: key,
    displayName: text('display_name'),
    dataDomain: { column: 'data_domain', type: 'enum', values: DATA_DOMAINS, enumType: 'microsoft.graph.industryData.inboundDomain', nullable: false },
    effectiveDateTime: { column: 'effective_at', type: 'datetime', nullable: false },
    expirationDateTime: { column: 'expires_at', type: 'datetime' },
    readinessStatus: { column: 'expires_at', type: 'string', filterable: false, sortable: false },
  },
  expandable: { dataConnector: { target: connectorSpec, collection: false } },
};

/** `all` limited to `select` (in the order selected); annotations always stay. */
function pick(annotations: Record<string, unknown>, all: Record<string, unknown>, select?: readonly string[]): Record<string, unknown> {
  const json = { ...annotations };
  const names = select?.length && !select.includes('*') ? select : Object.keys(all);
  for (const name of names) if (Object.hasOwn(all, name)) json[name] = all[name];
  return json;
}

export function sourceSystemJson(row: SourceSystemRow, select?: readonly string[]): Record<string, unknown> {
  return pick({}, {
    id: row.id,
    displayName: row.display_name,
    vendor: row.vendor,
    userMatchingSettings: row.user_matching_settings.map((s) => ({
      matchTarget: s.matchTarget,
      priorityOrder: s.priorityOrder,
      sourceIdentifier: s.sourceIdentifier,
    })),
  }, select);
}

/** Always typed: the declared type (industryDataConnector) is abstract. */
export function connectorJson(row: ConnectorRow, select?: readonly string[]): Record<string, unknown> {
  return pick({ '@odata.type': `#${TYPES.azureDataLakeConnector}` }, {
    id: row.id,
    displayName: row.display_name,
    fileFormat: { '@odata.type': `#${TYPES.fileFormat}`, code: row.file_format_code },
  }, select);
}

/** `expired` past its expiration, else `ready` (its connector exists: the database keeps it). */
export function readiness(row: InboundFlowRow, now = Date.now()): string {
  return row.expires_at !== null && Date.parse(row.expires_at) <= now ? 'expired' : 'ready';
}

/** Always typed: inboundFlow is abstract; only file flows are created here. */
export function inboundFlowJson(row: InboundFlowRow, select?: readonly string[]): Record<string, unknown> {
  return pick({ '@odata.type': `#${TYPES.inboundFileFlow}` }, {
    id: row.id,
    displayName: row.display_name,
    readinessStatus: readiness(row),
    dataDomain: row.data_domain,
    effectiveDateTime: row.effective_at,
    expirationDateTime: row.expires_at,
  }, select);
}

/** `microsoft.graph.industryData.fileUploadSession` (spec §4.3). */
export function uploadSessionJson(session: SessionRow, sessionUrl: string, sessionExpiresAt: Date): Record<string, unknown> {
  return {
    containerExpirationDateTime: session.container_expires_at,
    containerId: session.id,
    sessionExpirationDateTime: sessionExpiresAt.toISOString(),
    sessionUrl,
  };
}
