// @azure/core-lro's HTTP poller drives the service's long-running operations from the 202:
// the adapter below (RunningOperation over fetch with our token) is all it gets. core-lro reads
// `Operation-Location` (preferred over `Location`), polls it honouring `Retry-After`, maps the
// body's `status` (anything containing "succeeded" / "fail", else running — so notStarted and
// running keep it polling), and on success does one final GET of the body's `resourceLocation`
// (falling back to the 202's `Location` when a POST's operation has none). For a refresh that
// must be the alert, for a validate the connector.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OperationResponse, OperationState, RunningOperation } from '@azure/core-lro';
import { createHttpPoller } from '@azure/core-lro';
import { JsonParseNode } from '@microsoft/kiota-serialization-json';
import type { UnifiedRoleManagementAlert } from '@microsoft/msgraph-beta-sdk/models/index.js';
import { createUnifiedRoleManagementAlertFromDiscriminatorValue } from '@microsoft/msgraph-beta-sdk/models/index.js';
import { backends } from '../support/backends.js';
import type { ClientSuite, Json } from './support.js';
import { ALERTS_ROOT, alertId, CONNECTOR_TYPE, createConnector, INDUSTRY_ROOT, refreshAll, startClientSuite, upload, uploadSessionPath } from './support.js';

interface Sent {
  method: string;
  url: string;
  status: number;
  body: Json | undefined;
}

/** A RunningOperation over fetch: the initial POST, then GETs of whatever URL core-lro asks for. */
function adapter(s: ClientSuite, url: string, body?: unknown) {
  const sent: Sent[] = [];
  const send = async (method: string, target: string, payload?: unknown): Promise<OperationResponse<Json | undefined>> => {
    const res = await fetch(target, {
      method,
      headers: { authorization: `Bearer ${s.writer}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => (headers[key] = value)); // lower-cased names, as core-lro reads them
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as Json) : undefined;
    sent.push({ method, url: target, status: res.status, body: parsed });
    return {
      flatResponse: parsed,
      rawResponse: { statusCode: res.status, request: { method, url: target }, headers, body: parsed },
    };
  };
  const lro: RunningOperation<Json | undefined> = {
    sendInitialRequest: () => send('POST', url, body),
    sendPollRequest: (path) => send('GET', path),
  };
  return { lro, sent };
}

for (const backend of backends) {
  describe(`@azure/core-lro's HTTP poller drives the service on ${backend.name}`, () => {
    let s: ClientSuite;

    before(async () => {
      s = await startClientSuite(backend);
      await refreshAll(s);
    });
    after(() => s.close());

    test('refresh: from the 202 through Operation-Location to the final GET of the alert', async () => {
      const name = 'StaleSignInAlert';
      const alertUrl = `${s.ts.url}${ALERTS_ROOT}/alerts/${alertId(name)}`;
      const operationUrl = `${s.ts.url}${ALERTS_ROOT}/operations/refresh:${alertId(name)}`;
      const { lro, sent } = adapter(s, `${alertUrl}/refresh`);
      const seen: string[] = [];
      const poller = createHttpPoller<UnifiedRoleManagementAlert, OperationState<UnifiedRoleManagementAlert>>(lro, {
        intervalInMs: 50,
        // The final GET's body, through the Graph SDK's model.
        processResult: async (result) => new JsonParseNode(result).getObjectValue(createUnifiedRoleManagementAlertFromDiscriminatorValue),
      });
      poller.onProgress((state) => seen.push(state.status));
      const alert = await poller.pollUntilDone();

      assert.equal(poller.isDone, true);
      assert.equal(poller.operationState?.status, 'succeeded');
      assert.equal(alert.id, alertId(name));
      assert.equal(alert.isActive, true);
      assert.ok(alert.lastScannedDateTime instanceof Date);
      // What went over the wire: POST → 202; GETs of the operation until succeeded; one GET of the alert.
      assert.deepEqual(sent[0]!.method, 'POST');
      assert.equal(sent[0]!.status, 202);
      const polls = sent.slice(1, -1);
      assert.ok(polls.length >= 1);
      for (const p of polls) {
        assert.equal(p.url, operationUrl, 'polled at Operation-Location');
        assert.equal(p.status, 200);
      }
      assert.equal(polls.at(-1)!.body!.status, 'succeeded');
      assert.equal(polls.at(-1)!.body!.resourceLocation, alertUrl);
      for (const p of polls.slice(0, -1)) assert.ok(['notStarted', 'running'].includes(String(p.body!.status)), 'polling stopped at the first final status');
      assert.deepEqual({ method: sent.at(-1)!.method, url: sent.at(-1)!.url, status: sent.at(-1)!.status }, { method: 'GET', url: alertUrl, status: 200 });
      assert.equal(seen.at(-1), 'succeeded');
    });

    test('a poller serialized after the 202 resumes in another poller (restoreFrom) without re-sending the POST', async () => {
      const name = 'TooManyGlobalAdminsAssignedToTenantAlert';
      const alertUrl = `${s.ts.url}${ALERTS_ROOT}/alerts/${alertId(name)}`;
      const first = adapter(s, `${alertUrl}/refresh`);
      const started = createHttpPoller<Json, OperationState<Json>>(first.lro, { intervalInMs: 50 });
      await started.submitted();
      const saved = await started.serialize();
      assert.deepEqual(first.sent.map((x) => [x.method, x.status]), [['POST', 202]]);
      const again = adapter(s, `${alertUrl}/refresh`);
      const result = (await createHttpPoller<Json, OperationState<Json>>(again.lro, { intervalInMs: 50, restoreFrom: saved }).pollUntilDone()) as Json;
      assert.ok(again.sent.every((x) => x.method === 'GET'), 'the restored poller only polls');
      assert.equal(again.sent[0]!.url, `${s.ts.url}${ALERTS_ROOT}/operations/refresh:${alertId(name)}`);
      assert.equal(again.sent.at(-1)!.url, alertUrl);
      assert.equal(result.id, alertId(name));
    });

    test('refresh all: the final GET follows resourceLocation to the scoped alerts list', async () => {
      const { lro, sent } = adapter(s, `${s.ts.url}${ALERTS_ROOT}/alerts/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' });
      const result = (await createHttpPoller<Json, OperationState<Json>>(lro, { intervalInMs: 50 }).pollUntilDone()) as Json;
      const lastPoll = sent.at(-2)!.body!;
      assert.equal(lastPoll.status, 'succeeded');
      assert.ok(typeof lastPoll.resourceLocation === 'string' && lastPoll.resourceLocation.length > 0, `resourceLocation of refresh-all: ${JSON.stringify(lastPoll.resourceLocation)}`);
      assert.equal(sent.at(-1)!.url, lastPoll.resourceLocation);
      assert.equal(sent.at(-1)!.status, 200);
      // resourceLocation of refresh-all is the scoped alerts list, so the final GET is the seven alerts.
      assert.equal(lastPoll.resourceLocation, `${s.ts.url}${ALERTS_ROOT}/alerts?$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'")}`);
      assert.equal(result['@odata.context'], `${s.ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/alerts`);
      assert.equal((result.value as Json[]).length, 7);
    });

    test('validate: from the 202 to the final GET of the connector', async () => {
      const connector = await createConnector(s);
      const session = JSON.parse(await s.text(uploadSessionPath(String(connector.id)))) as Json;
      await upload(String(session.sessionUrl));
      const connectorUrl = `${s.ts.url}${INDUSTRY_ROOT}/dataConnectors/${String(connector.id)}`;
      const { lro, sent } = adapter(s, `${connectorUrl}/validate`);
      const result = (await createHttpPoller<Json, OperationState<Json>>(lro, { intervalInMs: 50 }).pollUntilDone()) as Json;
      assert.equal(sent[0]!.status, 202);
      const polls = sent.slice(1, -1);
      for (const p of polls) assert.match(p.url, new RegExp(`^${s.ts.url}${INDUSTRY_ROOT}/operations/`));
      const op = polls.at(-1)!.body!;
      assert.equal(op['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
      assert.equal(op.status, 'succeeded');
      assert.ok((op.validatedFiles as string[]).length > 0);
      assert.equal(op.resourceLocation, connectorUrl);
      assert.equal(sent.at(-1)!.url, connectorUrl);
      assert.equal(result['@odata.type'], CONNECTOR_TYPE);
      assert.equal(result.id, connector.id);
    });
  });
}
