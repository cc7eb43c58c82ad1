import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyTable } from '../../../../src/families/industryData/validator/keyTable.js';

test('KeyTable: add answers a new entry or -1 for a key already there; find answers the entry or -1', () => {
  const table = new KeyTable();
  assert.equal(table.add('a'), 0);
  assert.equal(table.add('b'), 1);
  assert.equal(table.add('a'), -1);
  assert.equal(table.find('b'), 1);
  assert.equal(table.find('c'), -1);
  assert.equal(table.find(''), -1);
  assert.equal(table.add(''), 2);
  assert.equal(table.find(''), 2);
  assert.equal(table.size, 3);
});

test('KeyTable: keys are exact UTF-8 strings (case, spaces, non-ASCII) and come back intact', () => {
  const table = new KeyTable();
  const keys = ['u1', 'U1', ' u1', 'u1 ', 'Ü1', '漢字', '😀', 'é', 'e\u0301'];
  keys.forEach((key, i) => assert.equal(table.add(key), i));
  keys.forEach((key, i) => {
    assert.equal(table.find(key), i);
    assert.equal(table.key(i), key);
  });
});

test('KeyTable: rows and flags survive growth across many keys', () => {
  const table = new KeyTable();
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const entry = table.add(`id-${i}`);
    assert.equal(entry, i);
    table.rows[entry] = i + 2;
    table.flags[entry] = i % 256;
  }
  for (let i = 0; i < n; i += 997) {
    const entry = table.find(`id-${i}`);
    assert.equal(entry, i);
    assert.equal(table.rows[entry], i + 2);
    assert.equal(table.flags[entry], i % 256);
    assert.equal(table.key(entry), `id-${i}`);
  }
  assert.equal(table.find(`id-${n}`), -1);
  assert.equal(table.add('id-12345'), -1);
});
