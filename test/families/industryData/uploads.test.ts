// Upload storage keeps its promises over real HTTP, on both stores (files with PGlite, the database
// with PostgreSQL): concurrent blocks cannot exceed a blob's limit, concurrent first writes leave
// one body, a client that disconnects mid-body leaves nothing, a request without a valid signature
// is answered before its body is read, and what never reaches an operation is an Azure error too.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blobStoreOf } from '../../../src/families/industryData/index.js';
import { databaseLeftovers, fileLeftovers } from '../../storage/leftovers.js';
import { backends, eventually } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { startSuite } from './support.js';

const MB = 1024 * 1024;
const LIMIT = 2 * MB;

const bytes = (n: number, seed: number) => Buffer.alloc(n, seed);
const blockId = (i: number) => Buffer.from(`block-${i}`).toString('base64');

/** One request written by hand on a socket of its own: its head, then `body` pieces; what came back, and whether the server closed first. */
function rawRequest(port: number, head: string, body: Buffer[]): Promise<{ response: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      for (const piece of body) socket.write(piece);
    });
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString('latin1')));
    socket.on('error', reject);
    // The client never ends its side: only the server can close the connection.
    socket.on('close', () => resolve({ response, closedByServer: true }));
  });
}

for (const backend of backends) {
  describe(`upload storage over HTTP on ${backend.name} (${backend.name === 'pglite' ? 'files' : 'the database'})`, () => {
    let s: Suite;
    let session: Json;
    let url: URL;
    before(async () => {
      process.env.GRAPH_LRO_MAX_UPLOAD_BYTES = String(LIMIT);
      try {
        s = await startSuite(backend);
      } finally {
        delete process.env.GRAPH_LRO_MAX_UPLOAD_BYTES;
      }
      const system = await s.sourceSystem();
      session = await s.session((await s.connector(system.id as string)).id as string);
      url = new URL(session.sessionUrl as string);
    });
    after(() => s.close());

    const blobUrl = (name: string, query = '') => `${url.origin}${url.pathname}/${name}${url.search}${query}`;
    const leftovers = () => (backend.name === 'pglite' ? fileLeftovers(join(s.ts.dataDir, 'blobs')) : databaseLeftovers(s.ts.server.db));
    const store = () => blobStoreOf(s.ts.server);

    test('8 concurrent Put Blocks of 1.5 MiB under a 2 MiB limit: one is staged, seven are 413', async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => fetch(blobUrl('race.csv', `&comp=block&blockid=${encodeURIComponent(blockId(i))}`), { method: 'PUT', body: bytes(1.5 * MB, i) })),
      );
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 413, 413, 413, 413, 413, 413, 413]);
      for (const r of answers.filter((a) => a.status === 413)) assert.equal(r.headers.get('x-ms-error-code'), 'RequestBodyTooLarge');
      await Promise.all(answers.map((r) => r.arrayBuffer()));
      const staged = await store().stagedBlocks(session.containerId as string, 'race.csv');
      assert.equal(staged.reduce((sum, b) => sum + b.size, 0), 1.5 * MB);
    });

    test('20 concurrent first Put Blobs of one name leave exactly one body', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(blobUrl('first.csv'), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: bytes(300 * 1024 + i, i) })),
      );
      assert.deepEqual(answers.map((r) => r.status), Array(20).fill(201));
      const content = Buffer.from(await (await fetch(blobUrl('first.csv'))).arrayBuffer());
      assert.ok(content.length >= 300 * 1024 && content.equals(bytes(content.length, content[0]!)));
      assert.equal(await leftovers(), 0);
    });

    test('a client that disconnects mid-body leaves nothing behind', async () => {
      for (const query of ['', `&comp=block&blockid=${encodeURIComponent(blockId(99))}`]) {
        const req = httpRequest(blobUrl('cut.csv', query), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-length': 1.5 * MB } });
        req.on('error', () => undefined);
        req.write(bytes(1.2 * MB, 7));
        // Something of the body is stored (a file being written, a chunk), then the client goes away.
        await eventually(async () => ((await leftovers()) > 0 ? true : undefined), 10_000, 'part of the body stored');
        req.destroy();
        await eventually(async () => ((await leftovers()) === 0 ? true : undefined), 10_000, 'the partial body removed');
      }
      assert.equal(await store().get(session.containerId as string, 'cut.csv'), undefined);
      assert.deepEqual(await store().stagedBlocks(session.containerId as string, 'cut.csv'), []);
    });

    test('a bad or missing signature is 403 before the body is read, and the connection closes', { timeout: 60_000 }, async () => {
      const forged = `${url.pathname}/big.csv${url.search.replace(/sig=[^&]*/, `sig=${encodeURIComponent(Buffer.alloc(32, 1).toString('base64'))}`)}`;
      const heads = [
        // 300 MB declared, 64 KiB sent.
        `PUT ${forged} HTTP/1.1\r\nHost: x\r\nx-ms-blob-type: BlockBlob\r\ncontent-length: ${300 * MB}\r\n\r\n`,
        // Chunked, with no end in sight.
        `PUT ${url.pathname}/big.csv?comp=block&blockid=${encodeURIComponent(blockId(1))} HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n`,
      ];
      for (const head of heads) {
        const chunked = head.includes('chunked');
        const piece = bytes(64 * 1024, 3);
        const body = chunked ? [Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')] : [piece];
        const { response, closedByServer } = await rawRequest(Number(url.port), head, body);
        assert.match(response, /^HTTP\/1\.1 403 /);
        assert.match(response, /\r\nx-ms-error-code: AuthenticationFailed\r\n/i);
        assert.match(response, /\r\nconnection: close\r\n/i);
        assert.match(response, /<Code>AuthenticationFailed<\/Code>/);
        assert.ok(closedByServer);
      }
      assert.equal(await leftovers(), 0);
    });

    test('requests that name no container, and unreadable Content-Types, are Azure XML errors (no body on HEAD)', async () => {
      for (const path of ['/blob', '/blob/']) {
        const res = await fetch(`${url.origin}${path}`);
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('x-ms-error-code'), 'InvalidResourceName');
        assert.match(await res.text(), /^<\?xml version="1.0" encoding="utf-8"\?><Error><Code>InvalidResourceName<\/Code>/);
        const head = await fetch(`${url.origin}${path}`, { method: 'HEAD' });
        assert.equal(head.status, 400);
        assert.equal(head.headers.get('x-ms-error-code'), 'InvalidResourceName');
        assert.equal(await head.text(), '');
      }
      const typed = await fetch(blobUrl('typed.csv'), { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': ';;;' }, body: 'x' });
      assert.equal(typed.status, 400);
      assert.equal(typed.headers.get('x-ms-error-code'), 'UnsupportedHeader');
      assert.match(await typed.text(), /<Code>UnsupportedHeader<\/Code>/);
    });
  });
}
