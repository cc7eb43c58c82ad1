// The upload session's container URL with the real @azure/storage-blob client, on both stores
// (files under the data directory with PGlite; the database with PostgreSQL): uploadFile and
// uploadStream in blocks, single-shot uploads, listing, download, delete; and what the endpoint
// refuses — expired, forged and foreign signatures, bad names, bodies over the size limit — with
// Azure's status codes, headers and XML errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { RestError } from '@azure/storage-blob';
import { ContainerClient } from '@azure/storage-blob';
import { blobStoreOf } from '../../../src/families/industryData/index.js';
import { keyOf, SAS_PERMISSIONS, signSas } from '../../../src/families/industryData/sas.js';
import type { BlobStore } from '../../../src/storage/index.js';
import { backends, TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { startSuite } from './support.js';

const MB = 1024 * 1024;

function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64');

/** Records the store calls the endpoint makes (to see single shots and blocks). */
function spy(store: BlobStore): string[] {
  const calls: string[] = [];
  for (const method of ['putBlob', 'stageBlock', 'commitBlocks'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls.push(`${method} ${String(args[1])}`);
      return original(...args);
    };
  }
  return calls;
}

async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (err) {
    return err as RestError;
  }
  assert.fail('expected the client to fail');
}

/** An Azure XML error: status, x-ms-error-code, the code in the body, Azure's headers. */
async function expectAzureError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.equal(res.headers.get('x-ms-error-code'), code);
  assert.match(res.headers.get('content-type') ?? '', /^application\/xml/);
  assert.match(text, new RegExp(`^<\\?xml version="1.0" encoding="utf-8"\\?><Error><Code>${code}</Code><Message>`));
  assert.match(res.headers.get('x-ms-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.ok(res.headers.get('x-ms-version'));
  return text;
}

for (const backend of backends) {
  describe(`upload session blob endpoint on ${backend.name} (${backend.name === 'pglite' ? 'files in the data directory' : 'blobs in the database'})`, () => {
    let s: Suite;
    let connectorId: string;
    let session: Json;
    let container: ContainerClient;
    let calls: string[];
    let files: string;

    before(async () => {
      s = await startSuite(backend);
      const system = await s.sourceSystem();
      connectorId = (await s.connector(system.id as string)).id as string;
      session = await s.session(connectorId);
      container = new ContainerClient(session.sessionUrl as string);
      calls = spy(blobStoreOf(s.ts.server));
      files = mkdtempSync(join(tmpdir(), 'graph-lro-upload-'));
    });
    after(async () => {
      rmSync(files, { recursive: true, force: true });
      await s.close();
    });

    const blobUrl = (name: string, url = session.sessionUrl as string) => {
      const u = new URL(url);
      return `${u.origin}${u.pathname}/${name}${u.search}`;
    };

    test('the store is the one the issue asks for on this backend', () => {
      assert.equal(blobStoreOf(s.ts.server).kind, backend.name === 'pglite' ? 'file' : 'database');
      assert.equal(container.containerName, session.containerId, 'the SDK reads the container from the URL');
    });

    test('uploadFile larger than maxSingleShotSize goes in blocks (Put Block, Put Block List), and reads back', async () => {
      const data = bytes(5 * MB + 123, 7);
      const path = join(files, 'users.csv');
      writeFileSync(path, data);
      calls.length = 0;
      const response = await container.getBlockBlobClient('users.csv').uploadFile(path, { maxSingleShotSize: MB, concurrency: 2, blobHTTPHeaders: { blobContentType: 'text/csv' } });
      assert.ok(response.etag);
      assert.ok(calls.filter((c) => c === 'stageBlock users.csv').length >= 2, calls.join(', '));
      assert.deepEqual(calls.filter((c) => !c.startsWith('stageBlock')), ['commitBlocks users.csv']);
      const downloaded = await container.getBlockBlobClient('users.csv').downloadToBuffer();
      assert.ok(downloaded.equals(data));
      const props = await container.getBlockBlobClient('users.csv').getProperties();
      assert.equal(props.contentLength, data.length);
      assert.equal(props.contentType, 'text/csv');
      assert.equal(props.blobType, 'BlockBlob');
      assert.equal(props.etag, response.etag);
    });

    test('uploadStream stages each buffer as a block; a ranged download reads part of it', async () => {
      const data = bytes(3 * MB + 17, 9);
      calls.length = 0;
      await container.getBlockBlobClient('roles.csv').uploadStream(Readable.from([data.subarray(0, MB / 2), data.subarray(MB / 2)]), MB, 2);
      assert.equal(calls.filter((c) => c === 'stageBlock roles.csv').length, 4);
      assert.equal(calls.at(-1), 'commitBlocks roles.csv');
      const client = container.getBlockBlobClient('roles.csv');
      assert.ok((await client.downloadToBuffer()).equals(data));
      assert.ok((await client.downloadToBuffer(MB - 5, 10)).equals(data.subarray(MB - 5, MB + 5)));
      const streamed = await client.download(2 * MB);
      const parts: Buffer[] = [];
      for await (const part of streamed.readableStreamBody as AsyncIterable<Buffer>) parts.push(part);
      assert.ok(Buffer.concat(parts).equals(data.subarray(2 * MB)));
      assert.equal(streamed.contentRange, `bytes ${2 * MB}-${data.length - 1}/${data.length}`);
    });

    test('a small upload is one Put Blob; the service computes and returns its MD5', async () => {
      const data = Buffer.from('sourcedId,name,type\r\no1,District,district\r\n');
      calls.length = 0;
      const response = await container.getBlockBlobClient('orgs.csv').uploadData(data);
      assert.deepEqual(calls, ['putBlob orgs.csv']);
      assert.equal(Buffer.from(response.contentMD5!).toString('base64'), md5(data));
      const props = await container.getBlockBlobClient('orgs.csv').getProperties();
      assert.equal(Buffer.from(props.contentMD5!).toString('base64'), md5(data));
      assert.equal(props.contentLength, data.length);
    });

    test('listBlobsFlat, by pages and with a prefix; listBlobsByHierarchy', async () => {
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat()) {
        names.push(blob.name);
        assert.ok(blob.properties.etag);
        assert.ok(blob.properties.lastModified instanceof Date);
        assert.equal(typeof blob.properties.contentLength, 'number');
      }
      assert.deepEqual(names, ['orgs.csv', 'roles.csv', 'users.csv']);
      const pages: string[][] = [];
      for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 2 })) pages.push(page.segment.blobItems.map((b) => b.name));
      assert.deepEqual(pages, [['orgs.csv', 'roles.csv'], ['users.csv']]);
      const prefixed: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: 'r' })) prefixed.push(blob.name);
      assert.deepEqual(prefixed, ['roles.csv']);
      const hierarchy: string[] = [];
      for await (const item of container.listBlobsByHierarchy('/')) hierarchy.push(item.name);
      assert.deepEqual(hierarchy, names);
      const props = await container.getProperties();
      assert.ok(props.etag && props.lastModified);
    });

    test('delete, exists, and the errors of a missing blob', async () => {
      await container.getBlockBlobClient('gone.csv').uploadData(Buffer.from('x'));
      const client = container.getBlockBlobClient('gone.csv');
      assert.equal(await client.exists(), true);
      await client.delete();
      assert.equal(await client.exists(), false);
      const missing = await restError(client.delete());
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.code, 'BlobNotFound');
      assert.equal((await restError(client.download())).statusCode, 404);
      assert.equal(await container.getBlockBlobClient('gone.csv').deleteIfExists().then((r) => r.succeeded), false);
    });

    test('conditions: If-None-Match * refuses to overwrite; a stale If-Match is 412', async () => {
      const client = container.getBlockBlobClient('orgs.csv');
      const exists = await restError(client.uploadData(Buffer.from('x'), { conditions: { ifNoneMatch: '*' } }));
      assert.equal(exists.statusCode, 409);
      assert.equal(exists.code, 'BlobAlreadyExists');
      const stale = await restError(client.download(0, undefined, { conditions: { ifMatch: '"0x1"' } }));
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.code, 'ConditionNotMet');
    });

    test('a wrong Content-MD5 is 400 Md5Mismatch and stores nothing', async () => {
      const res = await fetch(blobUrl('md5.csv'), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-md5': md5(Buffer.from('other')) }, body: 'content' });
      await expectAzureError(res, 400, 'Md5Mismatch');
      assert.equal(await container.getBlockBlobClient('md5.csv').exists(), false);
      const ok = await fetch(blobUrl('md5.csv'), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-md5': md5(Buffer.from('content')) }, body: 'content' });
      assert.equal(ok.status, 201);
      assert.equal(ok.headers.get('content-md5'), md5(Buffer.from('content')));
      assert.match(ok.headers.get('etag')!, /^"0x[0-9A-F]+"$/);
      assert.ok(Date.parse(ok.headers.get('last-modified')!) > 0);
    });

    test('file names: path separators, .., control characters are 400 InvalidResourceName; names like data(1) are fine', async () => {
      for (const name of ['a%2Fb.csv', 'dir/file.csv', '..%2F..%2Fetc%2Fpasswd', 'a..b.csv', 'tab%09.csv', 'nul%00.csv', 'back%5Cslash.csv', 'lf%0A.csv']) {
        const res = await fetch(blobUrl(name), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: 'x' });
        await expectAzureError(res, 400, 'InvalidResourceName');
      }
      // fetch resolves dot segments itself; a raw request sends them as written.
      const u = new URL(session.sessionUrl as string);
      for (const name of ['..', '%2E%2E', '.']) {
        const status = await new Promise<{ status: number; code: unknown }>((resolve, reject) => {
          const req = httpRequest(`${u.origin}${u.pathname}/x${u.search}`, { method: 'GET', path: `${u.pathname}/${name}${u.search}` }, (res) => {
            res.resume();
            resolve({ status: res.statusCode!, code: res.headers['x-ms-error-code'] });
          });
          req.on('error', reject);
          req.end();
        });
        assert.deepEqual(status, { status: 400, code: 'InvalidResourceName' }, name);
      }
      const sdk = await restError(container.getBlockBlobClient('folder/users.csv').uploadData(Buffer.from('x')));
      assert.equal(sdk.statusCode, 400);
      assert.equal(sdk.code, 'InvalidResourceName');
      for (const name of ['data(1)', 'users (2).csv', 'é.csv']) {
        await container.getBlockBlobClient(name).uploadData(Buffer.from(name));
        assert.equal((await container.getBlockBlobClient(name).downloadToBuffer()).toString(), name);
        await container.getBlockBlobClient(name).delete();
      }
    });

    test('signatures: missing, forged, altered, expired, of another session, or of a reset one are 403 AuthenticationFailed', async () => {
      const url = new URL(session.sessionUrl as string);
      const withParams = (change: (p: URLSearchParams) => void) => {
        const u = new URL(url);
        change(u.searchParams);
        return u.toString();
      };
      const denied = async (containerUrl: string, detail: RegExp) => {
        const res = await fetch(blobUrl('orgs.csv', containerUrl));
        const text = await expectAzureError(res, 403, 'AuthenticationFailed');
        assert.match(text, /<AuthenticationErrorDetail>/);
        assert.match(text, detail);
        const sdk = await restError(new ContainerClient(containerUrl).getBlockBlobClient('orgs.csv').uploadData(Buffer.from('x')));
        assert.equal(sdk.statusCode, 403);
        assert.equal(sdk.code, 'AuthenticationFailed');
      };
      await denied(`${url.origin}${url.pathname}`, /sig is mandatory/);
      await denied(withParams((p) => p.set('sig', Buffer.alloc(32, 1).toString('base64'))), /Signature did not match/);
      await denied(withParams((p) => p.set('se', '2099-01-01T00:00:00Z')), /Signature did not match/);
      await denied(withParams((p) => p.set('sp', 'rl')), /Signature did not match/);
      await denied(withParams((p) => p.set('sr', 'b')), /Signed resource/);
      await denied(withParams((p) => p.set('sv', '2020-01-01')), /Signed version/);
      // Expired: a genuine signature (the service's own key) whose time is up.
      const key = await keyOf(s.ts.server.db);
      const expired = `${url.origin}${url.pathname}?${signSas(key, { containerId: session.containerId as string, tenantId: TENANT, connectorId, permissions: SAS_PERMISSIONS, expiresAt: new Date(Date.now() - 1000) })}`;
      await denied(expired, /Signature not valid in the specified time frame/);
      // Another connector's session: its URL does not open this container.
      const otherSystem = await s.sourceSystem();
      const other = await s.session((await s.connector(otherSystem.id as string)).id as string);
      const foreign = new URL(other.sessionUrl as string);
      await denied(`${url.origin}${url.pathname}${foreign.search}`, /Signature did not match/);
      // A signature for the right container but another tenant or connector fails the same way.
      const wrongTenant = `${url.origin}${url.pathname}?${signSas(key, { containerId: session.containerId as string, tenantId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d', connectorId, permissions: SAS_PERMISSIONS, expiresAt: new Date(Date.now() + 60_000) })}`;
      await denied(wrongTenant, /Signature did not match/);
      // An Authorization header is no substitute.
      const bearer = await fetch(blobUrl('orgs.csv', `${url.origin}${url.pathname}`), { headers: { authorization: `Bearer ${s.admin}` } });
      await expectAzureError(bearer, 403, 'AuthenticationFailed');
    });

    test('resetSession: the old URL stops working and its files are gone; the new container is empty', async () => {
      const system = await s.sourceSystem();
      const id = (await s.connector(system.id as string)).id as string;
      const first = await s.session(id);
      const old = new ContainerClient(first.sessionUrl as string);
      await old.getBlockBlobClient('orgs.csv').uploadData(Buffer.from('a'));
      const second = await s.session(id, 'microsoft.graph.industryData.azureDataLakeConnector/getUploadSession(resetSession=true)');
      assert.notEqual(second.containerId, first.containerId);
      const refused = await restError(old.getBlockBlobClient('orgs.csv').downloadToBuffer());
      assert.equal(refused.statusCode, 403);
      assert.deepEqual((await blobStoreOf(s.ts.server).list(first.containerId as string)).blobs, [], 'the old files are deleted');
      const fresh: string[] = [];
      for await (const blob of new ContainerClient(second.sessionUrl as string).listBlobsFlat()) fresh.push(blob.name);
      assert.deepEqual(fresh, []);
    });

    test('what the endpoint does not do is refused in Azure terms', async () => {
      const url = new URL(session.sessionUrl as string);
      const containerUrl = (extra: string) => `${url.origin}${url.pathname}${url.search}&${extra}`;
      await expectAzureError(await fetch(containerUrl('restype=container'), { method: 'DELETE' }), 403, 'AuthorizationPermissionMismatch');
      await expectAzureError(await fetch(containerUrl('restype=container'), { method: 'PUT' }), 409, 'ContainerAlreadyExists');
      await expectAzureError(await fetch(`${blobUrl('orgs.csv')}&comp=metadata`, { method: 'PUT' }), 501, 'NotImplemented');
      await expectAzureError(await fetch(`${blobUrl('orgs.csv')}&comp=nonsense`, { method: 'PUT' }), 400, 'InvalidQueryParameterValue');
      await expectAzureError(await fetch(blobUrl('orgs.csv'), { method: 'POST' }), 405, 'UnsupportedHttpVerb');
      await expectAzureError(await fetch(blobUrl('x.csv'), { method: 'PUT', body: 'x' }), 400, 'MissingRequiredHeader');
      await expectAzureError(await fetch(blobUrl('x.csv'), { method: 'PUT', headers: { 'x-ms-blob-type': 'AppendBlob' }, body: 'x' }), 400, 'InvalidHeaderValue');
      await expectAzureError(await fetch(`${blobUrl('x.csv')}&comp=block`, { method: 'PUT', body: 'x' }), 400, 'MissingRequiredQueryParameter');
      await expectAzureError(await fetch(`${blobUrl('x.csv')}&comp=block&blockid=not-base64!`, { method: 'PUT', body: 'x' }), 400, 'InvalidQueryParameterValue');
      await expectAzureError(await fetch(`${blobUrl('x.csv')}&comp=blocklist`, { method: 'PUT', body: '<BlockList><Latest>QUFB</Latest></BlockList>' }), 400, 'InvalidBlockList');
      await expectAzureError(await fetch(`${blobUrl('x.csv')}&comp=blocklist`, { method: 'PUT', body: '<NotAList/>' }), 400, 'InvalidXmlDocument');
      await expectAzureError(await fetch(`${containerUrl('restype=container&comp=list')}&maxresults=0`), 400, 'OutOfRangeQueryParameterValue');
      const head = await fetch(blobUrl('missing.csv'), { method: 'HEAD' });
      assert.equal(head.status, 404);
      assert.equal(head.headers.get('x-ms-error-code'), 'BlobNotFound');
      const range = await fetch(blobUrl('orgs.csv'), { headers: { 'x-ms-range': 'bytes=100000-' } });
      await expectAzureError(range, 416, 'InvalidRange');
      const account = await fetch(containerUrl('restype=account&comp=properties'));
      assert.equal(account.status, 200);
      assert.equal(account.headers.get('x-ms-account-kind'), 'StorageV2');
    });
  });
}

describe('the size limit per file (GRAPH_LRO_MAX_UPLOAD_BYTES)', () => {
  const LIMIT = 2 * MB;
  let s: Suite;
  let container: ContainerClient;
  let session: Json;
  let files: string;

  before(async () => {
    process.env.GRAPH_LRO_MAX_UPLOAD_BYTES = String(LIMIT);
    try {
      s = await startSuite(backends[0]!);
    } finally {
      delete process.env.GRAPH_LRO_MAX_UPLOAD_BYTES;
    }
    const system = await s.sourceSystem();
    session = await s.session((await s.connector(system.id as string)).id as string);
    container = new ContainerClient(session.sessionUrl as string);
    files = mkdtempSync(join(tmpdir(), 'graph-lro-limit-'));
  });
  after(async () => {
    rmSync(files, { recursive: true, force: true });
    await s.close();
  });

  test('a single shot over the limit is 413 RequestBodyTooLarge; the limit itself is fine', async () => {
    const over = await restError(container.getBlockBlobClient('big.csv').uploadData(bytes(LIMIT + 1)));
    assert.equal(over.statusCode, 413);
    assert.equal(over.code, 'RequestBodyTooLarge');
    assert.equal(await container.getBlockBlobClient('big.csv').exists(), false);
    await container.getBlockBlobClient('big.csv').uploadData(bytes(LIMIT));
    assert.equal((await container.getBlockBlobClient('big.csv').getProperties()).contentLength, LIMIT);
  });

  test('blocks adding up to more than the limit are 413 too', async () => {
    const path = join(files, 'blocks.csv');
    writeFileSync(path, bytes(LIMIT + MB));
    const over = await restError(container.getBlockBlobClient('blocks.csv').uploadFile(path, { maxSingleShotSize: MB / 2, blockSize: MB, concurrency: 1 }));
    assert.equal(over.statusCode, 413);
    assert.equal(over.code, 'RequestBodyTooLarge');
    assert.equal(await container.getBlockBlobClient('blocks.csv').exists(), false);
  });

  test('a chunked body without a length is cut at the limit; a huge declared length is refused before reading', async () => {
    const u = new URL(session.sessionUrl as string);
    const send = (headers: Record<string, string | number>, chunks: number) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest(`${u.origin}${u.pathname}/chunked.csv${u.search}`, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', ...headers } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        const piece = bytes(MB / 2);
        let sent = 0;
        const write = () => {
          while (sent < chunks) {
            sent++;
            if (!req.write(piece)) return void req.once('drain', write);
          }
          req.end();
        };
        write();
      });
    const chunked = await send({ 'transfer-encoding': 'chunked' }, 6);
    assert.equal(chunked.status, 413);
    assert.equal(chunked.headers['x-ms-error-code'], 'RequestBodyTooLarge');
    assert.match(chunked.body, /<Code>RequestBodyTooLarge<\/Code>/);
    const declared = await send({ 'content-length': 50 * 1024 * 1024 * 1024 }, 0).catch((err: unknown) => ({ status: 0, headers: {} as Record<string, unknown>, body: String(err) }));
    assert.equal(declared.status, 413, declared.body);
    assert.equal(declared.headers.connection, 'close');
    assert.equal(await container.getBlockBlobClient('chunked.csv').exists(), false);
  });
});
