// What the client-proof suites share: a real server per backend over the demo tenant (every
// alert has incidents once refreshed), tokens, JSON calls, and an industry data connector with
// the Microsoft sample set uploaded through its upload session.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { DirectoryRoles } from '../../src/auth/index.js';
import { seedDemoTenant } from '../../src/directory/index.js';
import type { ServerConfig } from '../../src/http/server.js';
import type { Backend } from '../support/backends.js';
import { TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

export const ALERTS_ROOT = '/beta/identityGovernance/roleManagementAlerts';
export const INDUSTRY_ROOT = '/beta/external/industryData';
export const SCOPE = `$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'")}`;
export const alertId = (name: string) => `DirectoryRole_${TENANT}_${name}`;
export const CONNECTOR_TYPE = '#microsoft.graph.industryData.azureDataLakeConnector';
const SAMPLES = new URL('../../../test/fixtures/sds/v2.1/', import.meta.url);

export type Json = Record<string, unknown>;

export interface ClientSuite {
  ts: TestServer;
  /** Delegated: PIM alerts read/write (Privileged Role Administrator) and every industry data permission. */
  writer: string;
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** GET that must answer 200: the body as text (parsed by the caller's client). */
  text(path: string): Promise<string>;
  /** Polls an operation URL with Prefer: wait until it is final. */
  finish(location: string): Promise<Json>;
  close(): Promise<void>;
}

export async function startClientSuite(backend: Backend, options: { users?: number; config?: Partial<ServerConfig> } = {}): Promise<ClientSuite> {
  const ts = await startTestServer(backend, options.config);
  await seedDemoTenant(ts.server.db, TENANT, { users: options.users ?? 60 });
  const writer = await ts.token({
    scopes: [
      'RoleManagementAlert.ReadWrite.Directory',
      'IndustryData-SourceSystem.ReadWrite.All',
      'IndustryData-DataConnector.ReadWrite.All',
      'IndustryData-InboundFlow.ReadWrite.All',
      'IndustryData.ReadBasic.All',
    ],
    wids: [DirectoryRoles.privilegedRoleAdministrator],
  });
  const call = (method: string, path: string, o: { body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(path.startsWith('http') ? path : `${ts.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${writer}`,
        ...(o.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  const text = async (path: string) => {
    const res = await call('GET', path);
    const body = await res.text();
    assert.equal(res.status, 200, `${path}: ${res.status} ${body}`);
    return body;
  };
  const finish = async (location: string) => {
    for (let i = 0; i < 60; i++) {
      const res = await call('GET', location, { headers: { prefer: 'wait=10' } });
      assert.equal(res.status, 200, await res.clone().text());
      const op = (await res.json()) as Json;
      if (op.status === 'succeeded' || op.status === 'failed') return op;
    }
    throw new Error(`operation ${location} did not finish`);
  };
  return { ts, writer, call, text, finish, close: () => ts.close() };
}

/** POST …/alerts/refresh for the tenant scope and waits for it: afterwards every alert has been scanned. */
export async function refreshAll(s: ClientSuite): Promise<Json> {
  const res = await s.call('POST', `${ALERTS_ROOT}/alerts/refresh`, { body: { scopeId: '/', scopeType: 'DirectoryRole' } });
  assert.equal(res.status, 202, await res.clone().text());
  const op = await s.finish(res.headers.get('location')!);
  assert.equal(op.status, 'succeeded', JSON.stringify(op));
  return op;
}

/** A source system and an azureDataLakeConnector (SDS v2.1 format); the connector's JSON. */
export async function createConnector(s: ClientSuite): Promise<Json> {
  const sys = await s.call('POST', `${INDUSTRY_ROOT}/sourceSystems`, { body: { displayName: 'Rostering source', vendor: 'Contoso SIS' } });
  const system = (await sys.json()) as Json;
  assert.equal(sys.status, 201, JSON.stringify(system));
  const res = await s.call('POST', `${INDUSTRY_ROOT}/dataConnectors`, {
    body: {
      '@odata.type': CONNECTOR_TYPE,
      displayName: 'CSV connector',
      'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${String(system.id)}')`,
      fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
    },
  });
  const connector = (await res.json()) as Json;
  assert.equal(res.status, 201, JSON.stringify(connector));
  return connector;
}

export const uploadSessionPath = (connectorId: string) => `${INDUSTRY_ROOT}/dataConnectors/${connectorId}/microsoft.graph.industryData.azureDataLakeConnector/getUploadSession`;

/** PUTs CSV files to the session's SAS container URL as Azure Blob block blobs (all of the sample set unless named). */
export async function upload(sessionUrl: string, names?: string[]): Promise<string[]> {
  const files = names ?? readdirSync(SAMPLES).filter((n) => n.endsWith('.csv')).sort();
  const base = new URL(sessionUrl);
  for (const name of files) {
    const url = new URL(base);
    url.pathname = `${base.pathname.replace(/\/$/, '')}/${name}`;
    const res = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/csv' }, body: readFileSync(new URL(name, SAMPLES)) });
    assert.equal(res.status, 201, `${name}: ${res.status} ${await res.text()}`);
  }
  return files;
}
