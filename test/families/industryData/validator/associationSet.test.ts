import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AssociationSet } from '../../../../src/families/industryData/validator/associationSet.js';
import { Scratch } from '../../../../src/families/industryData/validator/scratch.js';

/** Adds every row and answers, per row, the first row with its key (as fresh or deferred said). */
function run(set: AssociationSet, rows: string[][]): Map<number, number> {
  const firsts = new Map<number, number>();
  const ranks = rows[0]!.map((_, i) => i);
  rows.forEach((values, i) => {
    const row = i + 2;
    if (set.add(values, ranks, row, () => JSON.stringify({ row, values }))) firsts.set(row, row);
  });
  let last = 0;
  for (const { row, first, payload } of set.deferred()) {
    assert.ok(row > last, 'deferred rows come in row order');
    last = row;
    assert.deepEqual(JSON.parse(payload), { row, values: rows[row - 2] });
    assert.ok(!firsts.has(row));
    firsts.set(row, first);
  }
  return firsts;
}

/** The answer computed with a Map. */
function expected(rows: string[][]): Map<number, number> {
  const seen = new Map<string, number>();
  return new Map(rows.map((values, i) => {
    const key = JSON.stringify(values);
    if (!seen.has(key)) seen.set(key, i + 2);
    return [i + 2, seen.get(key)!];
  }));
}

function withScratch(body: (scratch: Scratch, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'graph-lro-test-'));
  const scratch = new Scratch(dir);
  try {
    body(scratch, dir);
  } finally {
    scratch.close();
    assert.deepEqual(readdirSync(dir), [], 'close() removes the scratch files');
    rmSync(dir, { recursive: true });
  }
}

test('AssociationSet: every row is fresh or deferred, and a deferred row knows the first row of its key', () => {
  // 100,000 rows over 30,000 distinct keys, repeats near and far; tiny buffers so that both logs
  // spill to disk and deferred rows are decided in many batches; more keys than the filter's
  // starting size, so that it is rebuilt from the log.
  let seed = 42;
  const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const rows = Array.from({ length: 100_000 }, (_, i) => {
    const k = i < 40_000 ? i % 30_000 : random(30_000);
    return [`c${k % 97}`, `u${k}`, k % 2 ? 'student' : 'teacher'];
  });
  withScratch((scratch, dir) => {
    const set = new AssociationSet(scratch, { bufferBytes: 4096, batchBytes: 16 * 1024 });
    assert.deepEqual(run(set, rows), expected(rows));
    assert.ok(readdirSync(dir).length > 0, 'the logs spilled');
    set.close();
  });
});

test('AssociationSet: keys are the exact values, column by column (no two rows run together, non-ASCII intact)', () => {
  const rows = [
    ['ab', 'c'], ['a', 'bc'], ['abc', ''], ['', 'abc'], ['ab', 'c'],
    ['Ü', 'x'], ['U', 'x'], ['Ü', 'x'], ['漢字', '😀'], ['漢字', '😀 '], ['漢字', '😀'],
  ];
  withScratch((scratch) => {
    const set = new AssociationSet(scratch, { bufferBytes: 64 });
    assert.deepEqual(run(set, rows), expected(rows));
  });
});

test('AssociationSet: reserve sizes the filter ahead; answers stay exact', () => {
  const rows = Array.from({ length: 50_000 }, (_, i) => [`u${i % 20_000}`]);
  withScratch((scratch) => {
    const set = new AssociationSet(scratch);
    set.reserve(50_000);
    assert.deepEqual(run(set, rows), expected(rows));
  });
});
