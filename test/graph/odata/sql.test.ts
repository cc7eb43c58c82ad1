import { describe, test } from 'node:test';
import { numberedAfter } from './compiled.js';
import assert from 'node:assert/strict';
import { parseFilter } from '../../../src/graph/odata/filter.js';
import { effectiveSort, escapeLike, filterToSql, orderByToSql } from '../../../src/graph/odata/sql.js';
import { alertSpec, assertBadRequest, operationSpec } from './fixtures.js';

/** Compiles `filter` after `existing` params, returning the SQL and all params. */
function sql(filter: string, existing: unknown[] = [], spec = operationSpec) {
  const params = [...existing];
  return { sql: numberedAfter(params, filterToSql(parseFilter(filter, spec), spec)), params };
}

describe('filterToSql', () => {
  test('values are parameters numbered after the existing ones', () => {
    assert.deepEqual(sql("id eq 'a' and incidentCount gt 3", ['tenant', 'family']), {
      sql: '(id = $3::text AND n > $4::integer)',
      params: ['tenant', 'family', 'a', 3],
    });
  });

  test('the key, enums and caseSensitive strings compare exactly; other strings ignore case', () => {
    assert.deepEqual(sql("id eq 'A'"), { sql: 'id = $1::text', params: ['A'] });
    assert.deepEqual(sql("status eq 'running'"), { sql: 'status = $1::text', params: ['running'] });
    assert.deepEqual(sql("scopeId eq '/'"), { sql: 'scope_id = $1::text', params: ['/'] });
    assert.deepEqual(sql("statusDetail eq 'Done'"), { sql: 'lower(status_detail) = lower($1::text)', params: ['Done'] });
    assert.deepEqual(sql("statusDetail ge 'b'"), { sql: 'lower(status_detail) >= lower($1::text)', params: ['b'] });
  });

  test('datetimes are cast to timestamptz; booleans and ints to their types', () => {
    assert.deepEqual(sql('createdDateTime lt 2024-01-02T03:04:05.5+02:00'), { sql: 'created_at < $1::timestamptz', params: ['2024-01-02T03:04:05.5+02:00'] });
    assert.deepEqual(sql('isActive'), { sql: 'active = $1::boolean', params: [true] });
  });

  test('null: IS NULL / IS NOT NULL, no parameter', () => {
    assert.deepEqual(sql('statusDetail eq null'), { sql: 'status_detail IS NULL', params: [] });
    assert.deepEqual(sql('null ne statusDetail'), { sql: 'status_detail IS NOT NULL', params: [] });
    assert.deepEqual(sql('not (statusDetail eq null)'), { sql: 'status_detail IS NOT NULL', params: [] });
  });

  test('ne is true for null on nullable columns (IS DISTINCT FROM)', () => {
    assert.deepEqual(sql("resourceLocation ne 'x'"), { sql: 'lower(resource_location) IS DISTINCT FROM lower($1::text)', params: ['x'] });
    assert.deepEqual(sql("id ne 'x'"), { sql: 'id <> $1::text', params: ['x'] });
  });

  test('not is pushed down to the comparisons, keeping null rows where OData does', () => {
    assert.deepEqual(sql("not (id eq 'a' or incidentCount gt 2)"), {
      sql: '(id <> $1::text AND (n <= $2::integer OR n IS NULL))',
      params: ['a', 2],
    });
    assert.deepEqual(sql("not (status eq 'failed' and not isActive)"), {
      sql: '(status <> $1::text OR active = $2::boolean)',
      params: ['failed', true],
    });
    assert.deepEqual(sql('not not (incidentCount lt 1)'), { sql: 'n < $1::integer', params: [1] });
  });

  test('precedence is kept in the SQL', () => {
    assert.deepEqual(sql('incidentCount eq 1 or incidentCount eq 2 and incidentCount eq 3'), {
      sql: '(n = $1::integer OR (n = $2::integer AND n = $3::integer))',
      params: [1, 2, 3],
    });
  });

  test('in: = ANY of one array parameter', () => {
    assert.deepEqual(sql("status in ('running','failed')"), { sql: 'status = ANY ($1::text[])', params: [['running', 'failed']] });
    assert.deepEqual(sql('not (incidentCount in (1,2))'), { sql: '(n <> ALL ($1::integer[]) OR n IS NULL)', params: [[1, 2]] });
    assert.deepEqual(sql("statusDetail in ('A','b')"), { sql: 'lower(status_detail) = ANY (SELECT lower(v) FROM unnest($1::text[]) AS v)', params: [['A', 'b']] });
    assert.deepEqual(sql('createdDateTime in (2024-01-01T00:00:00Z)'), { sql: 'created_at = ANY ($1::timestamptz[])', params: [['2024-01-01T00:00:00Z']] });
  });

  test('functions become LIKE with %, _ and \\ escaped', () => {
    assert.equal(escapeLike('50%_a\\b'), '50\\%\\_a\\\\b');
    assert.deepEqual(sql("startswith(statusDetail,'50%_')"), { sql: "lower(status_detail) LIKE lower($1::text) ESCAPE '\\'", params: ['50\\%\\_%'] });
    assert.deepEqual(sql("endswith(id,'\\x')"), { sql: "id LIKE $1::text ESCAPE '\\'", params: ['%\\\\x'] });
    assert.deepEqual(sql("contains(scopeId,'a')"), { sql: "scope_id LIKE $1::text ESCAPE '\\'", params: ['%a%'] });
    assert.deepEqual(sql("not contains(scopeId,'a')"), { sql: "(scope_id NOT LIKE $1::text ESCAPE '\\' OR scope_id IS NULL)", params: ['%a%'] });
  });

  test('user text never reaches the SQL text', () => {
    const { sql: text, params } = sql("statusDetail eq 'QQ''; DROP TABLE operations; --' or startswith(statusDetail,'\\''QQ')");
    assert.ok(!text.includes('DROP') && !text.includes('QQ') && !text.includes(';'), text);
    assert.deepEqual(params, ["QQ'; DROP TABLE operations; --", "\\\\'QQ%"]);
  });

  test('a path is compiled only if the route maps it', () => {
    assert.deepEqual(sql('alertConfiguration/isEnabled eq false and isActive', [], alertSpec), {
      sql: '(c.is_enabled = $1::boolean AND a.is_active = $2::boolean)',
      params: [false, true],
    });
    assertBadRequest(() => sql("alertDefinition/displayName eq 'x'", [], alertSpec), "The property path 'alertDefinition/displayName' cannot be used in $filter on this resource.");
  });
});

describe('orderByToSql and effectiveSort', () => {
  test('the key is the final tie-breaker, in the last requested direction (asc if none)', () => {
    assert.deepEqual(effectiveSort(undefined, operationSpec), [{ property: 'id', desc: false }]);
    assert.deepEqual(effectiveSort([{ property: 'createdDateTime', desc: true }], operationSpec), [
      { property: 'createdDateTime', desc: true },
      { property: 'id', desc: true },
    ]);
    assert.deepEqual(effectiveSort([{ property: 'id', desc: true }, { property: 'status', desc: false }], operationSpec), [
      { property: 'id', desc: true },
      { property: 'status', desc: false },
    ]);
  });

  test('nullable columns sort nulls first ascending, last descending; enums by member order', () => {
    const sort = effectiveSort([{ property: 'statusDetail', desc: false }, { property: 'lastActionDateTime', desc: true }, { property: 'createdDateTime', desc: false }], operationSpec);
    assert.equal(orderByToSql(sort, operationSpec), 'status_detail ASC NULLS FIRST, last_action_at DESC NULLS LAST, created_at ASC, id ASC');
    assert.equal(
      orderByToSql([{ property: 'status', desc: true }], operationSpec),
      "(CASE status WHEN 'notStarted' THEN 0 WHEN 'running' THEN 1 WHEN 'succeeded' THEN 2 WHEN 'failed' THEN 3 WHEN 'unknownFutureValue' THEN 4 END) DESC NULLS LAST",
    );
  });

  test('an unmapped path is a 400', () => {
    assert.equal(orderByToSql([{ property: 'alertConfiguration/isEnabled', desc: false }], alertSpec), 'c.is_enabled ASC');
    assertBadRequest(() => orderByToSql([{ property: 'alertDefinition/displayName', desc: false }], alertSpec), "The property path 'alertDefinition/displayName' cannot be used in $orderby on this resource.");
  });
});
