import { describe, test } from 'node:test';
import { numberedAfter } from './compiled.js';
import assert from 'node:assert/strict';
import { parseQueryOptions } from '../../../src/graph/odata/query.js';
import { makeSkiptoken, queryFingerprint, seekToSql } from '../../../src/graph/odata/skiptoken.js';
import { effectiveSort } from '../../../src/graph/odata/sql.js';
import type { SortKey } from '../../../src/graph/odata/sql.js';
import { alertSpec, assertBadRequest, operationSpec } from './fixtures.js';

const options = (query: Record<string, string>) => parseQueryOptions(query, operationSpec, { collection: true });
const encode = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

const row = { id: 'op-7', createdDateTime: '2024-01-02T03:04:05.123456Z', lastActionDateTime: null, status: 'running', statusDetail: 'Half', incidentCount: 4 };

describe('queryFingerprint', () => {
  test('depends on $filter and $orderby only', () => {
    const a = queryFingerprint(options({ $filter: "status eq 'running'", $orderby: 'createdDateTime desc', $top: '5' }));
    assert.equal(a, queryFingerprint(options({ filter: "status  eq  'running'", orderby: 'createdDateTime  desc', $top: '50', $select: 'id' })));
    assert.notEqual(a, queryFingerprint(options({ $filter: "status eq 'failed'", $orderby: 'createdDateTime desc' })));
    assert.notEqual(a, queryFingerprint(options({ $filter: "status eq 'running'", $orderby: 'createdDateTime asc' })));
    assert.notEqual(a, queryFingerprint(options({ $orderby: 'createdDateTime desc' })));
  });
});

describe('seekToSql', () => {
  test('one direction, non-null keys: a row comparison after the existing params', () => {
    const sort = effectiveSort([{ property: 'createdDateTime', desc: true }], operationSpec);
    const token = makeSkiptoken(sort, row, 'fp');
    const params: unknown[] = ['tenant'];
    assert.equal(numberedAfter(params, seekToSql(token, sort, operationSpec, 'fp')), '(created_at, id) < ($2::timestamptz, $3::text)');
    assert.deepEqual(params, ['tenant', '2024-01-02T03:04:05.123456Z', 'op-7']);
  });

  test('the key alone', () => {
    const sort = effectiveSort(undefined, operationSpec);
    const params: unknown[] = [];
    assert.equal(numberedAfter(params, seekToSql(makeSkiptoken(sort, row, 'fp'), sort, operationSpec, 'fp')), '(id > $1::text)');
    assert.deepEqual(params, ['op-7']);
  });

  test('mixed directions and nullable keys: an OR-chain following NULLS FIRST asc / NULLS LAST desc', () => {
    const sort: SortKey[] = effectiveSort([{ property: 'statusDetail', desc: false }, { property: 'incidentCount', desc: true }], operationSpec);
    const params: unknown[] = [];
    assert.equal(
      numberedAfter(params, seekToSql(makeSkiptoken(sort, row, 'fp'), sort, operationSpec, 'fp')),
      '(status_detail > $1::text' +
        ' OR (status_detail = $1::text AND (n < $2::integer OR n IS NULL))' +
        ' OR (status_detail = $1::text AND n = $2::integer AND id < $3::text))',
    );
    assert.deepEqual(params, ['Half', 4, 'op-7']);
  });

  test('null values in the token: after null asc come the non-nulls; nothing follows null desc but ties', () => {
    const sort = effectiveSort([{ property: 'lastActionDateTime', desc: false }], operationSpec);
    const params: unknown[] = [];
    assert.equal(numberedAfter(params, seekToSql(makeSkiptoken(sort, row, 'fp'), sort, operationSpec, 'fp')), '(last_action_at IS NOT NULL OR (last_action_at IS NULL AND id > $1::text))');
    const desc = effectiveSort([{ property: 'lastActionDateTime', desc: true }], operationSpec);
    assert.equal(numberedAfter([], seekToSql(makeSkiptoken(desc, row, 'fp'), desc, operationSpec, 'fp')), '((last_action_at IS NULL AND id < $1::text))');
  });

  test('enums seek by member ordinal, matching ORDER BY', () => {
    const sort = effectiveSort([{ property: 'status', desc: false }], operationSpec);
    const params: unknown[] = [];
    const sql = numberedAfter(params, seekToSql(makeSkiptoken(sort, row, 'fp'), sort, operationSpec, 'fp'));
    assert.match(sql, /^\(\(CASE status WHEN 'notStarted' THEN 0 .* END\) > \$1::integer OR/);
    assert.deepEqual(params, [1, 'op-7']);
  });

  test('a path value is read from the nested entity', () => {
    const sort = effectiveSort([{ property: 'alertConfiguration/isEnabled', desc: false }], alertSpec);
    const token = makeSkiptoken(sort, { id: 'a1', alertConfiguration: { isEnabled: true } }, 'fp');
    const params: unknown[] = [];
    assert.equal(numberedAfter(params, seekToSql(token, sort, alertSpec, 'fp')), '(c.is_enabled, a.id) > ($1::boolean, $2::text)');
    assert.deepEqual(params, [true, 'a1']);
  });

  test('a Date is accepted for a datetime', () => {
    const sort = effectiveSort([{ property: 'createdDateTime', desc: false }], operationSpec);
    const params: unknown[] = [];
    numberedAfter(params, seekToSql(makeSkiptoken(sort, { ...row, createdDateTime: new Date('2024-05-06T07:08:09.010Z') }, 'fp'), sort, operationSpec, 'fp'));
    assert.deepEqual(params, ['2024-05-06T07:08:09.010Z', 'op-7']);
  });

  test('a row without the sort value is a programming error, not a 400', () => {
    assert.throws(() => makeSkiptoken(effectiveSort(undefined, operationSpec), {}, 'fp'), /no usable value for 'id'/);
  });
});

describe('invalid tokens are 400s, never SQL', () => {
  const sort = effectiveSort([{ property: 'createdDateTime', desc: true }, { property: 'lastActionDateTime', desc: false }], operationSpec);
  const seek = (token: string, fingerprint = 'fp') => numberedAfter([], seekToSql(token, sort, operationSpec, fingerprint));
  const good = ['2024-01-02T03:04:05Z', null, 'op-1'];

  test('a valid token is accepted', () => {
    assert.ok(seek(encode({ q: 'fp', v: good })));
  });

  test('a token from another query', () => {
    assertBadRequest(() => seek(encode({ q: 'fp', v: good }), 'other'), 'Invalid $skiptoken value.');
  });

  const cases: Record<string, string> = {
    'not base64url': 'a+b/c=',
    'not JSON': Buffer.from('{nope').toString('base64url'),
    'JSON null': encode(null),
    'a string': encode('x'),
    'no values': encode({ q: 'fp' }),
    'too few values': encode({ q: 'fp', v: good.slice(1) }),
    'too many values': encode({ q: 'fp', v: [...good, 1] }),
    'a number for a datetime': encode({ q: 'fp', v: [1, null, 'op-1'] }),
    'a bad datetime': encode({ q: 'fp', v: ['2024-02-30T00:00:00Z', null, 'op-1'] }),
    'a datetime injection': encode({ q: 'fp', v: ["2024-01-01T00:00:00Z'; --", null, 'op-1'] }),
    'null for a non-nullable key': encode({ q: 'fp', v: ['2024-01-02T03:04:05Z', null, null] }),
    'null for a non-nullable property': encode({ q: 'fp', v: [null, null, 'op-1'] }),
    'an object as a value': encode({ q: 'fp', v: ['2024-01-02T03:04:05Z', null, { a: 1 }] }),
    'a NUL in a string': encode({ q: 'fp', v: ['2024-01-02T03:04:05Z', null, 'a\u0000'] }),
    'too long': 'A'.repeat(5000),
  };
  for (const [name, token] of Object.entries(cases)) {
    test(name, () => assertBadRequest(() => seek(token), 'Invalid $skiptoken value.'));
  }

  test('ints and booleans are type-checked', () => {
    const intSort = effectiveSort([{ property: 'incidentCount', desc: false }, { property: 'isActive', desc: false }], operationSpec);
    const check = (v: unknown[]) => numberedAfter([], seekToSql(encode({ q: 'fp', v }), intSort, operationSpec, 'fp'));
    assert.ok(check([3, true, 'x']));
    assertBadRequest(() => check([1.5, true, 'x']), 'Invalid $skiptoken value.');
    assertBadRequest(() => check([2147483648, true, 'x']), 'Invalid $skiptoken value.');
    assertBadRequest(() => check([1, 'true', 'x']), 'Invalid $skiptoken value.');
  });
});
