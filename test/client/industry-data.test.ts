// The client against a real server: industry data upload sessions (Put Blob, and Put Block + Put
// Block List for big files), validation as a fileValidateOperation followed by long-polls, and a
// failed validation's errors on OperationFailedError; on PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FileValidateOperation, UploadFile } from '../../packages/client/src/index.js';
import { GraphLroClient, isFileValidateOperation, OperationFailedError, pollOperation } from '../../packages/client/src/index.js';
import { backends, sleep, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { recordingFetch, writeToken } from './support.js';

const SAMPLES = new URL('../../../test/fixtures/sds/v2.1/', import.meta.url);
const CONNECTOR_TYPE = '#microsoft.graph.industryData.azureDataLakeConnector';

const samples = (): UploadFile[] =>
  readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.csv'))
    .map((name) => ({ name, data: new Uint8Array(readFileSync(new URL(name, SAMPLES))) }));

/** The validation, whether it ended succeeded or failed. */
const outcome = (p: Promise<FileValidateOperation>) =>
  p.catch((e: unknown) => {
    if (e instanceof OperationFailedError && isFileValidateOperation(e.operation)) return e.operation;
    throw e;
  });

for (const backend of backends) {
  describe(`client: industry data on ${backend.name}`, () => {
    let ts: TestServer;
    let client: GraphLroClient;
    let rec: ReturnType<typeof recordingFetch>;

    const newConnector = async (displayName: string) => {
      const system = (await (await client.request('POST', 'external/industryData/sourceSystems', { body: { displayName: 'SIS', vendor: 'Contoso' } })).json()) as { id: string };
      const res = await client.request('POST', 'external/industryData/dataConnectors', {
        body: {
          '@odata.type': CONNECTOR_TYPE,
          displayName,
          'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${system.id}')`,
          fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
        },
      });
      return ((await res.json()) as { id: string }).id;
    };

    before(async () => {
      ts = await startTestServer(backend);
      const token = await writeToken(ts);
      rec = recordingFetch();
      client = new GraphLroClient({ baseUrl: ts.url, token: () => token, fetch: rec.fetch });
    });
    after(() => ts.close());

    test('upload the sample files (one in blocks) and validate them: a fileValidateOperation, long-polled', async () => {
      const connectorId = await newConnector('client upload');
      assert.equal((await client.connectors.get(connectorId)).id, connectorId);
      const session = await client.connectors.getUploadSession(connectorId);
      assert.ok(session.sessionUrl.startsWith(ts.url), session.sessionUrl);
      assert.ok(session.containerId);
      const files = samples();
      assert.ok(files.length >= 5);
      const size = (f: UploadFile) => (f.data as Uint8Array).byteLength;
      const big = files.reduce((a, b) => (size(b) > size(a) ? b : a));
      const rest = files.filter((f) => f !== big);
      await client.uploadFiles(session.sessionUrl, rest);
      const before = rec.calls.length;
      await client.uploadFiles(session.sessionUrl, [big], { singlePutMaxBytes: 100, blockBytes: 100 });
      const bigBytes = big.data as Uint8Array;
      assert.ok(bigBytes.byteLength > 200);
      assert.equal(rec.calls.length - before, Math.ceil(bigBytes.byteLength / 100) + 1, 'Put Block per 100 bytes, then Put Block List');
      // The blob reads back byte for byte.
      const blob = new URL(session.sessionUrl);
      blob.pathname += `/${big.name}`;
      assert.deepEqual(new Uint8Array(await (await fetch(blob)).arrayBuffer()), bigBytes);

      const gets = rec.gets().length;
      const progress: string[] = [];
      const op = await outcome(client.connectors.validate(connectorId, { onProgress: (o) => progress.push(`${o.status}: ${o.statusDetail}`) }));
      assert.equal(op['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
      assert.ok(Array.isArray(op.errors) && Array.isArray(op.warnings) && Array.isArray(op.validatedFiles));
      assert.ok(op.validatedFiles!.length >= 1, JSON.stringify(op.validatedFiles));
      const polls = rec.gets().slice(gets);
      // Each held GET ends at a change the validator reports: no more requests than changes seen (+1 spare).
      assert.ok(polls.length <= progress.length + 1, `${polls.length} GETs for ${progress.length} changes: ${progress.join(' | ')}`);
      assert.ok(polls.slice(0, -1).every((g) => g.preferenceApplied === 'wait=30'), JSON.stringify(polls));
    });

      test('an empty upload session: succeeded, with RequiredFileNotFound errors', async () => {
      const connectorId = await newConnector('client empty');
      await client.connectors.getUploadSession(connectorId);
      const op = await outcome(client.connectors.validate(connectorId));
      // An empty container is a file set with every required file missing; the operation itself succeeded.
      assert.equal(op.status, 'succeeded');
      assert.deepEqual(op.validatedFiles, []);
      assert.ok(op.errors!.length >= 1 && op.errors!.every((e) => e.code === 'RequiredFileNotFound'), JSON.stringify(op.errors));
    });

    test('a failed validation rejects with OperationFailedError carrying its errors', async () => {
      const errors = [{ code: 'RequiredFileNotFound', message: 'orgs.csv is required.', target: 'orgs.csv', innerError: null, details: [] }];
      const { operation } = await ts.server.engine.create({
        tenantId: TENANT,
        family: 'industryData',
        kind: 'test.client-fixture',
        odataType: 'microsoft.graph.industryData.fileValidateOperation',
        resourceLocation: '',
        result: { validatedFiles: [], errors, warnings: [] },
      });
      const token = await writeToken(ts);
      const polling = pollOperation(`${ts.url}/beta/external/industryData/operations/${operation.id}`, { token: () => token }).catch((e: unknown) => e);
      await sleep(100);
      await ts.server.db.query(`UPDATE operations SET status = 'failed', status_detail = 'Validation failed.', lease_owner = NULL, last_action_at = now() WHERE tenant_id = $1 AND id = $2`, [
        TENANT,
        operation.id,
      ]);
      const error = await polling;
      assert.ok(error instanceof OperationFailedError, String(error));
      assert.equal(error.statusDetail, 'Validation failed.');
      assert.deepEqual(error.errors, errors);
    });
  });
}
