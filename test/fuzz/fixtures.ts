// What the generators aim at: real ids of the server under fuzz (a source system, a connector
// with an upload session, an inbound flow, the demo tenant's alerts, configurations, incidents and
// operations), created through the API before the cases run.
import assert from 'node:assert/strict';
import { ALERT_NAMES } from '../../src/families/roleManagementAlerts/model.js';
import type { SigningKey } from '../../src/auth/index.js';
import type { Client, FuzzRequest } from './client.js';
import type { Forger } from './forge.js';
import { forger } from './forge.js';
import type { Tokens } from './target.js';
import { TENANT } from './target.js';

export const PIM = '/beta/identityGovernance/roleManagementAlerts';
export const INDUSTRY = '/beta/external/industryData';
export const CAST = 'microsoft.graph.industryData.azureDataLakeConnector';
export const SCOPE_FILTER = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

export interface Fixtures {
  tokens: Tokens;
  forge: Forger;
  sourceSystemId: string;
  connectorId: string;
  inboundFlowId: string;
  /** The upload session's container and its signed query string (without `?`). */
  containerId: string;
  sas: string;
  alertIds: string[];
  incidentIds: string[];
  refreshOperationId: string;
  validateOperationId: string;
}

export const alertId = (name: string) => `DirectoryRole_${TENANT}_${name}`;

export async function call(client: Client, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const request: FuzzRequest = {
    method,
    path,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
  };
  const outcome = await client.send(request);
  const text = outcome.body.toString('utf8');
  return { status: outcome.status, headers: outcome.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

export const sourceSystemBody = () => ({ displayName: 'Fuzz source', vendor: 'Fuzz SIS' });

export const connectorBody = (sourceSystemId: string) => ({
  '@odata.type': `#${CAST}`,
  displayName: 'Fuzz connector',
  'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${sourceSystemId}')`,
  fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
});

export const inboundFlowBody = (connectorId: string) => ({
  '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
  'dataConnector@odata.bind': `https://graph.microsoft.com/beta/external/industryData/dataConnectors/${connectorId}`,
  displayName: 'Fuzz flow',
  dataDomain: 'educationRostering',
  effectiveDateTime: '2024-01-01T00:00:00Z',
});

async function created(client: Client, token: string, path: string, body: unknown): Promise<string> {
  const res = await call(client, token, 'POST', path, body);
  assert.equal(res.status, 201, `${path}: ${res.text}`);
  return res.json().id as string;
}

/** A connector with an upload session: its id, container and SAS. */
export async function connectorWithSession(client: Client, token: string, sourceSystemId: string) {
  const connectorId = await created(client, token, `${INDUSTRY}/dataConnectors`, connectorBody(sourceSystemId));
  const res = await call(client, token, 'GET', `${INDUSTRY}/dataConnectors/${connectorId}/${CAST}/getUploadSession`);
  assert.equal(res.status, 200, res.text);
  const url = new URL(res.json().sessionUrl as string);
  return { connectorId, containerId: url.pathname.split('/')[2]!, sas: url.search.slice(1) };
}

/** Polls an operation (`Prefer: wait`) until it ends or `boundMs` passes; the last body. */
export async function settle(client: Client, token: string, path: string, boundMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const res = await call(client, token, 'GET', path, undefined, { prefer: `wait=${Math.max(1, Math.min(10, left))}` });
    assert.equal(res.status, 200, `${path}: ${res.status} ${res.text}`);
    const op = res.json();
    if (op.status === 'succeeded' || op.status === 'failed' || Date.now() >= deadline) return op;
  }
}

export async function createFixtures(client: Client, tokens: Tokens, key: SigningKey): Promise<Fixtures> {
  const admin = tokens.admin;
  const sourceSystemId = await created(client, admin, `${INDUSTRY}/sourceSystems`, sourceSystemBody());
  const { connectorId, containerId, sas } = await connectorWithSession(client, admin, sourceSystemId);
  const inboundFlowId = await created(client, admin, `${INDUSTRY}/inboundFlows`, inboundFlowBody(connectorId));
  const validate = await call(client, admin, 'POST', `${INDUSTRY}/dataConnectors/${connectorId}/validate`);
  assert.equal(validate.status, 202, validate.text);
  const validateOperationId = String(validate.headers.location).split('/').pop()!;
  const refresh = await call(client, admin, 'POST', `${PIM}/alerts/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' });
  assert.equal(refresh.status, 202, refresh.text);
  const refreshOperationId = decodeURIComponent(String(refresh.headers.location).split('/').pop()!);
  await settle(client, admin, `${PIM}/operations/${encodeURIComponent(refreshOperationId)}`, 60_000);
  await settle(client, admin, `${INDUSTRY}/operations/${validateOperationId}`, 60_000);
  const alertIds = ALERT_NAMES.map(alertId);
  const incidentIds: string[] = [];
  for (const id of alertIds) {
    const res = await call(client, admin, 'GET', `${PIM}/alerts/${id}/alertIncidents?$top=2&$select=id`);
    if (res.status === 200) for (const row of res.json().value as { id: string }[]) incidentIds.push(row.id);
  }
  return { tokens, forge: forger(key), sourceSystemId, connectorId, inboundFlowId, containerId, sas, alertIds, incidentIds, refreshOperationId, validateOperationId };
}
