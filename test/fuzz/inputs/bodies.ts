// JSON bodies of every POST/PATCH of both families (source systems, connectors, inbound flows,
// alerts, alert configurations, refresh, validate, remediate, directory import): a valid body,
// then values of the wrong type, unknown and read-only properties, prototype keys, deep nesting,
// huge strings, and text-level damage (truncation, bad UTF-8, BOMs, wrong content types).
import { CONFIGURATION_TYPES } from '../../../src/families/roleManagementAlerts/model.js';
import type { AlertName } from '../../../src/families/roleManagementAlerts/model.js';
import type { Fixtures } from '../fixtures.js';
import { alertId, CAST, connectorBody, inboundFlowBody, INDUSTRY, PIM, sourceSystemBody } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text } from '../rng.js';
import type { Case, Scale } from './case.js';
import { authorization, huge } from './case.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function configurationBody(rng: Rng, name: AlertName): Json {
  const type = CONFIGURATION_TYPES[name];
  const body: Record<string, Json> = { '@odata.type': `#microsoft.graph.${type.odataType.replace(/^microsoft\.graph\./, '')}`, isEnabled: rng.chance(0.5) };
  for (const t of type.thresholds) body[t.name] = t.type === 'int' ? rng.int(t.min, t.max) : rng.pick(['P30D', 'PT1H', 'P1D', 'PT10S']);
  return body;
}

function route(rng: Rng, fx: Fixtures): { method: string; path: string; body: Json } {
  const name = rng.pick(Object.keys(CONFIGURATION_TYPES)) as AlertName;
  const alert = rng.pick(fx.alertIds);
  return rng.pick([
    () => ({ method: 'POST', path: `${INDUSTRY}/sourceSystems`, body: { ...sourceSystemBody(), userMatchingSettings: [{ matchTarget: { code: 'userPrincipalName' }, priorityOrder: 0, sourceIdentifier: { code: 'username' }, 'roleGroup@odata.bind': "external/industryData/roleGroups('staff')" }] } }),
    () => ({ method: 'PATCH', path: `${INDUSTRY}/sourceSystems/${fx.sourceSystemId}`, body: { displayName: 'Fuzz source', vendor: null } }),
    () => ({ method: 'POST', path: `${INDUSTRY}/dataConnectors`, body: connectorBody(fx.sourceSystemId) }),
    () => ({ method: 'PATCH', path: `${INDUSTRY}/dataConnectors/${fx.connectorId}`, body: { displayName: 'Fuzz connector' } }),
    () => ({ method: 'POST', path: `${INDUSTRY}/inboundFlows`, body: inboundFlowBody(fx.connectorId) }),
    () => ({ method: 'POST', path: `${INDUSTRY}/dataConnectors/${fx.connectorId}/${rng.pick(['validate', 'microsoft.graph.industryData.validate'])}`, body: {} }),
    () => ({ method: 'POST', path: `${INDUSTRY}/inboundFlows/${fx.inboundFlowId}/dataConnector/validate`, body: {} }),
    () => ({ method: 'PATCH', path: `${PIM}/alerts/${alert}`, body: { isActive: true } }),
    () => ({ method: 'PATCH', path: `${PIM}/alertConfigurations/${alertId(name)}`, body: configurationBody(rng, name) }),
    () => ({ method: 'POST', path: `${PIM}/alerts/refresh`, body: { scopeId: '/', scopeType: 'DirectoryRole' } }),
    () => ({ method: 'POST', path: `${PIM}/alerts/${alert}/refresh`, body: {} }),
    () => ({ method: 'POST', path: `${PIM}/alerts/${alert}/alertIncidents/${fx.incidentIds.length ? rng.pick(fx.incidentIds) : 'x'}/remediate`, body: {} }),
    () => ({ method: 'GET', path: `${INDUSTRY}/dataConnectors/${fx.connectorId}/${CAST}/getUploadSession`, body: {} }),
    () => ({ method: 'PUT', path: '/admin/directory', body: { users: [{ id: text(rng, 10) }] } }),
  ])();
}

function value(rng: Rng, scale: Scale, depth = 0): Json {
  return rng.pick<() => Json>([
    () => null,
    () => rng.chance(0.5),
    () => rng.pick([0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 1e308, Number.MIN_VALUE, 100]),
    () => text(rng, 30),
    () => rng.pick(['', 'true', 'P30D', 'PT-1H', 'P99999999D', '2024-01-01T00:00:00Z', 'not-a-date', '#microsoft.graph.x', '\u0000', '\ud800', 'schoolDataSyncV2Rev1']),
    () => huge(rng.pick(['a', 'é', '\u0000', '💩', "'"]), rng.size(Math.min(scale.maxBytes, 200_000))),
    () => (depth > 3 ? [] : Array.from({ length: rng.size(4) }, () => value(rng, scale, depth + 1))),
    () => (depth > 3 ? {} : Object.fromEntries(Array.from({ length: rng.size(4) }, () => [rng.pick(['code', '@odata.type', 'id', text(rng, 8)]), value(rng, scale, depth + 1)]))),
  ])();
}

const READ_ONLY_AND_ODD = ['id', 'readinessStatus', 'incidentCount', 'scopeId', '__proto__', 'constructor', 'prototype', '@odata.context', '@odata.id', 'sourceSystem', 'dataConnector', 'fileFormat@odata.bind', 'toString', ''];

function mutate(rng: Rng, body: Json, scale: Scale): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return rng.chance(0.5) ? value(rng, scale) : body;
  const out: Record<string, Json> = { ...body };
  const keys = Object.keys(out);
  rng.pick([
    () => {
      if (keys.length) out[rng.pick(keys)] = value(rng, scale);
    },
    () => {
      if (keys.length) delete out[rng.pick(keys)];
    },
    () => {
      out[rng.pick(READ_ONLY_AND_ODD)] = value(rng, scale);
    },
    () => {
      out[text(rng, 20)] = value(rng, scale);
    },
    () => {
      if (keys.length) {
        const k = rng.pick(keys);
        out[k] = mutate(rng, out[k]!, scale);
      }
    },
  ])();
  return out;
}

function serialize(rng: Rng, body: Json, scale: Scale): Buffer {
  const json = JSON.stringify(body);
  return rng.pick<() => Buffer>([
    () => Buffer.from(json),
    () => Buffer.from(json),
    () => Buffer.from(json.slice(0, rng.int(0, json.length))),
    () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]),
    () => {
      const b = Buffer.from(json);
      const at = rng.int(0, b.length);
      return Buffer.concat([b.subarray(0, at), rng.pick([Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0]), rng.bytes(4)]), b.subarray(at)]);
    },
    () => Buffer.from(json.replace(/^\{/, `{"${rng.pick(Object.keys(body ?? {}).concat('x'))}":1,`)), // duplicate keys
    () => Buffer.from(rng.pick(['', 'null', '[]', '"x"', '1', 'true', '{', '}', '{"a":}', 'undefined', "{'a':1}", '{"a":1}{"b":2}', '\u0000'])),
    () => {
      const depth = rng.size(Math.min(200_000, scale.maxBytes / 2));
      return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    },
    () => Buffer.from(`{${Array.from({ length: rng.size(Math.min(50_000, scale.maxBytes / 10)) }, (_, i) => `"k${i}":${i}`).join(',')}}`),
    () => Buffer.from(JSON.stringify(body, null, rng.int(1, 10))),
  ])();
}

export function bodies(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const { method, path, body } = route(rng, fx);
  let mutated = body;
  const n = rng.size(3);
  for (let i = 0; i < n; i++) mutated = mutate(rng, mutated, scale);
  const payload = serialize(rng, mutated, scale);
  const contentType = rng.pick([
    'application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json;odata.metadata=minimal', 'application/json; charset=utf-16',
    'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', 'application/json, text/plain', 'APPLICATION/JSON',
  ]);
  const headers = { ...authorization(rng, fx), ...(contentType ? { 'content-type': contentType } : {}) };
  return { kind: 'bodies', request: { method: rng.chance(0.95) ? method : rng.pick(['POST', 'PATCH', 'PUT', 'DELETE']), path, headers, ...(rng.chance(0.97) ? { body: payload } : {}) } };
}
