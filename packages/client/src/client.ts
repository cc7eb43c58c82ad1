// GraphLroClient: the actions of both families (role management alert refreshes, industry data
// validation and file upload) on top of pollOperation, with a token provider as Graph SDKs take.
import { GraphError } from './errors.js';
import type {
  AlertExpansion,
  AnyOperation,
  CollectionPage,
  DataConnector,
  FileUploadSession,
  FileValidateOperation,
  IndustryDataRun,
  IndustryDataRunActivity,
  IndustryDataRunStatistics,
  LongRunningOperation,
  UnifiedRoleManagementAlert,
} from './models.js';
import type { FetchLike, PollOptions, PollState, TokenProvider } from './poller.js';
import { operationUrlOf, pollOperation } from './poller.js';

export interface GraphLroClientOptions {
  /** The service root (`http://127.0.0.1:3000`) or its `/beta` endpoint. */
  baseUrl: string;
  token: TokenProvider;
  fetch?: FetchLike;
  /** Defaults for every poll (waitSeconds, delays, onProgress, …). */
  poll?: Omit<PollOptions, 'token' | 'fetch' | 'signal'>;
}

/** Per call: a signal, progress, or other poll settings. */
export type CallOptions = Partial<Omit<PollOptions, 'token' | 'fetch'>> & { state?: PollState };

/** An operation that was started: its URL (all a later process needs to resume) and the server's hint. */
export interface StartedOperation {
  url: string;
  retryAfterSeconds: number | undefined;
  response: Response;
}

export type OperationFamily = 'roleManagementAlerts' | 'industryData';

export interface UploadFile {
  name: string;
  data: Blob | ArrayBuffer | Uint8Array | string;
  contentType?: string;
}

export interface UploadOptions {
  /** Files larger than this go as Put Block + Put Block List. Default 8 MiB. */
  singlePutMaxBytes?: number;
  /** Block size for big files. Default 4 MiB. */
  blockBytes?: number;
  signal?: AbortSignal;
}

const ALERTS = 'identityGovernance/roleManagementAlerts';
const INDUSTRY = 'external/industryData';
const SCOPE_FILTER = "scopeId eq '/' and scopeType eq 'DirectoryRole'";

const enc = encodeURIComponent;

export class GraphLroClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: GraphLroClientOptions) {
    const trimmed = options.baseUrl.replace(/\/+$/, '');
    this.baseUrl = /\/beta$/.test(trimmed) ? trimmed : `${trimmed}/beta`;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** A request to the service with the bearer token; error answers reject with GraphError. */
  async request(method: string, pathOrUrl: string, init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const url = /^https?:/i.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}/${pathOrUrl.replace(/^\//, '')}`;
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers, authorization: `Bearer ${await this.options.token()}` };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    const res = await this.fetchImpl(url, { method, headers, body, signal: init.signal });
    if (!res.ok) throw await GraphError.fromResponse(res);
    return res;
  }

  private async json<T>(method: string, path: string, init: { body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    return (await (await this.request(method, path, init)).json()) as T;
  }

  private async all<T>(path: string, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: CollectionPage<T> = await this.json<CollectionPage<T>>('GET', next, { signal });
      items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  private async start(path: string, body: unknown, signal?: AbortSignal): Promise<StartedOperation> {
    const response = await this.request('POST', path, { body, signal });
    const retry = response.headers.get('retry-after');
    return { url: operationUrlOf(response), retryAfterSeconds: retry === null ? undefined : Number(retry), response };
  }

  /** Follows an operation (its URL) to its end. */
  poll<T extends AnyOperation = AnyOperation>(url: string, options: CallOptions = {}): Promise<T> {
    const { state, ...rest } = options;
    return pollOperation<T>(url, { ...this.options.poll, ...rest, token: this.options.token, fetch: this.fetchImpl }, state);
  }

  readonly alerts = {
    /** All alerts of the directory scope (the scope filter Graph requires is added). */
    list: (options: { expand?: AlertExpansion[]; signal?: AbortSignal } = {}): Promise<UnifiedRoleManagementAlert[]> => {
      const expand = options.expand?.length ? `&$expand=${enc(options.expand.join(','))}` : '';
      return this.all<UnifiedRoleManagementAlert>(`${ALERTS}/alerts?$filter=${enc(SCOPE_FILTER)}${expand}`, options.signal);
    },
    get: (alertId: string, options: { expand?: AlertExpansion[]; signal?: AbortSignal } = {}): Promise<UnifiedRoleManagementAlert> => {
      const expand = options.expand?.length ? `?$expand=${enc(options.expand.join(','))}` : '';
      return this.json<UnifiedRoleManagementAlert>('GET', `${ALERTS}/alerts/${enc(alertId)}${expand}`, { signal: options.signal });
    },
    /** POST …/alerts/{id}/refresh: the 202's operation URL, without waiting. */
    startRefresh: (alertId: string, signal?: AbortSignal) => this.start(`${ALERTS}/alerts/${enc(alertId)}/refresh`, undefined, signal),
    /** POST …/alerts/refresh for the directory scope, without waiting. */
    startRefreshAll: (signal?: AbortSignal) => this.start(`${ALERTS}/alerts/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' }, signal),
    /** Refreshes one alert and resolves with the succeeded operation (resourceLocation is the alert). */
    refresh: async (alertId: string, options: CallOptions = {}): Promise<LongRunningOperation> =>
      this.poll<LongRunningOperation>((await this.alerts.startRefresh(alertId, options.signal)).url, options),
    /** Refreshes every alert of the directory scope. */
    refreshAll: async (options: CallOptions = {}): Promise<LongRunningOperation> =>
      this.poll<LongRunningOperation>((await this.alerts.startRefreshAll(options.signal)).url, options),
  };

  readonly operations = {
    /** One read of an operation: its URL, or its id in a family (default role management alerts). */
    get: <T extends AnyOperation = AnyOperation>(urlOrId: string, options: { family?: OperationFamily; signal?: AbortSignal } = {}): Promise<T> => {
      if (/^https?:/i.test(urlOrId)) return this.json<T>('GET', urlOrId, { signal: options.signal });
      const root = options.family === 'industryData' ? INDUSTRY : ALERTS;
      return this.json<T>('GET', `${root}/operations/${enc(urlOrId)}`, { signal: options.signal });
    },
    poll: <T extends AnyOperation = AnyOperation>(url: string, options: CallOptions = {}) => this.poll<T>(url, options),
  };

  readonly connectors = {
    list: (signal?: AbortSignal) => this.all<DataConnector>(`${INDUSTRY}/dataConnectors`, signal),
    get: (connectorId: string, signal?: AbortSignal) => this.json<DataConnector>('GET', `${INDUSTRY}/dataConnectors/${enc(connectorId)}`, { signal }),
    /** GET …/dataConnectors/{id}/getUploadSession(resetSession=…). */
    getUploadSession: (connectorId: string, options: { reset?: boolean; signal?: AbortSignal } = {}) =>
      this.json<FileUploadSession>(
        'GET',
        `${INDUSTRY}/dataConnectors/${enc(connectorId)}/getUploadSession(resetSession=${options.reset ? 'true' : 'false'})`,
        { signal: options.signal },
      ),
    startValidate: (connectorId: string, signal?: AbortSignal) =>
      this.start(`${INDUSTRY}/dataConnectors/${enc(connectorId)}/microsoft.graph.industryData.validate`, undefined, signal),
    /** Validates the uploaded files; resolves with the validation (which may carry errors: status is about the operation). */
    validate: async (connectorId: string, options: CallOptions = {}): Promise<FileValidateOperation> =>
      this.poll<FileValidateOperation>((await this.connectors.startValidate(connectorId, options.signal)).url, options),
  };

  readonly runs = {
    /** Newest first. */
    list: (signal?: AbortSignal) => this.all<IndustryDataRun>(`${INDUSTRY}/runs?$orderby=${enc('startDateTime desc')}`, signal),
    get: (runId: string, signal?: AbortSignal) => this.json<IndustryDataRun>('GET', `${INDUSTRY}/runs/${enc(runId)}`, { signal }),
    activities: (runId: string, signal?: AbortSignal) => this.all<IndustryDataRunActivity>(`${INDUSTRY}/runs/${enc(runId)}/activities`, signal),
    statistics: (runId: string, signal?: AbortSignal) => this.json<IndustryDataRunStatistics>('GET', `${INDUSTRY}/runs/${enc(runId)}/getStatistics`, { signal }),
    /** POST …/runs/start: the 202's operation URL, without waiting (a 429 when five runs succeeded in 12 hours). */
    startRun: (signal?: AbortSignal) => this.start(`${INDUSTRY}/runs/microsoft.graph.industryData.start`, undefined, signal),
    /** Starts a run and resolves with its operation once it ends (resourceLocation is the run). */
    start: async (options: CallOptions = {}): Promise<LongRunningOperation> => this.poll<LongRunningOperation>((await this.runs.startRun(options.signal)).url, options),
  };

  /** Uploads files to an upload session's container (a subset of the Azure Blob REST API). */
  uploadFiles(sessionUrl: string, files: UploadFile[], options: UploadOptions = {}): Promise<void> {
    return uploadFiles(sessionUrl, files, { ...options, fetch: this.fetchImpl });
  }
}

const BLOB_VERSION = '2023-11-03';

function blobUrl(sessionUrl: string, name: string, query: Record<string, string> = {}): string {
  const url = new URL(sessionUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${name.split('/').map(enc).join('/')}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

async function bytesOf(data: UploadFile['data']): Promise<Uint8Array> {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer());
}

async function blobCall(doFetch: FetchLike, url: string, init: RequestInit): Promise<void> {
  const res = await doFetch(url, init);
  if (!res.ok) throw await GraphError.fromResponse(res);
  await res.arrayBuffer();
}

const blockId = (i: number) => btoa(`block-${String(i).padStart(8, '0')}`);

/** Put Blob for each file, or Put Block + Put Block List when it is bigger than singlePutMaxBytes. */
export async function uploadFiles(sessionUrl: string, files: UploadFile[], options: UploadOptions & { fetch?: FetchLike } = {}): Promise<void> {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const single = options.singlePutMaxBytes ?? 8 * 1024 * 1024;
  const blockBytes = options.blockBytes ?? 4 * 1024 * 1024;
  for (const file of files) {
    const bytes = await bytesOf(file.data);
    const contentType = file.contentType ?? (file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/octet-stream');
    if (bytes.byteLength <= single) {
      await blobCall(doFetch, blobUrl(sessionUrl, file.name), {
        method: 'PUT',
        headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': BLOB_VERSION, 'content-type': contentType },
        body: bytes as BodyInit,
        signal: options.signal,
      });
      continue;
    }
    const ids: string[] = [];
    for (let offset = 0, i = 0; offset < bytes.byteLength; offset += blockBytes, i++) {
      const id = blockId(i);
      ids.push(id);
      await blobCall(doFetch, blobUrl(sessionUrl, file.name, { comp: 'block', blockid: id }), {
        method: 'PUT',
        headers: { 'x-ms-version': BLOB_VERSION },
        body: bytes.subarray(offset, offset + blockBytes) as BodyInit,
        signal: options.signal,
      });
    }
    const xml = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    await blobCall(doFetch, blobUrl(sessionUrl, file.name, { comp: 'blocklist' }), {
      method: 'PUT',
      headers: { 'x-ms-version': BLOB_VERSION, 'x-ms-blob-content-type': contentType, 'content-type': 'application/xml' },
      body: xml,
      signal: options.signal,
    });
  }
}
