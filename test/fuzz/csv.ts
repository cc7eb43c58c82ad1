// CSV sets for end-to-end validation: Microsoft's SDS v2.1 sample set (test/fixtures/sds/v2.1, the
// same bytes as the published samples) with one to three files damaged — invalid UTF-8, BOMs,
// CR-only and mixed line ends, NULs, unterminated quotes, huge fields, 100k columns, duplicate
// headers, empty and header-only files, truncation, byte flips, odd values, dropped and extra
// files — and, at the large size, files of many rows.
import { readdirSync, readFileSync } from 'node:fs';
import type { Rng } from './rng.js';
import { text, uriEncode } from './rng.js';

export const SAMPLES = new URL('../../../test/fixtures/sds/v2.1/', import.meta.url);

export interface CsvFile {
  name: string;
  body: Buffer;
}

export interface CsvSet {
  files: CsvFile[];
  /** What was done, to read in a report. */
  mutations: string[];
}

export interface CsvScale {
  /** Largest huge field, bytes. */
  maxField: number;
  /** Rows added by the many-rows mutation (0: never). */
  maxRows: number;
}

export function sampleSet(): CsvFile[] {
  return readdirSync(SAMPLES)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => ({ name, body: readFileSync(new URL(name, SAMPLES)) }));
}

const INVALID_UTF8 = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]];
const BOMS = [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]];

const lines = (b: Buffer) => b.toString('latin1').split(/\r\n|\r|\n/).filter((l, i, all) => l !== '' || i < all.length - 1);
const join = (rows: string[], eol = '\r\n') => Buffer.from(`${rows.join(eol)}${eol}`, 'latin1');
const at = (rng: Rng, b: Buffer) => rng.int(0, b.length);
const insert = (b: Buffer, i: number, bytes: Buffer) => Buffer.concat([b.subarray(0, i), bytes, b.subarray(i)]);

/** Replaces field `column` of row `row` (0: the header) with `value` (latin1 of its bytes). */
function setField(b: Buffer, rng: Rng, value: string, header = false): Buffer {
  const rows = lines(b);
  if (!rows.length) return b;
  const r = header ? 0 : rng.int(Math.min(1, rows.length - 1), rows.length - 1);
  const cells = rows[r]!.split(',');
  cells[rng.int(0, cells.length - 1)] = value;
  rows[r] = cells.join(',');
  return join(rows);
}

const MUTATIONS: Record<string, (b: Buffer, rng: Rng, scale: CsvScale) => Buffer> = {
  invalidUtf8: (b, rng) => insert(b, at(rng, b), Buffer.from(rng.pick(INVALID_UTF8))),
  bom: (b, rng) => Buffer.concat([Buffer.from(rng.pick(BOMS)), b]),
  crOnly: (b) => join(lines(b), '\r'),
  lfOnly: (b) => join(lines(b), '\n'),
  mixedEol: (b, rng) => Buffer.from(lines(b).map((l) => `${l}${rng.pick(['\r\n', '\n', '\r'])}`).join(''), 'latin1'),
  nul: (b, rng) => insert(b, at(rng, b), Buffer.from([0])),
  nulInField: (b, rng) => setField(b, rng, `u\u0000`),
  unterminatedQuote: (b, rng) => setField(b, rng, `"${text(rng, 8).replace(/"/g, '')}`),
  quotedLineBreak: (b, rng) => setField(b, rng, `"a\r\nb,""c"""`),
  hugeField: (b, rng, s) => setField(b, rng, 'x'.repeat(rng.size(s.maxField))),
  hugeQuotedField: (b, rng, s) => setField(b, rng, `"${'a,\n'.repeat(rng.size(s.maxField) / 3)}"`),
  wideHeader: (b) => {
    const rows = lines(b);
    rows[0] = `${rows[0]},${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')}`;
    return join(rows);
  },
  wideRow: (b, rng) => setField(b, rng, ','.repeat(rng.size(100_000))),
  duplicateHeader: (b, rng) => {
    const rows = lines(b);
    const cells = rows[0]?.split(',') ?? [];
    if (cells.length) cells.push(rng.pick(cells));
    rows[0] = cells.join(',');
    return join(rows);
  },
  renameHeader: (b, rng) => setField(b, rng, rng.pick(['', ' sourcedId', 'SOURCEDID', text(rng, 8), '"sourcedId"', 'sourced\u0000Id']), true),
  empty: () => Buffer.alloc(0),
  headerOnly: (b) => join(lines(b).slice(0, 1)),
  truncate: (b, rng) => b.subarray(0, at(rng, b)),
  flip: (b, rng) => {
    const out = Buffer.from(b);
    for (let i = rng.int(1, 8); i > 0 && out.length; i--) out[rng.int(0, out.length - 1)] = rng.next() & 0xff;
    return out;
  },
  value: (b, rng) => setField(b, rng, Buffer.from(text(rng, 20), 'utf8').toString('latin1')),
  duplicateRows: (b, rng) => {
    const rows = lines(b);
    if (rows.length > 1) rows.push(rows[rng.int(1, rows.length - 1)]!);
    return join(rows);
  },
  shuffleRows: (b, rng) => {
    const [head, ...rest] = lines(b);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    return join([head ?? '', ...rest]);
  },
  manyRows: (b, rng, s) => {
    const [head, ...rest] = lines(b);
    if (!rest.length || !s.maxRows) return b;
    const n = rng.size(s.maxRows);
    const rows = [head ?? ''];
    for (let i = 0; i < n; i++) rows.push(rest[i % rest.length]!.replace(/^[^,]*/, (id) => `${id}x${i}`));
    return join(rows);
  },
};

export function csvSet(rng: Rng, base: readonly CsvFile[], scale: CsvScale): CsvSet {
  let files = base.map((f) => ({ ...f }));
  const mutations: string[] = [];
  const n = 1 + rng.size(2);
  for (let i = 0; i < n; i++) {
    const roll = rng.int(0, 99);
    if (roll < 5 && files.length) {
      const gone = files.splice(rng.int(0, files.length - 1), 1)[0]!;
      mutations.push(`drop ${gone.name}`);
    } else if (roll < 9) {
      const name = rng.pick(['notes.txt', 'extra.csv', 'Users.csv', 'USERS.CSV', 'users.csv.bak', uriEncode(text(rng, 10)) || 'x']);
      files.push({ name, body: rng.bytes(rng.size(2048)) });
      mutations.push(`add ${name}`);
    } else if (files.length) {
      const file = rng.pick(files);
      const kind = rng.pick(Object.keys(MUTATIONS));
      file.body = MUTATIONS[kind]!(file.body, rng, scale);
      mutations.push(`${kind} ${file.name}`);
    }
  }
  files = files.filter((f, i) => files.findIndex((g) => g.name === f.name) === i);
  return { files, mutations };
}

/** The NUL case of issue 10: a validation whose result would contain U+0000 never ended. */
export const NUL_USERS = 'sourcedId,username,givenName,familyName,password,activeDirectoryMatchId,email,phone,sms\r1,u\0,g,f,,,,,\r2,u,g,f,,,,,\r';
