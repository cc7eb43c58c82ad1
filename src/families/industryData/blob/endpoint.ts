// The container URL of an upload session (`/blob/{containerId}?<sas>`), speaking the part of the
// Azure Blob REST API that upload clients use (the @azure/storage-blob SDK, azcopy): Put Blob,
// Put Block, Put Block List, Get Block List (staged blocks), List Blobs, Get Blob (with ranges),
// Get Blob Properties, Delete Blob, Get Container Properties, Get Account Information. Requests are
// authorized by the URL's signature alone (no bearer token) and answered with Azure's status codes,
// headers and XML errors. Bodies stream to the store; nothing is held whole.
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../../../db/unavailable.js';
import { serviceRoot } from '../../../graph/context.js';
import type { Services } from '../../../graph/services.js';
import type { BlobProperties, BlobStore, ByteRange } from '../../../storage/index.js';
import { blobNameProblem, isContainerName } from '../../../storage/index.js';
import { BLOB_PREFIX, maxUploadBytes } from '../model.js';
import { keyOf, SAS_VERSION, verifySas } from '../sas.js';
import { sessionById } from '../store.js';
import type { SessionRow } from '../store.js';
import {
  authenticationFailed,
  BlobError,
  blobNotFound,
  conditionNotMet,
  fromStoreError,
  invalidHeader,
  invalidQuery,
  isStoreError,
  missingHeader,
  missingQuery,
  notImplemented,
  permissionMismatch,
  serverBusy,
} from './errors.js';
import { blockListXml, errorXml, listXml, parseBlockList } from './xml.js';

/** A Put Block List body: 100,000 ids of at most 64 bytes (base64) and their tags. */
const MAX_BLOCK_LIST_BYTES = 16 * 1024 * 1024;
/** After an error, at most this much of an unread body is read and discarded; beyond, the connection closes. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const MAX_LIST_RESULTS = 5000;
/** Azure's limit on a block id: 64 bytes before base64. */
const MAX_BLOCK_ID_BYTES = 64;
/** What Azure names the comp values it has and this endpoint does not implement. */
const KNOWN_COMPS = new Set(['metadata', 'properties', 'tags', 'lease', 'snapshot', 'tier', 'appendblock', 'page', 'pagelist', 'copy', 'incrementalcopy', 'seal', 'expiry', 'query', 'undelete', 'immutabilityPolicies', 'legalhold', 'acl', 'stats', 'batch', 'blobs', 'rename']);

interface Target {
  session: SessionRow;
  container: string;
  /** Undefined for container-level requests. */
  name?: string;
  query: URLSearchParams;
  permissions: string;
}

interface Context {
  store: BlobStore;
  services: Services;
  maxBytes: number;
}

/** Requests whose signature was checked: only theirs may have a body read (and drained). */
const authorized = new WeakSet<FastifyRequest>();

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Headers on every answer: Azure's request id and version. */
function azureHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-ms-request-id', String(request.id));
  reply.header('x-ms-version', header(request, 'x-ms-version') ?? SAS_VERSION);
  const clientId = header(request, 'x-ms-client-request-id');
  if (clientId !== undefined && /^[\x21-\x7e]{1,1024}$/.test(clientId)) reply.header('x-ms-client-request-id', clientId);
}

function needs(permissions: string, letters: string): void {
  if (![...letters].some((l) => permissions.includes(l))) throw permissionMismatch();
}

/** Parses the path and query and checks the URL's signature. */
async function authorize(request: FastifyRequest, ctx: Context): Promise<Target> {
  const url = request.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const rest = path.slice(BLOB_PREFIX.length + 1);
  const slash = rest.indexOf('/');
  let container: string;
  let name: string | undefined;
  try {
    container = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    const rawName = slash < 0 ? '' : rest.slice(slash + 1);
    name = rawName === '' ? undefined : decodeURIComponent(rawName);
  } catch {
    throw new BlobError(400, 'InvalidUri', 'The requested URI does not represent any resource on the server.');
  }
  if (!isContainerName(container)) throw new BlobError(400, 'InvalidResourceName', 'The specified resource name contains invalid characters.');
  if (!query.has('sig')) {
    throw authenticationFailed(
      header(request, 'authorization') ? 'Only shared access signatures are accepted here: use the sessionUrl of getUploadSession.' : 'sig is mandatory. Either it is not present or it is empty.',
    );
  }
  const session = await sessionById(ctx.services.engine.db, container);
  if (!session) throw authenticationFailed('Signature did not match: no upload session has this container (it was reset, deleted or has expired).');
  const check = verifySas(await keyOf(ctx.services.engine.db), query, session);
  if (!check.ok) throw authenticationFailed(check.detail);
  if (session.expired) throw authenticationFailed('The upload session has expired; get a new one with getUploadSession.');
  if (name !== undefined) {
    const problem = blobNameProblem(name);
    if (problem) throw new BlobError(400, 'InvalidResourceName', `The specified resource name contains invalid characters: ${problem}.`);
  }
  return { session, container, name, query, permissions: check.permissions };
}

/** The request body as a stream the store may destroy without destroying the connection. */
function bodyOf(request: FastifyRequest): Readable {
  const raw = request.raw;
  const body = new PassThrough();
  raw.pipe(body);
  raw.once('error', (err) => body.destroy(err));
  raw.once('close', () => {
    if (!raw.complete) body.destroy(new Error('The client closed the connection before the body was complete.'));
  });
  body.once('close', () => raw.unpipe(body));
  return body;
}

/** Reads and discards what is left of the body, up to DRAIN_BYTES; false when there was more (or it failed). */
function drain(raw: IncomingMessage): Promise<boolean> {
  if (raw.complete || raw.destroyed) return Promise.resolve(raw.complete);
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > DRAIN_BYTES + raw.readableLength) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (drained: boolean) => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_BYTES) done(false);
    };
    const onEnd = () => done(true);
    const onError = () => done(false);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('error', onError);
    // A body stream the store refused is still piped from `raw` and would pause it again.
    raw.unpipe();
    raw.resume();
  });
}

async function sendError(request: FastifyRequest, reply: FastifyReply, err: BlobError): Promise<FastifyReply> {
  // An unread body is discarded so the connection can serve the next request, or the connection
  // closes; the body of a request that was not authorized is never read.
  const reusable = authorized.has(request) ? await drain(request.raw) : request.raw.complete;
  if (!reusable) reply.header('connection', 'close');
  azureHeaders(request, reply);
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  reply.header('x-ms-error-code', err.code);
  reply.code(err.status);
  if (request.method === 'HEAD') return reply.send();
  return reply.type('application/xml').send(errorXml(err.code, err.message, String(request.id), err.extra));
}

function toBlobError(err: unknown, maxBytes: number): BlobError | undefined {
  if (err instanceof BlobError) return err;
  if (isStoreError(err)) return fromStoreError(err, maxBytes);
  if (isDatabaseUnavailable(err)) return serverBusy();
  const status = (err as FastifyError | null)?.statusCode;
  if (status === 415) return new BlobError(400, 'UnsupportedHeader', 'One of the HTTP headers specified in the request is not supported.');
  if (status && status >= 400 && status < 500) return new BlobError(status, 'InvalidInput', 'One of the request inputs is not valid.');
  return undefined;
}

/** ETag, Last-Modified and the properties every blob answer carries. */
function blobHeaders(reply: FastifyReply, blob: BlobProperties): void {
  reply.header('etag', blob.etag);
  reply.header('last-modified', blob.lastModified.toUTCString());
}

function propertiesHeaders(reply: FastifyReply, blob: BlobProperties): void {
  blobHeaders(reply, blob);
  reply.header('content-type', blob.contentType);
  reply.header('x-ms-creation-time', blob.createdAt.toUTCString());
  reply.header('x-ms-blob-type', 'BlockBlob');
  reply.header('x-ms-lease-state', 'available');
  reply.header('x-ms-lease-status', 'unlocked');
  reply.header('x-ms-server-encrypted', 'false');
  reply.header('accept-ranges', 'bytes');
}

const etagMatches = (list: string, etag: string) =>
  list.trim() === '*' || list.split(',').some((e) => e.trim().replace(/^W\//, '') === etag);

/** If-Match / If-None-Match against the blob as it is (undefined: there is none). */
function checkConditions(request: FastifyRequest, blob: BlobProperties | undefined, reading: boolean): 'ok' | 'notModified' {
  const ifMatch = header(request, 'if-match');
  const ifNoneMatch = header(request, 'if-none-match');
  if (ifMatch !== undefined && (!blob || !etagMatches(ifMatch, blob.etag))) throw conditionNotMet();
  if (ifNoneMatch !== undefined && blob && etagMatches(ifNoneMatch, blob.etag)) {
    if (reading) return 'notModified';
    throw new BlobError(409, 'BlobAlreadyExists', 'The specified blob already exists.');
  }
  return 'ok';
}

/** `bytes=a-b` or `bytes=a-` from x-ms-range (preferred) or Range; undefined when absent. */
function parseRange(request: FastifyRequest, size: number): ByteRange | undefined {
  const raw = header(request, 'x-ms-range') ?? header(request, 'range');
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d*)$/.exec(raw.trim());
  const invalid = () =>
    new BlobError(416, 'InvalidRange', 'The range specified is invalid for the current size of the resource.', {}, { 'content-range': `bytes */${size}` });
  if (!m) throw invalid();
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) throw invalid();
  return { start, end };
}

function contentLength(request: FastifyRequest): number | undefined {
  const raw = header(request, 'content-length');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw invalidHeader('Content-Length', raw);
  return Number(raw);
}

function checkDeclaredSize(request: FastifyRequest, ctx: Context): void {
  const length = contentLength(request);
  if (length !== undefined && length > ctx.maxBytes) {
    throw new BlobError(413, 'RequestBodyTooLarge', `The request body is too large and exceeds the maximum permissible limit of ${ctx.maxBytes} bytes per file.`, {
      MaxLimit: String(ctx.maxBytes),
    });
  }
}

/** A block id: base64 of at most 64 bytes. */
function blockIdOf(query: URLSearchParams): string {
  const id = query.get('blockid');
  if (id === null || id === '') throw missingQuery('blockid');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(id) || id.length % 4 !== 0 || Buffer.from(id, 'base64').length > MAX_BLOCK_ID_BYTES) {
    throw new BlobError(400, 'InvalidQueryParameterValue', 'The specified blockid is invalid: it must be base64 of at most 64 bytes.', {
      QueryParameterName: 'blockid',
      QueryParameterValue: id,
    });
  }
  return id;
}

async function readText(request: FastifyRequest, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of bodyOf(request) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BlobError(413, 'RequestBodyTooLarge', `The block list is larger than ${limit} bytes.`, { MaxLimit: String(limit) });
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

// ---- the operations ----

async function putBlob(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'cw');
  const type = header(request, 'x-ms-blob-type');
  if (type === undefined) throw missingHeader('x-ms-blob-type');
  if (type !== 'BlockBlob') throw invalidHeader('x-ms-blob-type', type);
  checkDeclaredSize(request, ctx);
  checkConditions(request, await ctx.store.get(t.container, name), false);
  const blob = await ctx.store.putBlob(t.container, name, bodyOf(request), {
    maxBytes: ctx.maxBytes,
    contentType: header(request, 'x-ms-blob-content-type') ?? header(request, 'content-type'),
    contentMd5: header(request, 'content-md5'),
  });
  blobHeaders(reply, blob);
  if (blob.contentMd5) reply.header('content-md5', blob.contentMd5);
  reply.header('x-ms-request-server-encrypted', 'false');
  return reply.code(201).send();
}

async function putBlock(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'cw');
  const blockId = blockIdOf(t.query);
  checkDeclaredSize(request, ctx);
  const staged = await ctx.store.stageBlock(t.container, name, blockId, bodyOf(request), {
    maxBytes: ctx.maxBytes,
    contentMd5: header(request, 'content-md5'),
    length: contentLength(request),
  });
  reply.header('content-md5', staged.contentMd5);
  reply.header('x-ms-request-server-encrypted', 'false');
  return reply.code(201).send();
}

async function putBlockList(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'cw');
  const entries = parseBlockList(await readText(request, MAX_BLOCK_LIST_BYTES));
  if (!entries) throw new BlobError(400, 'InvalidXmlDocument', 'XML specified is not syntactically valid: expected a <BlockList> of <Latest>, <Uncommitted> or <Committed> block ids.');
  const committed = entries.find((e) => e.list === 'Committed');
  if (committed) {
    throw new BlobError(400, 'InvalidBlockList', `The specified block list is invalid: block '${committed.id}' is listed as Committed; this endpoint builds blobs from staged blocks only (use Latest or Uncommitted).`);
  }
  checkConditions(request, await ctx.store.get(t.container, name), false);
  const blob = await ctx.store.commitBlocks(
    t.container,
    name,
    entries.map((e) => e.id),
    { maxBytes: ctx.maxBytes, contentType: header(request, 'x-ms-blob-content-type'), contentMd5: header(request, 'x-ms-blob-content-md5') },
  );
  blobHeaders(reply, blob);
  reply.header('x-ms-request-server-encrypted', 'false');
  return reply.code(201).send();
}

async function getBlob(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'r');
  const blob = await ctx.store.get(t.container, name);
  if (!blob) throw blobNotFound();
  propertiesHeaders(reply, blob);
  if (checkConditions(request, blob, true) === 'notModified') return reply.code(304).send();
  const range = parseRange(request, blob.size);
  if (request.method === 'HEAD') {
    reply.header('content-length', String(blob.size));
    if (blob.contentMd5) reply.header('content-md5', blob.contentMd5);
    return reply.code(200).send();
  }
  const stream = await ctx.store.openRead(t.container, name, range);
  if (range) {
    reply.header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
    if (blob.contentMd5) reply.header('x-ms-blob-content-md5', blob.contentMd5);
    return reply.code(206).send(stream);
  }
  reply.header('content-length', String(blob.size));
  if (blob.contentMd5) reply.header('content-md5', blob.contentMd5);
  return reply.code(200).send(stream);
}

async function getBlockList(reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'r');
  const type = t.query.get('blocklisttype') ?? 'committed';
  if (type !== 'uncommitted') throw notImplemented(`Get Block List with blocklisttype=${type} (committed blocks are not kept as blocks)`);
  const blob = await ctx.store.get(t.container, name);
  if (blob) blobHeaders(reply, blob);
  reply.header('x-ms-blob-content-length', String(blob?.size ?? 0));
  return reply.code(200).type('application/xml').send(blockListXml(await ctx.store.stagedBlocks(t.container, name)));
}

async function deleteBlob(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  needs(t.permissions, 'd');
  const blob = await ctx.store.get(t.container, name);
  if (!blob) throw blobNotFound();
  checkConditions(request, blob, false);
  if (!(await ctx.store.delete(t.container, name))) throw blobNotFound();
  reply.header('x-ms-delete-type-permanent', 'true');
  return reply.code(202).send();
}

function count(query: URLSearchParams): number | undefined {
  const raw = query.get('maxresults');
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIST_RESULTS) {
    throw new BlobError(400, 'OutOfRangeQueryParameterValue', 'One of the query parameters specified in the request URI is outside the permissible range.', {
      QueryParameterName: 'maxresults',
      QueryParameterValue: raw,
      MinimumAllowed: '1',
      MaximumAllowed: String(MAX_LIST_RESULTS),
    });
  }
  return Number(raw);
}

async function listBlobs(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target) {
  needs(t.permissions, 'l');
  const prefix = t.query.get('prefix') ?? undefined;
  const marker = t.query.get('marker') || undefined;
  const maxResults = count(t.query);
  const delimiter = t.query.get('delimiter') || undefined;
  const page = await ctx.store.list(t.container, { prefix, marker, maxResults });
  // Names holding the delimiter after the prefix roll up into one BlobPrefix each (names never hold '/').
  const blobs: BlobProperties[] = [];
  const prefixes: string[] = [];
  for (const blob of page.blobs) {
    const at = delimiter === undefined ? -1 : blob.name.indexOf(delimiter, (prefix ?? '').length);
    if (at < 0) blobs.push(blob);
    else {
      const rolled = blob.name.slice(0, at + delimiter!.length);
      if (!prefixes.includes(rolled)) prefixes.push(rolled);
    }
  }
  const origin = serviceRoot(request, ctx.services.publicUrl).replace(/\/beta$/, '');
  const xml = listXml({
    serviceEndpoint: `${origin}${BLOB_PREFIX}/`,
    container: t.container,
    prefix: t.query.has('prefix') ? (prefix ?? '') : undefined,
    marker,
    maxResults,
    delimiter,
    blobs,
    prefixes,
    nextMarker: page.nextMarker,
  });
  return reply.code(200).type('application/xml').send(xml);
}

function containerProperties(reply: FastifyReply, t: Target) {
  const created = new Date(t.session.created_at);
  reply.header('etag', `"0x${created.getTime().toString(16).toUpperCase()}"`);
  reply.header('last-modified', created.toUTCString());
  reply.header('x-ms-lease-state', 'available');
  reply.header('x-ms-lease-status', 'unlocked');
  reply.header('x-ms-has-immutability-policy', 'false');
  reply.header('x-ms-has-legal-hold', 'false');
  return reply.code(200).send();
}

function accountInformation(reply: FastifyReply) {
  reply.header('x-ms-sku-name', 'Standard_LRS');
  reply.header('x-ms-account-kind', 'StorageV2');
  reply.header('x-ms-is-hns-enabled', 'false');
  return reply.code(200).send();
}

const unsupportedVerb = () => new BlobError(405, 'UnsupportedHttpVerb', "The resource doesn't support specified Http Verb.");

function unsupportedComp(comp: string): BlobError {
  return KNOWN_COMPS.has(comp) ? notImplemented(`comp=${comp}`) : invalidQuery('comp', comp, 'Unknown operation.');
}

async function containerRequest(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target) {
  const comp = t.query.get('comp');
  const restype = t.query.get('restype');
  const method = request.method;
  if (restype === 'account' && comp === 'properties' && (method === 'GET' || method === 'HEAD')) return accountInformation(reply);
  if (restype !== 'container') throw invalidQuery('restype', restype ?? '', "Container requests need restype=container.");
  if (comp === 'list' && method === 'GET') return listBlobs(request, reply, ctx, t);
  if (comp !== null) throw unsupportedComp(comp);
  switch (method) {
    case 'GET':
    case 'HEAD':
      return containerProperties(reply, t);
    case 'PUT':
      throw new BlobError(409, 'ContainerAlreadyExists', 'The specified container already exists.');
    case 'DELETE':
      throw permissionMismatch();
    default:
      throw unsupportedVerb();
  }
}

async function blobRequest(request: FastifyRequest, reply: FastifyReply, ctx: Context, t: Target, name: string) {
  const comp = t.query.get('comp');
  switch (request.method) {
    case 'PUT':
      if (comp === null) return putBlob(request, reply, ctx, t, name);
      if (comp === 'block') return putBlock(request, reply, ctx, t, name);
      if (comp === 'blocklist') return putBlockList(request, reply, ctx, t, name);
      throw unsupportedComp(comp);
    case 'GET':
      if (comp === null) return getBlob(request, reply, ctx, t, name);
      if (comp === 'blocklist') return getBlockList(reply, ctx, t, name);
      throw unsupportedComp(comp);
    case 'HEAD':
      if (comp === null) return getBlob(request, reply, ctx, t, name);
      throw unsupportedComp(comp);
    case 'DELETE':
      if (comp === null) return deleteBlob(request, reply, ctx, t, name);
      throw unsupportedComp(comp);
    default:
      throw unsupportedVerb();
  }
}

/** Registers `/blob/{container}` and `/blob/{container}/{name}` in a scope of their own. */
export async function registerBlobEndpoint(app: FastifyInstance, services: Services, store: BlobStore): Promise<void> {
  const ctx: Context = { store, services, maxBytes: maxUploadBytes() };
  // Bodies are streamed by the handlers, whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  app.addHook('onRequest', async (request) => {
    if (request.headers['content-type'] === '') delete request.headers['content-type'];
  });
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    // The client went away in the middle of its body: nobody is left to answer.
    if (request.raw.destroyed && !request.raw.complete) return reply.code(400).send();
    const blobError = toBlobError(err, ctx.maxBytes);
    if (blobError) return sendError(request, reply, blobError);
    request.log.error({ err }, 'blob endpoint: unhandled error');
    return sendError(request, reply, new BlobError(500, 'InternalError', 'The server encountered an internal error. Please retry the request.'));
  });
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    azureHeaders(request, reply);
    const target = await authorize(request, ctx);
    authorized.add(request);
    // The server defers `100 Continue` here (Family.endpoint): a body is invited only once authorized.
    if (/100-continue/i.test(header(request, 'expect') ?? '')) reply.raw.writeContinue();
    return target.name === undefined ? containerRequest(request, reply, ctx, target) : blobRequest(request, reply, ctx, target, target.name);
  };
  const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH'] as const;
  // No container (the account's root, with or without its slash): Azure's 400 InvalidResourceName, not a Graph error.
  app.route({ method: [...methods], url: BLOB_PREFIX, exposeHeadRoute: false, handler });
  app.route({ method: [...methods], url: `${BLOB_PREFIX}/:container`, exposeHeadRoute: false, handler });
  app.route({ method: [...methods], url: `${BLOB_PREFIX}/:container/*`, exposeHeadRoute: false, handler });
}
