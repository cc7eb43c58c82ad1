import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstInvalid, Utf8Guard } from '../../../../src/families/industryData/validator/utf8.js';

/** Runs the guard over `input` cut at `cuts`; answers the bytes it passed on, BOM and first error. */
function run(input: Buffer, cuts: number[]) {
  const guard = new Utf8Guard();
  const passed: Buffer[] = [];
  let bom = false;
  let invalid: number | undefined;
  const edges = [0, ...cuts, input.length];
  for (let i = 0; i < edges.length - 1 && invalid === undefined; i++) {
    const step = guard.push(input.subarray(edges[i], edges[i + 1]));
    passed.push(step.valid);
    bom ||= step.bom === true;
    invalid = step.invalid?.offset;
  }
  if (invalid === undefined) {
    const step = guard.end();
    passed.push(step.valid);
    invalid = step.invalid?.offset;
  }
  return { passed: Buffer.concat(passed).toString('hex'), bom, invalid };
}

const cases: [name: string, input: Buffer][] = [
  ['valid text', Buffer.from('ab,é漢😀\r\nx')],
  ['BOM', Buffer.from('\ufeffa,b')],
  ['bad byte in the middle', Buffer.concat([Buffer.from('abé'), Buffer.from([0x80]), Buffer.from('cd')])],
  ['truncated at the end', Buffer.concat([Buffer.from('abc'), Buffer.from([0xf0, 0x9f, 0x98])])],
  ['overlong', Buffer.from([0x61, 0xe0, 0x80, 0xaf, 0x62])],
  ['very short', Buffer.from('a')],
];

test('Utf8Guard: the same bytes, BOM and error offset for every way of cutting the input', () => {
  for (const [name, input] of cases) {
    const whole = run(input, []);
    for (let a = 1; a < input.length; a++) {
      for (let b = a; b < input.length; b++) assert.deepEqual(run(input, b === a ? [a] : [a, b]), whole, `${name} cut at ${a},${b}`);
    }
  }
  assert.deepEqual(run(cases[1]![1], []), { passed: Buffer.from('a,b').toString('hex'), bom: true, invalid: undefined });
  assert.deepEqual(run(cases[2]![1], []), { passed: Buffer.from('abé').toString('hex'), bom: false, invalid: 4 });
  assert.deepEqual(run(cases[3]![1], []), { passed: Buffer.from('abc').toString('hex'), bom: false, invalid: 3 });
});

test('firstInvalid follows the Unicode well-formedness table', () => {
  const at = (...bytes: number[]) => firstInvalid(Uint8Array.from(bytes));
  assert.equal(at(0x41, 0xc3, 0xa9), 3); // valid: the length
  assert.equal(at(0xc1, 0xbf), 0); // overlong 2-byte lead
  assert.equal(at(0xe0, 0x9f, 0x80), 0); // overlong 3-byte
  assert.equal(at(0xed, 0xa0, 0x80), 0); // surrogate
  assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0); // above U+10FFFF
  assert.equal(at(0x41, 0xf0, 0x9f, 0x98, 0x80, 0xff), 5);
  assert.equal(at(0x41, 0xe2, 0x82), 1); // cut short
});
