// The example family of docs/adding-a-family.md, served next to the real ones: every route its
// declaration gives (create, list with options, get, PATCH, DELETE, $count), its action's
// long-running operation, and its types in $metadata.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { families } from '../../../src/families/index.js';
import { pglite } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';
import { notesFamily } from './family.js';

const NOTES = '/beta/example/notes/items';
type Json = Record<string, unknown>;

describe('a third family, added through the contract', () => {
  let ts: TestServer;
  let call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
  before(async () => {
    ts = await startTestServer(pglite, { families: [...families, notesFamily] });
    const token = await ts.token({ scopes: ['Notes.ReadWrite'] });
    call = (method, path, body, headers = {}) =>
      fetch(path.startsWith('http') ? path : `${ts.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
  });
  after(() => ts.close());

  test('CRUD and query options from the declaration alone', async () => {
    const res = await call('POST', NOTES, { text: 'buy milk' });
    assert.equal(res.status, 201, await res.clone().text());
    const note = (await res.json()) as Json;
    assert.equal(res.headers.get('location'), `${ts.url}/beta/example/notes/items/${note.id as string}`);
    assert.deepEqual(Object.keys(note), ['@odata.context', 'id', 'text', 'createdDateTime']);
    await call('POST', NOTES, { text: 'call the school about the timetable' });
    const bad = await call('POST', NOTES, { text: 'x', createdDateTime: '2024-01-01T00:00:00Z' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: Json }).error.target, 'createdDateTime');
    const list = (await (await call('GET', `${NOTES}?$filter=startswith(text,'call')&$select=text&$count=true`)).json()) as Json;
    assert.deepEqual(list, { '@odata.context': `${ts.url}/beta/$metadata#example/notes/items(text)`, '@odata.count': 1, value: [{ text: 'call the school about the timetable' }] });
    assert.equal((await call('PATCH', `${NOTES}/${note.id as string}`, { text: 'buy oat milk' })).status, 204);
    assert.equal(((await (await call('GET', `${NOTES}/${note.id as string}`)).json()) as Json).text, 'buy oat milk');
    assert.equal(await (await call('GET', `${NOTES}/$count`)).text(), '2');
    assert.equal((await call('DELETE', `${NOTES}/${note.id as string}`)).status, 204);
    assert.equal((await call('GET', `${NOTES}/${note.id as string}`)).status, 404);
    const reader = await ts.token({ scopes: ['Notes.Read'] });
    const denied = await fetch(`${ts.url}${NOTES}`, { method: 'POST', headers: { authorization: `Bearer ${reader}`, 'content-type': 'application/json' }, body: '{"text":"x"}' });
    assert.equal(denied.status, 403);
  });

  test('its action answers 202; the operation runs its handler', async () => {
    const res = await call('POST', `${NOTES}/summarize`);
    assert.equal(res.status, 202, await res.clone().text());
    const location = res.headers.get('location')!;
    assert.match(location, /\/beta\/example\/notes\/operations\//);
    let op: Json = {};
    for (let i = 0; i < 20 && op.status !== 'succeeded' && op.status !== 'failed'; i++) {
      op = (await (await call('GET', location, undefined, { prefer: 'wait=5' })).json()) as Json;
    }
    assert.equal(op.status, 'succeeded', JSON.stringify(op));
    assert.equal(op.statusDetail, '1 notes, 6 words.');
    assert.equal(op.resourceLocation, `${ts.url}/beta/example/notes/items`);
  });

  test('$metadata declares its types, its action and its singleton', async () => {
    const xml = await (await fetch(`${ts.url}/beta/$metadata`)).text();
    assert.match(xml, /<Schema Namespace="example\.notes"/);
    assert.match(xml, /<EntityType Name="note" BaseType="microsoft\.graph\.entity">/);
    assert.match(xml, /<Action Name="summarize" IsBound="true">\s*<Parameter Name="bindingParameter" Type="Collection\(example\.notes\.note\)" \/>/);
    assert.match(xml, /<Singleton Name="example" Type="example\.notes\.example" \/>/);
  });
});
