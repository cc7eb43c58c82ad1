// What the industry data suites share: a real server per backend, tokens with the family's
// permissions, JSON calls, and the steps every scenario starts with (a source system, a
// connector, an upload session).
import assert from 'node:assert/strict';
import type { MintOptions } from '../../../src/auth/index.js';
import type { ServerConfig } from '../../../src/http/server.js';
import type { Backend } from '../../support/backends.js';
import { TENANT } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

export const ROOT = '/beta/external/industryData';
export const CONNECTORS = `${ROOT}/dataConnectors`;
export const SOURCE_SYSTEMS = `${ROOT}/sourceSystems`;
export const INBOUND_FLOWS = `${ROOT}/inboundFlows`;
export const OPERATIONS = `${ROOT}/operations`;
export const YEARS = `${ROOT}/years`;
export const CAST = 'microsoft.graph.industryData.azureDataLakeConnector';
export const CONNECTOR_TYPE = `#${CAST}`;
export const SAMPLES = new URL('../../../../test/fixtures/sds/v2.1/', import.meta.url);

/** Every permission of the family, delegated. */
export const ALL_SCOPES = [
  'IndustryData-SourceSystem.ReadWrite.All',
  'IndustryData-DataConnector.ReadWrite.All',
  'IndustryData-InboundFlow.ReadWrite.All',
  'IndustryData.ReadBasic.All',
  'IndustryData-TimePeriod.ReadWrite.All',
];

export type Json = Record<string, unknown>;
export const json = async (res: Response) => (await res.json()) as Json;

export interface Call {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Suite {
  ts: TestServer;
  /** A delegated token of TENANT with every permission. */
  admin: string;
  token(options: Partial<Omit<MintOptions, 'key'>>): Promise<string>;
  call(method: string, path: string, options?: Call): Promise<Response>;
  /** GET that must answer 200; the JSON body. */
  get(path: string, token?: string): Promise<Json>;
  expectError(res: Response, status: number, code: string, mentions?: string | RegExp, target?: string): Promise<Json>;
  sourceSystem(body?: Json, token?: string): Promise<Json>;
  connector(sourceSystemId: string, body?: Json, token?: string): Promise<Json>;
  session(connectorId: string, form?: string, token?: string): Promise<Json>;
  close(): Promise<void>;
}

export async function startSuite(backend: Backend, config: Partial<ServerConfig> = {}): Promise<Suite> {
  const ts = await startTestServer(backend, config);
  const token = (options: Partial<Omit<MintOptions, 'key'>>) => ts.token({ scopes: ALL_SCOPES, wids: [], ...options });
  const admin = await token({});
  const call = (method: string, path: string, options: Call = {}) =>
    fetch(path.startsWith('http') ? path : `${ts.url}${path}`, {
      method,
      headers: {
        ...(options.token === '' ? {} : { authorization: `Bearer ${options.token ?? admin}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    });
  const get = async (path: string, t?: string) => {
    const res = await call('GET', path, { token: t });
    assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
    return json(res);
  };
  const expectError = async (res: Response, status: number, code: string, mentions?: string | RegExp, target?: string) => {
    const text = await res.text();
    assert.equal(res.status, status, text);
    const body = JSON.parse(text) as { error: Json };
    assert.equal(body.error.code, code, text);
    if (mentions !== undefined) assert.match(body.error.message as string, typeof mentions === 'string' ? new RegExp(mentions.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : mentions);
    if (target !== undefined) assert.equal(body.error.target, target, text);
    return body.error;
  };
  const created = async (res: Response) => {
    const text = await res.text();
    assert.equal(res.status, 201, text);
    return JSON.parse(text) as Json;
  };
  return {
    ts,
    admin,
    token,
    call,
    get,
    expectError,
    sourceSystem: async (body = { displayName: 'Rostering source', vendor: 'Contoso SIS' }, t) => created(await call('POST', SOURCE_SYSTEMS, { body, token: t })),
    connector: async (sourceSystemId, body = {}, t) =>
      created(
        await call('POST', CONNECTORS, {
          token: t,
          body: {
            '@odata.type': CONNECTOR_TYPE,
            displayName: 'CSV connector',
            'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${sourceSystemId}')`,
            fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
            ...body,
          },
        }),
      ),
    session: (connectorId, form = `${CAST}/getUploadSession`, t) => get(`${CONNECTORS}/${connectorId}/${form}`, t),
    close: () => ts.close(),
  };
}

export { TENANT };
