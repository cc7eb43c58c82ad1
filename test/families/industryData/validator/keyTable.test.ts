import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyTable } from '../../../../src/families/industryData/validator/keyTable.js';

test('KeyTable: add answers a new entry or -1 for a key already there; find answers the entry or -1', () => {
  const table = new KeyTable();
  assert.equal(table.add('a', 2), 0);
  assert.equal(table.add('b', 3), 1);
  assert.equal(table.add('a', 4), -1);
  assert.equal(table.find('b'), 1);
  assert.equal(table.find('c'), -1);
  assert.equal(table.find(''), -1);
  assert.equal(table.add('', 5), 2);
  assert.equal(table.find(''), 2);
  assert.equal(table.size, 3);
});

test('KeyTable: keys are exact UTF-8 strings (case, spaces, non-ASCII) and come back intact', () => {
  const table = new KeyTable();
  const keys = ['u1', 'U1', ' u1', 'u1 ', 'Ü1', '漢字', '😀', 'é', 'e\u0301'];
  keys.forEach((key, i) => assert.equal(table.add(key, i + 2), i));
  keys.forEach((key, i) => {
    assert.equal(table.find(key), i);
    assert.equal(table.key(i), key);
  });
});

test('KeyTable: rows, flags and keys survive growth across many keys', () => {
  const table = new KeyTable();
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const entry = table.add(`id-${i}`, i + 2);
    assert.equal(entry, i);
    table.flags[entry] = i % 256;
  }
  for (let i = 0; i < n; i += 997) {
    const entry = table.find(`id-${i}`);
    assert.equal(entry, i);
    assert.equal(table.row(entry), i + 2);
    assert.equal(table.flags[entry], i % 256);
    assert.equal(table.key(entry), `id-${i}`);
  }
  assert.equal(table.find(`id-${n}`), -1);
  assert.equal(table.add('id-12345', n + 2), -1);
});

test('KeyTable: each entry keeps its own row when rows skip (rejected rows, repeats) in any pattern', () => {
  const table = new KeyTable();
  const rows: number[] = [];
  let row = 1;
  for (let i = 0; i < 10_000; i++) {
    row += i % 7 === 0 ? 1 + (i % 5) : i % 3 === 0 ? 2 : 1; // runs of every length, and gaps of 1 to 5 rows
    rows.push(row);
    assert.equal(table.add(`k${i}`, row), i);
  }
  rows.forEach((expected, entry) => assert.equal(table.row(entry), expected));
});

test('KeyTable: reserve sizes the table ahead without changing what it holds', () => {
  const table = new KeyTable();
  table.add('before', 2);
  table.reserve(100_000);
  for (let i = 0; i < 100_000; i++) table.add(`k${i}`, i + 3);
  table.reserve(10); // smaller than the table: no effect
  assert.equal(table.find('before'), 0);
  assert.equal(table.row(table.find('k99999')), 100_002);
  assert.equal(table.size, 100_001);
});

test('KeyTable: keys of any length, short and long (255 bytes and more) side by side, across growth', () => {
  const table = new KeyTable();
  const keys = Array.from({ length: 5000 }, (_, i) => (i % 7 === 3 ? `${'x'.repeat(250 + (i % 11))}-${i}` : i % 13 === 5 ? 'é'.repeat(130 + (i % 5)) + i : `k${i}`));
  keys.forEach((key, i) => assert.equal(table.add(key, i + 2), i));
  keys.forEach((key, i) => {
    assert.equal(table.find(key), i);
    assert.equal(table.key(i), key);
    assert.equal(table.row(i), i + 2);
  });
  assert.equal(table.find('x'.repeat(255)), -1);
});
