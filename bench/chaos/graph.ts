// The Graph calls the load makes: refreshes, connectors, uploads through the session URL,
// validate, following an operation with Prefer: wait, and reading every alert's incidents.
import type { Api, Reply } from './http.js';
import type { Files } from './fixtures.js';
import { ALERT_NAMES, alertId } from './fixtures.js';
import { canonical } from './util.js';

const PIM = '/beta/identityGovernance/roleManagementAlerts';
const IND = '/beta/external/industryData';

export const TOKEN_ROLES = [
  'RoleManagementAlert.ReadWrite.Directory',
  'IndustryData-SourceSystem.ReadWrite.All',
  'IndustryData-DataConnector.ReadWrite.All',
  'IndustryData.ReadBasic.All',
];

/** A refresh target: one alert, or 'all' (refresh-all of the tenant). */
export async function startRefresh(api: Api, tenant: string, target: string): Promise<string> {
  const reply =
    target === 'all'
      ? await api.expect('POST', `${PIM}/alerts/refresh`, [202], { body: { scopeId: '/', scopeType: 'DirectoryRole' } })
      : await api.expect('POST', `${PIM}/alerts/${alertId(tenant, target)}/refresh`, [202]);
  return reply.headers.get('location')!;
}

export async function createSourceSystem(api: Api): Promise<string> {
  const reply = await api.expect('POST', `${IND}/sourceSystems`, [201], { body: { displayName: 'Chaos SIS', vendor: 'chaos' } });
  return reply.json!.id as string;
}

export async function createConnector(api: Api, sourceSystem: string, name: string): Promise<string> {
  const reply = await api.expect('POST', `${IND}/dataConnectors`, [201], {
    body: {
      '@odata.type': '#microsoft.graph.industryData.azureDataLakeConnector',
      displayName: name.slice(0, 100),
      'sourceSystem@odata.bind': `external/industryData/sourceSystems('${sourceSystem}')`,
      fileFormat: { code: 'schoolDataSyncV2Rev1' },
    },
  });
  return reply.json!.id as string;
}

export async function uploadSession(api: Api, connector: string): Promise<string> {
  const reply = await api.expect('GET', `${IND}/dataConnectors/${connector}/microsoft.graph.industryData.azureDataLakeConnector/getUploadSession`, [200]);
  return reply.json!.sessionUrl as string;
}

/** The URL of one blob of an upload session's container (the SAS query kept). */
export function blobUrl(sessionUrl: string, name: string): string {
  const u = new URL(sessionUrl);
  return `${u.pathname}/${encodeURIComponent(name)}${u.search}`;
}

/** Put Blob of every file (no bearer token: the URL's signature is the authorization). */
export async function upload(api: Api, sessionUrl: string, files: Files): Promise<void> {
  for (const [name, body] of files) {
    await api.expect('PUT', blobUrl(sessionUrl, name), [201], {
      raw: body,
      headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2021-12-02', 'content-type': 'text/csv' },
      noAuth: true,
    });
  }
}

export async function startValidate(api: Api, connector: string): Promise<string> {
  const reply = await api.expect('POST', `${IND}/dataConnectors/${connector}/validate`, [202]);
  return reply.headers.get('location')!;
}

export const isFinal = (status: unknown) => status === 'succeeded' || status === 'failed';

export interface Followed {
  status: string;
  statusDetail: string;
  createdDateTime: string;
  body: Record<string, unknown>;
  /** 404 answered while following (the operation vanished). */
  vanished?: boolean;
}

/**
 * Follows an operation with `Prefer: wait` long-polls until it is final or `until()` says to stop
 * (then the last state seen). `onSeen` gets every state (for createdDateTime and running).
 */
export async function follow(api: Api, location: string, until: () => boolean, onSeen?: (op: Record<string, unknown>) => void): Promise<Followed> {
  let last: Record<string, unknown> = {};
  for (;;) {
    const reply: Reply = await api.request('GET', location, { headers: { prefer: 'wait=10' }, timeoutMs: 30_000, deadlineMs: 600_000 });
    if (reply.status === 404) return { status: 'vanished', statusDetail: '', createdDateTime: String(last.createdDateTime ?? ''), body: last, vanished: true };
    if (reply.status !== 200) throw new Error(`GET operation: ${reply.status} ${reply.text.slice(0, 200)}`);
    last = reply.json!;
    onSeen?.(last);
    if (isFinal(last.status) || until()) return { status: String(last.status), statusDetail: String(last.statusDetail ?? ''), createdDateTime: String(last.createdDateTime ?? ''), body: last };
  }
}

/** What a validation produced: the part of the operation compared with a clean run. */
export const validationResult = (op: Record<string, unknown>) => ({ validatedFiles: op.validatedFiles ?? null, errors: op.errors ?? null, warnings: op.warnings ?? null });

/** Every incident of every alert of the tenant, canonical JSON per alert (sorted by id), with the alert's incidentCount. */
export async function readIncidents(api: Api, tenant: string): Promise<Record<string, { incidentCount: unknown; incidents: string[] }>> {
  const out: Record<string, { incidentCount: unknown; incidents: string[] }> = {};
  for (const name of ALERT_NAMES) {
    const id = alertId(tenant, name);
    const alert = await api.expect('GET', `${PIM}/alerts/${id}`, [200]);
    const incidents: Record<string, unknown>[] = [];
    let next: string | undefined = `${PIM}/alerts/${id}/alertIncidents?$top=999`;
    while (next) {
      const page = await api.expect('GET', next, [200]);
      incidents.push(...((page.json!.value as Record<string, unknown>[]) ?? []));
      next = page.json!['@odata.nextLink'] as string | undefined;
    }
    out[name] = {
      incidentCount: alert.json!.incidentCount,
      incidents: incidents.map((i) => canonical(i)).sort(),
    };
  }
  return out;
}
