// OData query options on every list and entity of both families: $select $expand $filter
// $orderby $top $skip $skiptoken $count, from a small grammar, then broken, repeated or huge.
import type { Fixtures } from '../fixtures.js';
import { INDUSTRY, PIM, SCOPE_FILTER } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text, uriEncode } from '../rng.js';
import type { Case, Scale } from './case.js';
import { authorization, huge, queryString } from './case.js';

const PROPERTIES = [
  'id', 'status', 'statusDetail', 'resourceLocation', 'createdDateTime', 'lastActionDateTime', 'displayName', 'vendor', 'fileFormat', 'readinessStatus',
  'alertDefinitionId', 'scopeId', 'scopeType', 'incidentCount', 'isActive', 'isEnabled', 'lastModifiedDateTime', 'lastScannedDateTime', 'severityLevel',
  'assigneeId', 'assigneeDisplayName', 'roleDisplayName', 'activationCount', 'validatedFiles', 'errors', 'dataDomain', 'effectiveDateTime',
  'alertConfiguration/isEnabled', 'sourceSystem/vendor', 'nope', 'ID', '*', '@odata.type', 'fileFormat/code', 'a/b/c/d',
];
const NAVIGATIONS = ['alertConfiguration', 'alertDefinition', 'alertIncidents', 'sourceSystem', 'dataConnector', '*', 'nope', 'AlertIncidents', 'alertIncidents/$ref'];
const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'has', 'add', 'EQ', 'like'];
const FUNCTIONS = ['startswith', 'endswith', 'contains', 'substringof', 'tolower', 'length', 'any', 'indexof'];

function literal(rng: Rng): string {
  return rng.pick([
    () => `'${text(rng, 12).replace(/'/g, "''")}'`,
    () => `'${text(rng, 12)}'`,
    () => String(rng.int(-5, 1000)),
    () => rng.pick(['1e309', '-0', '0.5', '99999999999999999999999', 'NaN', 'INF', '0x10']),
    () => rng.pick(['2026-11-01T00:00:00Z', '2026-13-45T99:99:99Z', '2026-11-01', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.9999999Z', '2026-11-01T00:00:00+14:00']),
    () => rng.pick(["'running'", "microsoft.graph.longRunningOperationStatus'running'", "microsoft.graph.x'y'", "'succeeded'", "'DirectoryRole'", "'/'"]),
    () => rng.pick(['null', 'true', 'false', '00000000-0000-0000-0000-000000000000', "guid'x'", "''''", "'"]),
  ])();
}

function filter(rng: Rng, depth = 0): string {
  if (depth > 4 || rng.chance(0.35)) {
    return rng.pick([
      () => `${rng.pick(PROPERTIES)} ${rng.pick(OPERATORS)} ${literal(rng)}`,
      () => `${rng.pick(FUNCTIONS)}(${rng.pick(PROPERTIES)},${literal(rng)})`,
      () => `${rng.pick(PROPERTIES)} in (${Array.from({ length: rng.size(6) }, () => literal(rng)).join(',')})`,
      () => text(rng, 30),
    ])();
  }
  return rng.pick([
    () => `${filter(rng, depth + 1)} ${rng.pick(['and', 'or', 'AND', 'xor'])} ${filter(rng, depth + 1)}`,
    () => `not ${filter(rng, depth + 1)}`,
    () => `(${filter(rng, depth + 1)})`,
    () => `${filter(rng, depth + 1)}${rng.pick([')', '(', ' and', ' eq', "'", ''])}`,
  ])();
}

function expand(rng: Rng, depth = 0): string {
  const items = Array.from({ length: 1 + rng.size(3) }, () => {
    const nav = rng.pick(NAVIGATIONS);
    if (depth > 2 || rng.chance(0.5)) return nav;
    const nested = Array.from({ length: 1 + rng.size(3) }, () => {
      const [name, value] = option(rng, depth + 1);
      return `${name}=${value}`;
    });
    return `${nav}(${nested.join(rng.pick([';', ',', '&']))}${rng.chance(0.1) ? '' : ')'}`;
  });
  return items.join(',');
}

function option(rng: Rng, depth: number): [string, string] {
  const base = rng.pick(['select', 'expand', 'filter', 'orderby', 'top', 'skip', 'skiptoken', 'count', 'search', 'format', 'apply', 'levels', 'foo']);
  const name = rng.pick([`$${base}`, `$${base}`, base, `$${base.toUpperCase()}`, `%24${base}`, `$ ${base}`]);
  const value = rng.pick([
    () => (base === 'select' || base === 'orderby' ? Array.from({ length: 1 + rng.size(4) }, () => `${rng.pick(PROPERTIES)}${base === 'orderby' ? rng.pick(['', ' asc', ' desc', ' up']) : ''}`).join(',') : ''),
    () => (base === 'expand' ? expand(rng, depth) : ''),
    () => (base === 'filter' ? filter(rng) : ''),
    () => rng.pick(['0', '1', '5', '999', '1000', '-1', '1.5', '1e3', '99999999999999999999', 'abc', '', ' 1', '0x1', 'true', 'false', 'TRUE']),
    () => Buffer.from(text(rng, 60)).toString(rng.pick(['base64', 'base64url', 'hex'])),
    () => text(rng, 40),
  ])();
  return [name, value];
}

function target(rng: Rng, fx: Fixtures): { path: string; scoped: boolean } {
  const alert = rng.pick(fx.alertIds);
  return rng.pick([
    () => ({ path: `${PIM}/${rng.pick(['alerts', 'alertDefinitions', 'alertConfigurations'])}${rng.chance(0.2) ? '/$count' : ''}`, scoped: true }),
    () => ({ path: `${PIM}/${rng.pick(['alerts', 'alertDefinitions', 'alertConfigurations'])}/${alert}`, scoped: false }),
    () => ({ path: `${PIM}/alerts/${alert}/alertIncidents${rng.chance(0.2) ? '/$count' : ''}`, scoped: false }),
    () => ({ path: `${PIM}/alerts/${alert}/alertIncidents/${fx.incidentIds.length ? rng.pick(fx.incidentIds) : 'x'}`, scoped: false }),
    () => ({ path: `${PIM}/operations${rng.pick(['', '/$count', `/${uriEncode(fx.refreshOperationId)}`])}`, scoped: false }),
    () => ({ path: `${INDUSTRY}/${rng.pick(['sourceSystems', 'dataConnectors', 'inboundFlows', 'operations'])}${rng.chance(0.2) ? '/$count' : ''}`, scoped: false }),
    () => ({ path: `${INDUSTRY}/${rng.pick([`sourceSystems/${fx.sourceSystemId}`, `dataConnectors/${fx.connectorId}`, `dataConnectors/${fx.connectorId}/sourceSystem`, `inboundFlows/${fx.inboundFlowId}`, `inboundFlows/${fx.inboundFlowId}/dataConnector`, `operations/${fx.validateOperationId}`])}`, scoped: false }),
  ])();
}

export function odata(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const { path, scoped } = target(rng, fx);
  const pairs: [string, string][] = [];
  if (scoped && rng.chance(0.7)) pairs.push(['$filter', rng.chance(0.7) ? SCOPE_FILTER : `${SCOPE_FILTER} and ${filter(rng)}`]);
  const n = rng.size(5);
  for (let i = 0; i < n; i++) pairs.push(option(rng, 0));
  if (rng.chance(0.03)) {
    // Huge: a long value (URLs past the parser's header limit included), or deep nesting.
    const at = rng.int(0, Math.max(0, pairs.length - 1));
    const bytes = rng.size(Math.min(scale.maxBytes, 100_000));
    pairs[at] = rng.pick<[string, string]>([
      ['$filter', `${huge('(', bytes / 2)}id eq 'x'${huge(')', bytes / 2)}`],
      ['$filter', huge("id eq 'x' or ", bytes)],
      ['$select', huge('id,', bytes)],
      ['$expand', `${huge('alertIncidents($expand=', bytes / 2)}`],
      ['$skiptoken', huge('A', bytes)],
    ]);
  }
  return { kind: 'odata', request: { method: rng.chance(0.95) ? 'GET' : 'HEAD', path: `${path}${queryString(rng, pairs)}`, headers: authorization(rng, fx) } };
}
