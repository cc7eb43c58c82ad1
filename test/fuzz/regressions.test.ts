// What the fuzz suite found, each reduced to its smallest input and held to the same oracle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, sendRaw } from './client.js';
import type { FuzzRequest } from './client.js';
import { NUL_USERS, sampleSet } from './csv.js';
import type { Fixtures } from './fixtures.js';
import { connectorBody, createFixtures, inboundFlowBody, INDUSTRY, PIM } from './fixtures.js';
import { judge } from './oracle.js';
import { documentedCodes, validateSet } from './run.js';
import type { Target } from './target.js';
import { startInProcess, tokens } from './target.js';

describe('fuzz findings', () => {
  let target: Target;
  let client: Client;
  let fx: Fixtures;
  before(async () => {
    target = await startInProcess();
    client = new Client(target.url, 30_000, 4);
    fx = await createFixtures(client, await tokens(target.key), target.key);
  });
  after(async () => {
    client.close();
    await target.close();
  });

  const holds = async (request: FuzzRequest) => {
    const verdict = judge(request, await client.send(request));
    assert.equal(verdict, undefined, `${request.method} ${request.path}: ${verdict}`);
  };
  const bearer = () => ({ authorization: `Bearer ${fx.tokens.admin}` });

  test('issue 10: users.csv with a NUL in a value and CR line ends in the sample set; the validation ends', async () => {
    const files = sampleSet().map((f) => (f.name === 'users.csv' ? { name: f.name, body: Buffer.from(NUL_USERS, 'latin1') } : f));
    const { problem, operation } = await validateSet(client, fx, { files, mutations: ['users.csv: NUL, CR'] }, 20_000, documentedCodes());
    assert.equal(problem, undefined, JSON.stringify(operation));
  });

  test('OPTIONS without a CORS preflight (no Origin): a Graph error, not text/plain "Invalid Preflight Request"', () =>
    holds({ method: 'OPTIONS', path: `${INDUSTRY}/operations`, headers: bearer() }));

  test('OPTIONS on the blob endpoint without a preflight: an Azure XML error', () => holds({ method: 'OPTIONS', path: `/blob/${fx.containerId}?${fx.sas}`, headers: {} }));

  test('a malformed percent-encoding in the path (/beta/%): a Graph 400, not Fastify\'s FST_ERR_BAD_URL body', () => holds({ method: 'GET', path: '/beta/%', headers: bearer() }));

  test('a blob name that is not UTF-8 once decoded (%C3%28): an Azure XML 400', () => holds({ method: 'GET', path: `/blob/${fx.containerId}/%C3%28?${fx.sas}`, headers: {} }));

  test('a key segment longer than the router allows (600 chars): a Graph error, not FST_ERR_MAX_PARAM_LENGTH', () =>
    holds({ method: 'GET', path: `${INDUSTRY}/dataConnectors/${'a'.repeat(600)}`, headers: bearer() }));

  // Found at seed 2, case 83: PostgreSQL text cannot hold U+0000, and the write failed with a 500.
  const nulBodies: [string, string, () => string, () => unknown][] = [
    ['PATCH', 'a connector, displayName "\\u0000"', () => `${INDUSTRY}/dataConnectors/${fx.connectorId}`, () => ({ displayName: '\u0000' })],
    ['POST', 'a source system, vendor "a\\u0000"', () => `${INDUSTRY}/sourceSystems`, () => ({ displayName: 'x', vendor: 'a\u0000' })],
    ['POST', 'a connector, fileFormat.code "\\u0000"', () => `${INDUSTRY}/dataConnectors`, () => ({ ...connectorBody(fx.sourceSystemId), fileFormat: { code: '\u0000' } })],
    ['POST', 'an inbound flow, year@odata.bind with %00 in its key', () => `${INDUSTRY}/inboundFlows`, () => ({ ...inboundFlowBody(fx.connectorId), 'year@odata.bind': 'external/industryData/years/a%00' })],
  ];
  for (const [method, what, path, body] of nulBodies) {
    test(`a NUL in a stored string is a 400 Graph error: ${method} ${what}`, async () => {
      const res = await client.send({ method, path: path(), headers: { ...bearer(), 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body())) });
      assert.equal(res.status, 400, res.body.toString());
      assert.equal(judge(undefined, res), undefined);
    });
  }

  test('a NUL in an incident id (…/alertIncidents/%00/remediate): a Graph 404, not a 500 from PostgreSQL', () =>
    holds({ method: 'POST', path: `${PIM}/alerts/${fx.alertIds[4]}/alertIncidents/%00/remediate`, headers: { ...bearer(), 'content-type': 'application/json' }, body: Buffer.from('{}') }));

  for (const method of ['GET', 'HEAD']) {
    test(`a NUL in an operation id (${method} …/roleManagementAlerts/operations/%00): a Graph 404, not a 500 (seed 20261202, case 94068)`, () =>
      holds({ method, path: `${PIM}/operations/%00`, headers: bearer() }));
  }

  test('CONNECT: an answer, not a connection closed without one', async () => {
    const outcome = await sendRaw(target.url, Buffer.from('CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n'), 10_000);
    assert.equal(judge(undefined, outcome), undefined);
  });
});
