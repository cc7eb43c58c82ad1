import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueryOptions } from '../../../src/graph/odata/query.js';
import { alertSpec, assertBadRequest, operationSpec } from './fixtures.js';

const list = (query: Record<string, unknown>, maxTop?: number) =>
  parseQueryOptions(query, operationSpec, { collection: true, ...(maxTop === undefined ? {} : { maxTop }) });
const entity = (query: Record<string, unknown>) => parseQueryOptions(query, operationSpec, { collection: false });
const alerts = (query: Record<string, unknown>) => parseQueryOptions(query, alertSpec, { collection: true });

describe('option names', () => {
  test('the $ prefix is optional and names are case-insensitive', () => {
    const expected = list({ $filter: "status eq 'running'", $top: '5', $select: 'id,status' });
    assert.deepEqual(list({ filter: "status eq 'running'", top: '5', select: 'id,status' }), expected);
    assert.deepEqual(list({ $Filter: "status eq 'running'", $TOP: '5', Select: 'id,status' }), expected);
    assert.equal(expected.top, 5);
  });

  test('an option given twice is a 400 naming it, with or without $', () => {
    assertBadRequest(() => list({ $filter: "id eq 'a'", filter: "id eq 'b'" }), "Query option '$filter' was specified more than once");
    assertBadRequest(() => list({ $top: ['1', '2'] }), "Query option '$top' was specified more than once");
  });

  test('unknown $ options and unsupported OData options are 400s naming them', () => {
    assertBadRequest(() => list({ $foo: '1' }), "Query option '$foo' is not supported.");
    assertBadRequest(() => list({ $search: '"x"' }), "Query option '$search' is not supported.");
    assertBadRequest(() => list({ search: '"x"' }), "Query option '$search' is not supported.");
    assertBadRequest(() => list({ $format: 'json' }), "Query option '$format' is not supported.");
  });

  test('plain parameters that are not options are ignored', () => {
    assert.deepEqual(list({ foo: 'bar', api: '1' }), {});
  });

  test('a non-string value is a 400', () => {
    assertBadRequest(() => list({ $top: 5 }), 'Invalid $top value');
  });

  test('a single entity accepts only $select and $expand', () => {
    assert.deepEqual(entity({ $select: 'id' }), { select: ['id'] });
    for (const option of ['filter', 'orderby', 'top', 'skip', 'count', 'skiptoken']) {
      assertBadRequest(() => entity({ [`$${option}`]: '1' }), `Query option '$${option}' is not supported on a single entity.`);
    }
  });

  test('a route can restrict the options it supports', () => {
    const parse = (query: Record<string, unknown>) => parseQueryOptions(query, operationSpec, { collection: true, options: ['select', 'filter'] });
    assert.deepEqual(parse({ $select: 'id' }), { select: ['id'] });
    assertBadRequest(() => parse({ $orderby: 'id' }), "Query option '$orderby' is not supported.");
  });
});

describe('$select', () => {
  test('a trimmed list, duplicates removed', () => {
    assert.deepEqual(list({ $select: ' id , status,id' }).select, ['id', 'status']);
  });

  test('* means all properties', () => {
    assert.deepEqual(list({ $select: '*' }).select, ['*']);
    assert.deepEqual(list({ $select: 'id,*' }).select, ['*']);
  });

  test('an unknown property is a 400 naming it and the type', () => {
    assertBadRequest(() => list({ $select: 'id,foo' }), "Could not find a property named 'foo' on type 'microsoft.graph.longRunningOperation'.");
    assertBadRequest(() => list({ $select: 'constructor' }), "Could not find a property named 'constructor'");
    assertBadRequest(() => list({ $select: '__proto__' }), "Could not find a property named '__proto__'");
    assertBadRequest(() => alerts({ $select: 'alertConfiguration/isEnabled' }), "Could not find a property named 'alertConfiguration/isEnabled'");
  });

  test('empty items and navigation properties are 400s', () => {
    assertBadRequest(() => list({ $select: 'id,,status' }), "Invalid $select value 'id,,status'.");
    assertBadRequest(() => list({ $select: '' }), 'Invalid $select value');
    assertBadRequest(() => alerts({ $select: 'alertIncidents' }), "The navigation property 'alertIncidents' cannot be used in $select");
  });
});

describe('$top, $skip, $count, $skiptoken', () => {
  test('$top is a non-negative integer up to maxTop (999 by default)', () => {
    assert.equal(list({ $top: '0' }).top, 0);
    assert.equal(list({ $top: '999' }).top, 999);
    assertBadRequest(() => list({ $top: '1000' }), "Invalid $top value '1000'. The value must be at most 999.");
    assertBadRequest(() => list({ $top: '51' }, 50), "Invalid $top value '51'. The value must be at most 50.");
    for (const bad of ['abc', '-1', '1.5', ' 5', '1e3', '', '99999999999']) assertBadRequest(() => list({ $top: bad }), `Invalid $top value '${bad}'`);
  });

  test('$skip is a non-negative integer', () => {
    assert.equal(list({ $skip: '20' }).skip, 20);
    assertBadRequest(() => list({ $skip: 'x' }), "Invalid $skip value 'x'.");
    assertBadRequest(() => list({ $skip: '-2' }), "Invalid $skip value '-2'.");
  });

  test('$count is true or false', () => {
    assert.equal(list({ $count: 'true' }).count, true);
    assert.equal(list({ $count: 'false' }).count, false);
    for (const bad of ['TRUE', '1', 'yes', '']) assertBadRequest(() => list({ $count: bad }), `Invalid $count value '${bad}'`);
  });

  test('$skiptoken is kept raw; it cannot be empty or combined with $skip', () => {
    assert.equal(list({ $skiptoken: 'abc' }).skiptoken, 'abc');
    assertBadRequest(() => list({ $skiptoken: '' }), 'Invalid $skiptoken value.');
    assertBadRequest(() => list({ $skiptoken: 'abc', $skip: '1' }), "Query options '$skip' and '$skiptoken' cannot be used together.");
  });
});

describe('$orderby', () => {
  test('properties with optional directions, separated by one or more spaces', () => {
    assert.deepEqual(list({ $orderby: 'createdDateTime desc, status,id  asc' }).orderby, [
      { property: 'createdDateTime', desc: true },
      { property: 'status', desc: false },
      { property: 'id', desc: false },
    ]);
  });

  test('unknown properties, bad directions, duplicates and unsortable properties are 400s', () => {
    assertBadRequest(() => list({ $orderby: 'foo desc' }), "Could not find a property named 'foo' on type 'microsoft.graph.longRunningOperation'.");
    assertBadRequest(() => list({ $orderby: 'id DESC' }), "Invalid $orderby value 'id DESC'.");
    assertBadRequest(() => list({ $orderby: 'id desc asc' }), "Invalid $orderby value 'id desc asc'.");
    assertBadRequest(() => list({ $orderby: 'id,' }), "Invalid $orderby value 'id,'.");
    assertBadRequest(() => list({ $orderby: 'id,id desc' }), "Duplicate property 'id' in $orderby.");
    assertBadRequest(() => list({ $orderby: 'secret' }), "The property 'secret' cannot be used in the $orderby query option.");
  });

  test('a path through a single-valued navigation is accepted by the parser', () => {
    assert.deepEqual(alerts({ $orderby: 'alertConfiguration/isEnabled desc' }).orderby, [{ property: 'alertConfiguration/isEnabled', desc: true }]);
  });
});

describe('$expand', () => {
  test('* expands every navigation property', () => {
    assert.deepEqual(alerts({ $expand: '*' }).expand?.map((e) => e.property), ['alertDefinition', 'alertConfiguration', 'alertIncidents']);
  });

  test('a list, with nested options checked against the target type', () => {
    const { expand } = alerts({
      $expand: "alertDefinition, alertIncidents($top=5; $select=id,assigneeDisplayName;$filter=startswith(assigneeDisplayName,'a;b)');$orderby=createdDateTime desc;$count=true)",
    });
    assert.deepEqual(expand?.[0], { property: 'alertDefinition', options: {} });
    assert.deepEqual(expand?.[1], {
      property: 'alertIncidents',
      options: {
        top: 5,
        select: ['id', 'assigneeDisplayName'],
        filter: { kind: 'call', fn: 'startswith', property: 'assigneeDisplayName', value: 'a;b)' },
        orderby: [{ property: 'createdDateTime', desc: true }],
        count: true,
      },
    });
    assert.deepEqual(alerts({ $expand: 'alertConfiguration($select=isEnabled)' }).expand, [{ property: 'alertConfiguration', options: { select: ['isEnabled'] } }]);
    assert.deepEqual(alerts({ $expand: 'alertIncidents()' }).expand, [{ property: 'alertIncidents', options: {} }]);
  });

  test('nested errors name the option, the navigation property and the target type', () => {
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($select=foo)' }), "Could not find a property named 'foo' on type 'microsoft.graph.unifiedRoleManagementAlertIncident'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($skip=5)' }), "Query option '$skip' is not supported in $expand 'alertIncidents'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($expand=*)' }), "Query option '$expand' is not supported in $expand 'alertIncidents'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($top=1;$top=2)' }), "Query option '$top' was specified more than once, but it must be specified at most once in $expand 'alertIncidents'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($top=x)' }), "Invalid $top value 'x' in $expand 'alertIncidents'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($filter=foo eq 1)' }), "Could not find a property named 'foo' on type 'microsoft.graph.unifiedRoleManagementAlertIncident'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($filter=id eq)' }), "Invalid $filter in $expand 'alertIncidents': unexpected end of expression.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($foo=1)' }), "Query option '$foo' is not supported in $expand 'alertIncidents'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents(top)' }), 'Invalid $expand value');
    assertBadRequest(() => alerts({ $expand: 'alertConfiguration($top=1)' }), "Query option '$top' is not supported in $expand 'alertConfiguration', a single-valued navigation property.");
  });

  test('unknown, structural and duplicated properties and bad syntax are 400s', () => {
    assertBadRequest(() => alerts({ $expand: 'foo' }), "Could not find a property named 'foo' on type 'microsoft.graph.unifiedRoleManagementAlert'.");
    assertBadRequest(() => alerts({ $expand: 'isActive' }), "Property 'isActive' on type 'microsoft.graph.unifiedRoleManagementAlert' is not a navigation property.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents,alertIncidents' }), "Duplicate navigation property 'alertIncidents' in $expand.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($top=1' }), "Invalid $expand value 'alertIncidents($top=1'.");
    assertBadRequest(() => alerts({ $expand: 'alertIncidents($top=1))(' }), 'Invalid $expand value');
    assertBadRequest(() => alerts({ $expand: "alertIncidents($filter=id eq 'x)" }), 'Invalid $expand value');
    assertBadRequest(() => alerts({ $expand: '*,alertIncidents' }), 'Invalid $expand value');
    assertBadRequest(() => list({ $expand: 'anything' }), "Could not find a property named 'anything'");
  });

  test('$expand is allowed on a single entity', () => {
    const options = parseQueryOptions({ $expand: 'alertIncidents($top=2)' }, alertSpec, { collection: false });
    assert.deepEqual(options.expand, [{ property: 'alertIncidents', options: { top: 2 } }]);
  });
});

test('$filter is parsed against the resource', () => {
  assert.deepEqual(list({ $filter: "status eq 'running'" }).filter, { kind: 'compare', op: 'eq', property: 'status', value: { type: 'enum', value: 'running' } });
  assertBadRequest(() => list({ $filter: 'foo eq 1' }), "Could not find a property named 'foo' on type 'microsoft.graph.longRunningOperation'.");
});
