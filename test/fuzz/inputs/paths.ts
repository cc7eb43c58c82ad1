// Path segments: every route of both families with one or more segments replaced by OData key
// syntax, odd or double percent-encodings, dot segments, unicode, controls, type casts, or a very
// long segment, under any method.
import type { Fixtures } from '../fixtures.js';
import { CAST, INDUSTRY, PIM } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text, uriEncode } from '../rng.js';
import type { Case, Scale } from './case.js';
import { authorization, huge } from './case.js';

function templates(fx: Fixtures, rng: Rng): string[] {
  const alert = rng.pick(fx.alertIds);
  const incident = fx.incidentIds.length ? rng.pick(fx.incidentIds) : 'x';
  return [
    `${PIM}/alerts/${alert}`, `${PIM}/alerts/${alert}/refresh`, `${PIM}/alerts/refresh`, `${PIM}/alerts/${alert}/alertIncidents/${incident}/remediate`,
    `${PIM}/alertDefinitions/${alert}`, `${PIM}/alertConfigurations/${alert}`, `${PIM}/operations/${uriEncode(fx.refreshOperationId)}`,
    `${PIM}/operations('${fx.refreshOperationId}')`, `${INDUSTRY}/sourceSystems/${fx.sourceSystemId}`, `${INDUSTRY}/dataConnectors/${fx.connectorId}/sourceSystem`,
    `${INDUSTRY}/dataConnectors/${fx.connectorId}/${CAST}/getUploadSession(resetSession=false)`, `${INDUSTRY}/dataConnectors/${fx.connectorId}/validate`,
    `${INDUSTRY}/inboundFlows/${fx.inboundFlowId}/dataConnector/validate`, `${INDUSTRY}/operations/${fx.validateOperationId}`, '/healthz', '/readyz', '/admin/directory', '/beta/$metadata',
  ];
}

function segment(rng: Rng, original: string, scale: Scale): string {
  return rng.pick<() => string>([
    () => `('${original}')`,
    () => `${original}('${text(rng, 8)}')`,
    () => rng.pick(["('')", "(''')", "('a'')", '()', '(', ')', "('x'", '(x)', "(id='x')", "('x','y')", '%28%27x%27%29']),
    () => uriEncode(uriEncode(original)),
    () => original.replace(/[a-z]/gi, (c) => `%${c.charCodeAt(0).toString(16)}`),
    () => (rng.chance(0.5) ? original.toUpperCase() : original.toLowerCase()),
    () => rng.pick(['.', '..', '%2e%2e', '%2E', '', '%2F', '%5C', '\\', '%00', '%', '%G0', ';x=1', '$count', '$value', '$ref', '$metadata', '$batch', 'microsoft.graph.x', CAST]),
    () => text(rng, 30),
    () => huge(rng.pick(['a', 'é', '%F0%9F%92%A9', "'"]), rng.size(Math.min(scale.maxBytes, 20_000))),
    () => `${original}${rng.pick(['/', '//', '?', '#', '%3F', ';', '%20', '\u202e', '\ufeff'])}`,
  ])();
}

export function paths(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const template = rng.pick(templates(fx, rng));
  const segments = template.split('/');
  const n = 1 + rng.size(2);
  for (let i = 0; i < n; i++) {
    const at = rng.int(1, segments.length - 1);
    segments[at] = segment(rng, segments[at]!, scale);
  }
  const path = segments.join('/');
  let method = rng.pick(['GET', 'GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']);
  // Deleting a fixture would change what later cases meet; a mutated path rarely names one.
  if (method === 'DELETE' && path === template) method = 'GET';
  const body = method === 'POST' || method === 'PATCH' || method === 'PUT' ? Buffer.from(rng.pick(['{}', '', '{"a":1}'])) : undefined;
  const headers = { ...authorization(rng, fx), ...(body ? { 'content-type': 'application/json' } : {}), ...(method === 'OPTIONS' && rng.chance(0.5) ? { origin: 'https://x.example', 'access-control-request-method': 'POST' } : {}) };
  return { kind: 'paths', request: { method, path, headers, ...(body ? { body } : {}) } };
}
