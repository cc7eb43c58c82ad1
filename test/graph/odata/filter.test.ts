import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDateTimeOffset, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from '../../../src/graph/odata/filter.js';
import type { FilterNode } from '../../../src/graph/odata/filter.js';
import { alertSpec, assertBadRequest, operationSpec } from './fixtures.js';

const parse = (text: string) => parseFilter(text, operationSpec);
const cmp = (property: string, op: string, value: unknown): FilterNode => ({ kind: 'compare', op, property, value } as FilterNode);
const int = (value: number) => ({ type: 'int', value });
const str = (value: string) => ({ type: 'string', value });

describe('structure and precedence', () => {
  test('and binds tighter than or', () => {
    assert.deepEqual(parse('incidentCount eq 1 or incidentCount eq 2 and incidentCount eq 3'), {
      kind: 'or',
      operands: [cmp('incidentCount', 'eq', int(1)), { kind: 'and', operands: [cmp('incidentCount', 'eq', int(2)), cmp('incidentCount', 'eq', int(3))] }],
    });
  });

  test('chains are flattened; parentheses group', () => {
    assert.deepEqual(parse('incidentCount eq 1 and incidentCount eq 2 and incidentCount eq 3'), {
      kind: 'and',
      operands: [cmp('incidentCount', 'eq', int(1)), cmp('incidentCount', 'eq', int(2)), cmp('incidentCount', 'eq', int(3))],
    });
    assert.deepEqual(parse('(incidentCount eq 1 or incidentCount eq 2) and incidentCount eq 3'), {
      kind: 'and',
      operands: [{ kind: 'or', operands: [cmp('incidentCount', 'eq', int(1)), cmp('incidentCount', 'eq', int(2))] }, cmp('incidentCount', 'eq', int(3))],
    });
    assert.deepEqual(parse(' ( ( incidentCount eq 1 ) ) '), cmp('incidentCount', 'eq', int(1)));
  });

  test('not applies to the following comparison or group', () => {
    assert.deepEqual(parse("not status eq 'running' and id eq 'x'"), {
      kind: 'and',
      operands: [{ kind: 'not', operand: cmp('status', 'eq', { type: 'enum', value: 'running' }) }, cmp('id', 'eq', str('x'))],
    });
    assert.deepEqual(parse("not(id eq 'a' or id eq 'b')"), {
      kind: 'not',
      operand: { kind: 'or', operands: [cmp('id', 'eq', str('a')), cmp('id', 'eq', str('b'))] },
    });
    assert.deepEqual(parse('not not isActive'), { kind: 'not', operand: { kind: 'not', operand: cmp('isActive', 'eq', { type: 'boolean', value: true }) } });
  });

  test('a boolean property alone is a condition; another property is not', () => {
    assert.deepEqual(parse('isActive'), cmp('isActive', 'eq', { type: 'boolean', value: true }));
    assert.deepEqual(parse('isActive eq false'), cmp('isActive', 'eq', { type: 'boolean', value: false }));
    assertBadRequest(() => parse('statusDetail'), "expected a comparison operator after 'statusDetail' at position 12, found the end of the expression.");
  });

  test('a literal on the left is moved to the right, flipping the operator', () => {
    assert.deepEqual(parse("'running' eq status"), cmp('status', 'eq', { type: 'enum', value: 'running' }));
    assert.deepEqual(parse('5 lt incidentCount'), cmp('incidentCount', 'gt', int(5)));
    assert.deepEqual(parse('2024-01-01T00:00:00Z ge createdDateTime'), cmp('createdDateTime', 'le', { type: 'datetime', value: '2024-01-01T00:00:00Z' }));
    assert.deepEqual(parse('null eq statusDetail'), cmp('statusDetail', 'eq', { type: 'null' }));
    assertBadRequest(() => parse('1 eq 1'), "the operator 'eq' at position 2 must compare a property with a literal value");
    assertBadRequest(() => parse('id eq statusDetail'), 'must compare a property with a literal value');
  });

  test('operators, keywords and literals are case-sensitive', () => {
    assertBadRequest(() => parse("status EQ 'running'"), "Invalid $filter: expected a comparison operator after 'status' at position 7, found 'EQ'.");
    assertBadRequest(() => parse("id eq 'a' AND id eq 'b'"), "unexpected 'AND'");
    assertBadRequest(() => parse('isActive eq True'), "Could not find a property named 'True'");
    assertBadRequest(() => parse("Status eq 'running'"), "Could not find a property named 'Status' on type 'microsoft.graph.longRunningOperation'.");
  });

  test('syntax errors name $filter and the position', () => {
    assertBadRequest(() => parse("status eq 'running' x"), "Invalid $filter: syntax error at position 20: unexpected 'x'.");
    assertBadRequest(() => parse('status eq'), 'Invalid $filter: unexpected end of expression.');
    assertBadRequest(() => parse("id eq 'a' and"), 'Invalid $filter: unexpected end of expression.');
    assertBadRequest(() => parse("eq 'a'"), "unexpected 'eq'");
    assertBadRequest(() => parse("(id eq 'a'"), 'unexpected end of expression');
    assertBadRequest(() => parse("id eq 'a')"), "unexpected ')'");
    assertBadRequest(() => parse('id eq "a"'), `unexpected '"'`);
    assertBadRequest(() => parse('incidentCount eq 1.5'), "unexpected '.'");
    assertBadRequest(() => parse('incidentCount has 1'), "the operator 'has' is not supported");
    assertBadRequest(() => parse('incidentCount add 1 eq 2'), "the operator 'add' is not supported");
    assertBadRequest(() => parse('   '), 'Invalid $filter: the expression is empty.');
    assertBadRequest(() => parse("id eq x'00'"), "unsupported literal 'x'");
  });

  test('the label names a nested $filter', () => {
    assertBadRequest(() => parseFilter('id eq', operationSpec, "$filter in $expand 'x'"), "Invalid $filter in $expand 'x': unexpected end of expression.");
  });
});

describe('literals and types', () => {
  test("strings use single quotes, '' escapes a quote", () => {
    assert.deepEqual(parse("statusDetail eq 'it''s'"), cmp('statusDetail', 'eq', str("it's")));
    assert.deepEqual(parse("statusDetail eq ''''"), cmp('statusDetail', 'eq', str("'")));
    assert.deepEqual(parse("statusDetail eq ''"), cmp('statusDetail', 'eq', str('')));
    assert.deepEqual(parse("statusDetail eq 'a and b or (c)'"), cmp('statusDetail', 'eq', str('a and b or (c)')));
    assertBadRequest(() => parse("statusDetail eq 'abc"), 'unterminated string literal at position 16');
    assertBadRequest(() => parse("statusDetail eq 'a''"), 'unterminated string literal');
  });

  test('DateTimeOffset literals: Z, fractions, offsets', () => {
    for (const value of ['2024-01-02T03:04:05Z', '2024-01-02T03:04Z', '2023-06-09T22:50:41.5414467Z', '2024-01-02T03:04:05.1+02:00', '2024-02-29T23:59:59-14:00']) {
      assert.deepEqual(parse(`createdDateTime gt ${value}`), cmp('createdDateTime', 'gt', { type: 'datetime', value }));
    }
  });

  test('an unencoded + before the offset (decoded to a space) is read as +', () => {
    assert.deepEqual(parse('createdDateTime gt 2024-01-02T03:04:05 02:00'), cmp('createdDateTime', 'gt', { type: 'datetime', value: '2024-01-02T03:04:05+02:00' }));
  });

  test('invalid DateTimeOffset literals are 400s naming the literal', () => {
    for (const bad of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:60:00Z', '2024-01-01T00:00:60Z', '2024-01-01T00:00:00', '2024-01-01', '0000-01-01T00:00:00Z', '2024-01-01T00:00:00+15:00']) {
      assertBadRequest(() => parse(`createdDateTime gt ${bad}`), `'${bad}' is not a valid DateTimeOffset literal`);
    }
    assert.equal(isDateTimeOffset('2024-01-02T03:04:05.123456Z'), true);
    assert.equal(isDateTimeOffset('2024-01-02 03:04:05Z'), false);
  });

  test('a literal of the wrong type is a 400 naming the property and both types', () => {
    assertBadRequest(() => parse("createdDateTime eq '2024-01-01T00:00:00Z'"), "property 'createdDateTime' is of type Edm.DateTimeOffset and cannot be compared with the Edm.String literal '2024-01-01T00:00:00Z'.");
    assertBadRequest(() => parse('statusDetail eq 5'), "property 'statusDetail' is of type Edm.String and cannot be compared with the Edm.Int32 literal 5.");
    assertBadRequest(() => parse("incidentCount eq '5'"), "property 'incidentCount' is of type Edm.Int32");
    assertBadRequest(() => parse('isActive eq 1'), "property 'isActive' is of type Edm.Boolean");
    assertBadRequest(() => parse('id eq true'), "property 'id' is of type Edm.String");
    assertBadRequest(() => parse('status eq 1'), "property 'status' is of type microsoft.graph.longRunningOperationStatus");
    assertBadRequest(() => parse("statusDetail eq microsoft.graph.longRunningOperationStatus'running'"), "property 'statusDetail' is of type Edm.String");
  });

  test('integers are Int32', () => {
    assert.deepEqual(parse('incidentCount ge -2147483648'), cmp('incidentCount', 'ge', int(-2147483648)));
    assertBadRequest(() => parse('incidentCount gt 2147483648'), 'the integer 2147483648 is out of range');
  });

  test('enum values: quoted or qualified, checked against the members', () => {
    const running = cmp('status', 'eq', { type: 'enum', value: 'running' });
    assert.deepEqual(parse("status eq 'running'"), running);
    assert.deepEqual(parse("status eq microsoft.graph.longRunningOperationStatus'running'"), running);
    assertBadRequest(() => parse("status eq 'Running'"), "'Running' is not a valid value of property 'status' (microsoft.graph.longRunningOperationStatus: notStarted, running, succeeded, failed, unknownFutureValue).");
    assertBadRequest(() => parse("status eq 'skipped'"), "'skipped' is not a valid value of property 'status'");
    assertBadRequest(() => parse("status eq microsoft.graph.otherEnum'running'"), "cannot be compared with the enum literal microsoft.graph.otherEnum'running'");
    assertBadRequest(() => parse("status gt 'running'"), "the operator 'gt' cannot be applied to property 'status' of type microsoft.graph.longRunningOperationStatus.");
    assertBadRequest(() => parse('isActive lt true'), "the operator 'lt' cannot be applied to property 'isActive' of type Edm.Boolean.");
  });

  test('null compares only with eq and ne', () => {
    assert.deepEqual(parse('statusDetail ne null'), cmp('statusDetail', 'ne', { type: 'null' }));
    assertBadRequest(() => parse('statusDetail gt null'), "null can only be compared with 'eq' or 'ne'.");
    assertBadRequest(() => parse('foo eq null'), "Could not find a property named 'foo'");
  });
});

describe('in and functions', () => {
  test('in takes a non-empty list of literals of the property type', () => {
    assert.deepEqual(parse("status in ('running', 'notStarted')"), {
      kind: 'in', property: 'status', values: [{ type: 'enum', value: 'running' }, { type: 'enum', value: 'notStarted' }],
    });
    assert.deepEqual(parse("id in ('a')"), { kind: 'in', property: 'id', values: [str('a')] });
    assertBadRequest(() => parse("status in ('running','done')"), "'done' is not a valid value of property 'status'");
    assertBadRequest(() => parse("id in ('a',null)"), "null cannot be used in the list after 'in'");
    assertBadRequest(() => parse('id in ()'), "unexpected ')'");
    assertBadRequest(() => parse("id in ('a',)"), "unexpected ')'");
    assertBadRequest(() => parse("id in 'a'"), "unexpected ''a''");
    assertBadRequest(() => parse("id in ('a', statusDetail)"), "the list after 'in' must contain literal values only");
    assertBadRequest(() => parse("'a' in ('a')"), "the left operand of 'in' at position 4 must be a property");
    assertBadRequest(() => parse('incidentCount in (1, 2.5)'), "unexpected '.'");
  });

  test('startswith, endswith and contains take a string property and a string literal', () => {
    assert.deepEqual(parse("startswith(statusDetail,'ab')"), { kind: 'call', fn: 'startswith', property: 'statusDetail', value: 'ab' });
    assert.deepEqual(parse("not endswith( statusDetail , 'x' )"), { kind: 'not', operand: { kind: 'call', fn: 'endswith', property: 'statusDetail', value: 'x' } });
    assert.deepEqual(parse("contains(statusDetail,'%_')"), { kind: 'call', fn: 'contains', property: 'statusDetail', value: '%_' });
    assertBadRequest(() => parse("startswith(createdDateTime,'2')"), "the function 'startswith' cannot be applied to property 'createdDateTime' of type Edm.DateTimeOffset.");
    assertBadRequest(() => parse("startswith(status,'r')"), "cannot be applied to property 'status'");
    assertBadRequest(() => parse("startswith('ab',statusDetail)"), "the first argument of 'startswith' must be a property");
    assertBadRequest(() => parse('startswith(statusDetail,5)'), "the second argument of 'startswith' must be a string literal");
    assertBadRequest(() => parse("tolower(statusDetail) eq 'a'"), "the function 'tolower' is not supported.");
    assertBadRequest(() => parse("startswith(statusDetail,'a') eq true"), "syntax error at position 29: unexpected 'eq'");
    assertBadRequest(() => parse("startswith(foo,'a')"), "Could not find a property named 'foo'");
  });
});

describe('properties and paths', () => {
  test('paths through single-valued navigations are parsed and type-checked against the target', () => {
    assert.deepEqual(parseFilter('alertConfiguration/isEnabled eq false', alertSpec), cmp('alertConfiguration/isEnabled', 'eq', { type: 'boolean', value: false }));
    assert.deepEqual(parseFilter("alertDefinition/displayName eq 'x'", alertSpec), cmp('alertDefinition/displayName', 'eq', str('x')));
    assertBadRequest(() => parseFilter("alertDefinition/displayName eq 1", alertSpec), "property 'alertDefinition/displayName' is of type Edm.String");
    assertBadRequest(() => parseFilter('alertDefinition/foo eq 1', alertSpec), "Could not find a property named 'foo' on type 'microsoft.graph.unifiedRoleManagementAlertDefinition'.");
    assertBadRequest(() => parseFilter('nope/isEnabled eq true', alertSpec), "Could not find a property named 'nope' on type 'microsoft.graph.unifiedRoleManagementAlert'.");
    assertBadRequest(() => parseFilter("alertIncidents/any(i: i/id eq 'x')", alertSpec), "the lambda operator 'any' is not supported");
    assertBadRequest(() => parseFilter("alertIncidents/id eq 'x'", alertSpec), "The collection-valued navigation property 'alertIncidents' cannot be used in a path");
    assertBadRequest(() => parse("status/x eq 'a'"), "Could not find a property named 'status' on type 'microsoft.graph.longRunningOperation'.");
    assertBadRequest(() => parse("microsoft.graph.x/id eq 'a'"), "Could not find a property named 'microsoft.graph.x'");
  });

  test('a property not filterable is a 400 naming it', () => {
    assertBadRequest(() => parse("secret eq 'x'"), "The property 'secret' cannot be used in the $filter query option.");
    assertBadRequest(() => parse("startswith(secret,'x')"), "The property 'secret' cannot be used in the $filter query option.");
  });

  test('inherited object members are not properties', () => {
    assertBadRequest(() => parse('constructor eq 1'), "Could not find a property named 'constructor'");
    assertBadRequest(() => parse('__proto__ eq 1'), "Could not find a property named '__proto__'");
    assertBadRequest(() => parse("toString/x eq 'a'"), "Could not find a property named 'toString'");
  });
});

describe('limits', () => {
  test('the expression length is bounded', () => {
    const long = `statusDetail eq '${'x'.repeat(MAX_FILTER_LENGTH)}'`;
    assertBadRequest(() => parse(long), `Invalid $filter: the expression is longer than ${MAX_FILTER_LENGTH} characters.`);
  });

  test('nesting depth is bounded: a 400, not a stack overflow', () => {
    const deep = (n: number) => `${'('.repeat(n)}incidentCount eq 1${')'.repeat(n)}`;
    assert.deepEqual(parse(deep(MAX_FILTER_DEPTH - 1)), cmp('incidentCount', 'eq', int(1)));
    assertBadRequest(() => parse(deep(MAX_FILTER_DEPTH)), `the expression is nested too deeply (at most ${MAX_FILTER_DEPTH} levels)`);
    assertBadRequest(() => parse(deep(2000)), 'nested too deeply');
    assertBadRequest(() => parse(`${'not '.repeat(1000)}isActive`), 'nested too deeply');
  });

  test('a long flat chain within the length limit parses', () => {
    const terms = Array.from({ length: 150 }, (_, i) => `incidentCount ne ${i}`);
    const node = parse(terms.join(' and '));
    assert.equal(node.kind === 'and' && node.operands.length, 150);
  });

  test('a NUL character is a 400', () => {
    assertBadRequest(() => parse("statusDetail eq 'a\u0000b'"), 'the expression contains a NUL character');
  });
});
