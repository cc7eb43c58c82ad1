import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { fileSpec, RULES, validateUpload } from '../../../../src/families/industryData/validator/index.js';
import type { RecordSink, SdsFile, ValidationOptions, ValidationResult } from '../../../../src/families/industryData/validator/index.js';
import { csv, uploads, withFiles } from './support.js';
import type { Files } from './support.js';

type Values = (string | undefined)[];
/** file → rows, ascending */
type Rows = Record<string, number[]>;

/** Records the sink's calls, checking as they come that none breaks the call rules. */
class Recorder implements RecordSink {
  /** `file:row` → values, in the order of the calls */
  readonly accepted = new Map<string, Values>();
  readonly rejected = new Set<string>();

  accept(file: SdsFile, row: number, values: readonly (string | undefined)[]): void {
    const key = `${file}:${row}`;
    assert.ok(!this.accepted.has(key), `${key} accepted twice`);
    assert.equal(values.length, fileSpec(file).columns.length, `${key}: a value per schema column`);
    this.accepted.set(key, [...values]);
  }

  reject(file: SdsFile, row: number): void {
    const key = `${file}:${row}`;
    assert.ok(this.accepted.has(key), `${key} rejected but never accepted`);
    assert.ok(!this.rejected.has(key), `${key} rejected twice`);
    this.rejected.add(key);
  }

  get calls(): number {
    return this.accepted.size + this.rejected.size;
  }

  /** The rows accepted and not rejected. */
  kept(): Rows {
    const rows: Rows = {};
    for (const key of this.accepted.keys()) {
      if (this.rejected.has(key)) continue;
      const [, file, row] = /^(.+):(\d+)$/.exec(key)!;
      (rows[file!] ??= []).push(Number(row));
    }
    for (const list of Object.values(rows)) list.sort((a, b) => a - b);
    return rows;
  }

  values(file: SdsFile, row: number): Values {
    const key = `${file}:${row}`;
    assert.ok(this.accepted.has(key) && !this.rejected.has(key), `${key} is not kept`);
    return this.accepted.get(key)!;
  }
}

/**
 * Validates `files` without a sink, and with one parsing on the validating thread and on a worker:
 * the three results are byte-identical, and so are the two sinks' kept rows.
 */
async function sunk(files: Files, options: Partial<ValidationOptions> = {}): Promise<{ result: ValidationResult; sink: Recorder }> {
  const run = (parseOnWorkerFromBytes: number, sink?: Recorder) =>
    validateUpload(uploads(files), { format: 'schoolDataSyncV2Rev1', ...options, parseOnWorkerFromBytes, ...(sink ? { sink } : {}) });
  const here = new Recorder();
  const onWorker = new Recorder();
  const [plain, result, workerResult] = await Promise.all([run(Infinity), run(Infinity, here), run(0, onWorker)]);
  assert.equal(JSON.stringify(result), JSON.stringify(plain), 'a sink changes nothing in the result');
  assert.equal(JSON.stringify(workerResult), JSON.stringify(plain));
  assert.deepEqual(onWorker.kept(), here.kept(), 'the same rows kept, wherever the files are parsed');
  return { result, sink: here };
}

const codes = (issues: { code: string }[]): string[] => [...new Set(issues.map((i) => i.code))].sort();

const ORGS_HEAD = 'sourcedId,name,type,parentSourcedId';
const USERS_HEAD = 'sourcedId,username,givenName,familyName,email,phone,password';
const ENROLLMENTS_HEAD = 'classSourcedId,userSourcedId,role';
/** BASE's rows, all kept. */
const BASE_KEPT: Rows = {
  'orgs.csv': [2, 3], 'users.csv': [2, 3, 4], 'roles.csv': [2, 3], 'classes.csv': [2], 'enrollments.csv': [2, 3], 'relationships.csv': [2],
};

// Compiled to dist/test/families/industryData/validator/; the fixtures stay in test/fixtures.
const SAMPLES = fileURLToPath(new URL('../../../../../test/fixtures/sds/v2.1/', import.meta.url));
const SAMPLE_FILES: Files = Object.fromEntries(
  readdirSync(SAMPLES).filter((name) => name.endsWith('.csv')).map((name) => [name, readFileSync(join(SAMPLES, name), 'utf8')]),
);

describe('record sink', () => {
  test("Microsoft's sample set: every data row of every file is accepted, none rejected", async () => {
    const { result, sink } = await sunk(SAMPLE_FILES);
    assert.deepEqual([result.errors, result.warnings], [[], []]);
    const everyRow = Object.fromEntries(
      Object.entries(SAMPLE_FILES).map(([name, content]) => [name, Array.from({ length: (content as string).trim().split('\r\n').length - 1 }, (_, i) => i + 2)]),
    );
    assert.deepEqual(sink.kept(), everyRow);
    assert.equal(sink.rejected.size, 0);
    // Schema order, password never, codes canonical, orgs' parent links kept (110003's parent comes after it).
    assert.deepEqual(sink.values('users.csv', 3), ['114002', 'jean.craig@outlook.com', 'Craig', 'Jean', undefined, 'jean.craig@outlook.com', '+11234567890', '+11234567890', undefined, undefined]);
    assert.deepEqual(sink.values('roles.csv', 5), ['114006', '110002', 'professor', 'FS2021HED', 'PS1', 'true', '2021-09-01', '2021-12-01']);
    assert.deepEqual(sink.values('orgs.csv', 4), ['110003', 'School of TwoDotOne', 'school', '110004']);
  });

  test('an invalid value rejects its row, and references to it cascade across files', async () => {
    const { result, sink } = await sunk(
      withFiles({
        'orgs.csv': csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1', 'o3,Academy,academy,o1'),
        // u2: InvalidUsername; c1 without e-mail: ContactIncomplete for its relationship
        'users.csv': csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,,', 'u2,bob,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,,,'),
        'classes.csv': csv('sourcedId,orgSourcedId,title', 'k1,o2,Math', 'k2,o3,Art'),
        'enrollments.csv': csv(ENROLLMENTS_HEAD, 'k1,u1,student', 'k1,u2,teacher', 'k2,u1,student'),
      }),
    );
    assert.deepEqual(codes(result.errors), ['ContactIncomplete', 'InvalidReferenceCode', 'InvalidUsername', 'ReferencedRecordRejected']);
    assert.deepEqual(sink.kept(), { 'orgs.csv': [2, 3], 'users.csv': [2, 4], 'roles.csv': [2], 'classes.csv': [2], 'enrollments.csv': [2] });
    assert.equal(sink.rejected.size, 0, 'nothing is accepted before it is known to pass');
  });

  test('DuplicateKey: the first row is kept, the later ones never; a rejected first row keeps none', async () => {
    const { result, sink } = await sunk(
      withFiles({
        'users.csv': csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,,', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,', 'u1,ann2@school.example,Ann,Lee,,,', 'u3,dan,Dan,Fox,,,', 'u3,dan@school.example,Dan,Fox,,,'),
        'demographics.csv': csv('userSourcedId,sex', 'u1,female', 'u1,male', 'u2,male'),
      }),
    );
    assert.deepEqual(codes(result.errors), ['DuplicateKey', 'InvalidUsername']);
    assert.deepEqual(sink.kept(), { ...BASE_KEPT, 'users.csv': [2, 3, 4], 'demographics.csv': [2, 4] });
    assert.equal(sink.values('users.csv', 2)[1], 'ann@school.example');
  });

  test('DuplicateRecord: the first row of an association is kept, repeats never, nor repeats of a row dropped later', async () => {
    const { result, sink } = await sunk(
      withFiles({
        'roles.csv': csv('userSourcedId,orgSourcedId,role,grade', 'u1,o2,student,01', 'u2,o2,teacher,', 'u1,o2,Student,02'),
        // row 2 fails its reference and row 3 repeats it; row 4 lacks a role, so row 5 is no repeat; row 7 repeats row 5
        'enrollments.csv': csv(ENROLLMENTS_HEAD, 'k1,u9,student', 'k1,u9,student', 'k1,u1,', 'k1,u1,student', 'k1,u2,teacher', 'k1,u1,STUDENT'),
      }),
    );
    assert.deepEqual(codes(result.errors), ['ReferenceNotFound', 'RequiredValueMissing']);
    assert.deepEqual(codes(result.warnings), ['DuplicateRecord']);
    assert.deepEqual(sink.kept(), { ...BASE_KEPT, 'roles.csv': [2, 3], 'enrollments.csv': [5, 6] });
    assert.equal(sink.values('roles.csv', 2)[4], '01');
  });

  test('association rows the filter defers are accepted at the end of the file, repeats are not', async () => {
    // 240 users × 125 classes: 30,000 distinct enrollments, then every 100th repeated.
    const users = Array.from({ length: 240 }, (_, u) => `u${u},u${u}@school.example,A,B,,,`);
    const roles = Array.from({ length: 240 }, (_, u) => `u${u},o2,student`);
    const classes = Array.from({ length: 125 }, (_, k) => `k${k},o2,Class ${k}`);
    const enrollments = Array.from({ length: 30_000 }, (_, n) => `k${n % 125},u${Math.floor(n / 125)},student`);
    const repeats = enrollments.filter((_, n) => n % 100 === 0);
    const files = withFiles({
      'users.csv': csv(USERS_HEAD, ...users),
      'roles.csv': csv('userSourcedId,orgSourcedId,role', ...roles),
      'classes.csv': csv('sourcedId,orgSourcedId,title', ...classes),
      'enrollments.csv': csv(ENROLLMENTS_HEAD, ...enrollments, ...repeats),
      'relationships.csv': null,
    });
    const { result, sink } = await sunk(files, { limits: { maxIssuesPerCode: 1_000_000 } });
    assert.deepEqual(result.errors, []);
    assert.equal(result.warnings.filter((w) => w.code === 'DuplicateRecord').length, repeats.length);
    assert.deepEqual(sink.kept()['enrollments.csv'], Array.from({ length: 30_000 }, (_, n) => n + 2));
    // Some non-repeats were deferred (the filter's false positives): accepted after later rows.
    const order = [...sink.accepted.keys()].filter((key) => key.startsWith('enrollments.csv:')).map((key) => Number(key.split(':')[1]));
    assert.ok(order.some((row, i) => i > 0 && row < order[i - 1]!), 'no deferred row was accepted');

    // The same file, unusable at its end: the deferred rows are never accepted.
    const broken = await sunk({ ...files, 'enrollments.csv': `${files['enrollments.csv']}"k0,u0,student\r\n` });
    assert.deepEqual(codes(broken.result.errors), ['MalformedCsv']);
    assert.equal(broken.sink.kept()['enrollments.csv'], undefined);
  });

  test('orgs: a missing, rejected or circular parent drops the parent link, not the org', async () => {
    const orgs = csv(
      ORGS_HEAD,
      'o1,District,district,',
      'o2,School,school,o1',
      'o3,Orphan,school,o9', // missing parent
      'o4,Academy,academy,', // rejected
      'o5,Child,school,o4', // rejected parent
      'o6,Loop A,school,o7',
      'o7,Loop B,school,o6',
      'o8,Into loop,school,o6', // leads into the loop: keeps its link
      'o10,Early,school,o11', // parent further down
      'o11,Late,school,o1',
    );
    const { result, sink } = await sunk(withFiles({ 'orgs.csv': orgs }));
    assert.deepEqual(codes(result.errors), ['InvalidReferenceCode']);
    assert.deepEqual(codes(result.warnings), ['CircularOrgHierarchy', 'ReferenceNotFound', 'ReferencedRecordRejected']);
    assert.deepEqual(sink.kept()['orgs.csv'], [2, 3, 4, 6, 7, 8, 9, 10, 11]);
    const parents = [2, 3, 4, 6, 7, 8, 9, 10, 11].map((row) => sink.values('orgs.csv', row)[3]);
    assert.deepEqual(parents, [undefined, 'o1', undefined, undefined, undefined, undefined, 'o6', 'o11', 'o1']);
  });

  test('ColumnCountMismatch: the row is never accepted', async () => {
    const { result, sink } = await sunk(
      withFiles({ 'roles.csv': csv('userSourcedId,orgSourcedId,role', 'u1,o2,student', 'u2,o2', 'u2,o2,teacher', 'u2,o1,teacher,x') }),
    );
    assert.deepEqual(codes(result.errors), ['ColumnCountMismatch']);
    assert.deepEqual(sink.kept(), { ...BASE_KEPT, 'roles.csv': [2, 4] });
  });

  test('a file whose header fails has no row accepted; references into it are not checked, as the validator does', async () => {
    const { result, sink } = await sunk(
      withFiles({
        'classes.csv': csv('sourcedId,orgSourcedId,title,title', 'k1,o2,Math,Math'),
        'userFlags.csv': csv('userSourcedId', 'u1'),
      }),
    );
    assert.deepEqual(codes(result.errors), ['DuplicateColumn', 'RequiredColumnNotFound']);
    const kept = { ...BASE_KEPT };
    delete kept['classes.csv'];
    assert.deepEqual(sink.kept(), kept);
    assert.equal(sink.calls, Object.values(kept).flat().length);
  });

  test('a file found unusable after some rows takes them back: MalformedCsv, TooManyRecords, InvalidFileEncoding', async () => {
    const users = csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,,', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,');
    // orgs: o1 is accepted, o2 waits for its parent link when the bad byte stops the file
    const orgs = Buffer.concat([Buffer.from(csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1')), Buffer.from([0xff]), Buffer.from(',x,school,\r\n')]);
    const { result, sink } = await sunk(
      withFiles({
        'orgs.csv': orgs,
        'users.csv': `${users}u3,"dan@school.example,Dan,Fox,,,\r\n`,
        // rows 2, 3 accepted, row 4 (a repeat of row 2) deferred, row 5 over the limit
        'enrollments.csv': csv(ENROLLMENTS_HEAD, 'k1,u1,student', 'k1,u2,teacher', 'k1,u1,student', 'k1,c1,student'),
      }),
      { limits: { maxRecords: 3 } },
    );
    assert.deepEqual(codes(result.errors), ['InvalidFileEncoding', 'MalformedCsv', 'TooManyRecords']);
    assert.deepEqual(sink.kept(), { 'roles.csv': [2, 3], 'classes.csv': [2], 'relationships.csv': [2] });
    assert.deepEqual([...sink.rejected].sort(), ['enrollments.csv:2', 'enrollments.csv:3', 'orgs.csv:2', 'users.csv:2', 'users.csv:3', 'users.csv:4']);
  });

  test('a row with warnings only is kept, the values they drop undefined', async () => {
    const { result, sink } = await sunk(
      withFiles({
        'users.csv': csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,not-an-email,1,Secret1', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,'),
        'roles.csv': csv(
          'userSourcedId,orgSourcedId,role,sessionSourcedId,grade,isPrimary,roleStartDate,roleEndDate',
          'u1,o2,Student,s1,"1,99",yes,2021-02-01,2021-01-01',
          'u2,o2,teacher,,,,,',
        ),
        'classes.csv': csv('sourcedId,orgSourcedId,title,courseSourcedId', 'k1,o2,Math,m9'),
        'courses.csv': csv('sourcedId,orgSourcedId,title', 'm1,o2,Math'),
      }),
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(codes(result.warnings), ['InvalidBoolean', 'InvalidDateRange', 'InvalidEmail', 'InvalidPhoneNumber', 'InvalidReferenceCode', 'ReferenceNotFound', 'ReferencedFileNotFound']);
    assert.deepEqual(sink.kept(), { ...BASE_KEPT, 'courses.csv': [2] });
    assert.deepEqual(sink.values('users.csv', 2), ['u1', 'ann@school.example', 'Lee', 'Ann', undefined, undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(sink.values('roles.csv', 2), ['u1', 'o2', 'student', undefined, '01', undefined, undefined, undefined]);
    assert.deepEqual(sink.values('classes.csv', 2), ['k1', 'o2', 'Math', undefined, undefined, undefined]);
  });

  test('no call at all: files and headers only, a file set error, an unsupported format', async () => {
    for (const [files, options] of [
      [withFiles({}), { records: false }],
      [withFiles({ 'roles.csv': null }), {}],
      [withFiles({}), { format: 'schoolDataSyncV1' }],
    ] as const) {
      const sink = new Recorder();
      await validateUpload(uploads(files), { format: 'schoolDataSyncV2Rev1', ...options, sink });
      assert.equal(sink.calls, 0, JSON.stringify(options));
    }
  });
});

describe('record sink, property', () => {
  /** mulberry32: a small seeded generator, so every run perturbs the same way. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const GARBAGE = ['', ' ', 'x', 'zz@', 'a@b.c', '2021-13-40', '2021-02-01', '99', 'ps1', 'TRUE', 'maybe', '110001', '114002', 'SY2021K12', '112001', 'C12001', '"FS2021HED,SY2021K12"', '110001 '];
  const names = Object.keys(SAMPLE_FILES);
  const sample = Object.fromEntries(names.map((name) => [name, (SAMPLE_FILES[name] as string).trim().split('\r\n').map((line) => line.split(','))]));

  /** A copy of the sample set with 1 to 6 random changes: values, rows repeated, dropped or cut, and now and then a broken file. */
  function perturb(next: () => number): Files {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const files = Object.fromEntries(names.map((name) => [name, sample[name]!.map((fields) => [...fields])]));
    const broken: Record<string, string | Buffer> = {};
    for (let changes = 1 + Math.floor(next() * 6); changes > 0; changes--) {
      const name = pick(names);
      const rows = files[name];
      if (!rows || rows.length < 2) continue;
      const at = 1 + Math.floor(next() * (rows.length - 1));
      const fields = rows[at]!;
      const roll = next();
      if (roll < 0.45) fields[Math.floor(next() * fields.length)] = pick(GARBAGE);
      else if (roll < 0.55) rows.splice(1 + Math.floor(next() * rows.length), 0, [...pick(rows.slice(1))]);
      else if (roll < 0.62) rows.splice(at, 1);
      else if (roll < 0.7) fields[0] = pick(rows.slice(1))[0]!; // a key or association repeated
      else if (roll < 0.76) fields.push('extra');
      else if (roll < 0.8) fields.pop();
      else if (roll < 0.84) fields[0] = `${fields[0]}${pick(['', 'x', ' '])}`;
      else if (roll < 0.88) rows[0]![Math.floor(next() * rows[0]!.length)] = pick(['sourcedId', 'Title', 'status', 'userSourcedId']);
      else if (roll < 0.92) fields[1] = `"${fields[1]}`; // an unclosed quote
      else if (roll < 0.95) broken[name] = Buffer.concat([Buffer.from(rows.slice(0, at + 1).map((f) => `${f.join(',')}\r\n`).join('')), Buffer.from([0xc3, 0x28, 0x0d, 0x0a])]);
      else if (roll < 0.98) rows.length = at; // a shorter file
      else delete files[name];
    }
    return Object.fromEntries(
      Object.entries(files).map(([name, rows]) => [name, broken[name] ?? rows.map((fields) => `${fields.join(',')}\r\n`).join('')]),
    );
  }

  test('on perturbed sample sets, the kept rows are exactly those no error targets, in files without a structure error', async () => {
    const next = random(0x5d5);
    let keptRows = 0;
    let rejectedRows = 0;
    for (let copy = 0; copy < 150; copy++) {
      const files = perturb(next);
      const maxRecords = next() < 0.1 ? 4 : 500_000;
      const { result, sink } = await sunk(files, { limits: { maxIssuesPerCode: 1_000_000, maxRecords } });
      const label = `copy ${copy}: ${JSON.stringify(result)}`;
      if (result.validatedFiles.length === 0) {
        assert.equal(sink.calls, 0, label);
        continue;
      }
      // Rows dropped: those an error targets, and DuplicateRecord's repeats; whole files with a structure (phase 2) error.
      const dropped = new Set<string>();
      const unusable = new Set<string>();
      for (const { code, target } of [...result.errors, ...result.warnings.filter((w) => w.code === 'DuplicateRecord')]) {
        const row = /^(.+?):row (\d+)/.exec(target);
        if (RULES[code as keyof typeof RULES] === 2) unusable.add(target.split(':')[0]!);
        else if (row) dropped.add(`${row[1]}:${row[2]}`);
      }
      const expected: Rows = {};
      for (const name of result.validatedFiles) {
        if (unusable.has(name)) continue;
        const records = parse(files[name]!, { record_delimiter: ['\r\n', '\n'], relax_column_count: true, skip_empty_lines: true }) as string[][];
        const rows = Array.from({ length: records.length - 1 }, (_, i) => i + 2).filter((row) => !dropped.has(`${name}:${row}`));
        if (rows.length > 0) expected[name] = rows;
      }
      assert.deepEqual(sink.kept(), expected, label);
      for (const [key, values] of sink.accepted) if (key.startsWith('users.csv:')) assert.equal(values[8], undefined, 'password');
      keptRows += Object.values(expected).flat().length;
      rejectedRows += sink.rejected.size;
    }
    // The copies are broken enough to matter, and valid enough to keep most rows.
    assert.ok(keptRows > 150 * 30 && rejectedRows > 0, `${keptRows} kept, ${rejectedRows} rejected`);
  });
});
