import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../../src/families/industryData/validator/index.js';
import type { UploadedFile } from '../../../../src/families/industryData/validator/index.js';
import { BASE, BASE_FILES, csv, issue, upload, uploads, validate, withFiles } from './support.js';

const USERS_HEAD = 'sourcedId,username,givenName,familyName,email,phone';

describe('aggregation and limits', () => {
  test('IssueLimitReached: the first issues per code and file are listed, the rest counted in details', async () => {
    const users = csv(
      USERS_HEAD,
      'u1,ann@school.example,Ann,Lee,,',
      'u2,bob@school.example,Bob,Ray,,',
      'c1,carol@mail.example,Carol,Lee,carol@mail.example,',
      ...[1, 2, 3, 4, 5].map((i) => `e${i},e${i}@school.example,E,F,bad${i},`),
      ...[1, 2, 3].map((i) => `p${i},p${i}@school.example,P,Q,,${i}`),
      'x1,nodomain,X,Y,,',
    );
    const result = await validate(withFiles({ 'users.csv': users }), { limits: { maxIssuesPerCode: 2 } });
    const phone = 'the value is not a phone number (an optional + and 2 to 15 digits); the value is ignored';
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [issue('InvalidUsername', 'users.csv:row 13:username', '"nodomain" is not a user name with an @domain part')],
      warnings: [
        issue('InvalidEmail', 'users.csv:row 5:email', '"bad1" is not an e-mail address; the value is ignored'),
        issue('InvalidEmail', 'users.csv:row 6:email', '"bad2" is not an e-mail address; the value is ignored'),
        issue('InvalidPhoneNumber', 'users.csv:row 10:phone', phone),
        issue('InvalidPhoneNumber', 'users.csv:row 11:phone', phone),
        // all 8 e* and p* users lack roles: 2 listed, 6 counted
        issue('UserWithoutRole', 'users.csv:row 5', '"e1" has no valid row in roles.csv and is not a contact in relationships.csv'),
        issue('UserWithoutRole', 'users.csv:row 6', '"e2" has no valid row in roles.csv and is not a contact in relationships.csv'),
        {
          code: 'IssueLimitReached',
          message: 'When trying to validate required file users.csv encountered IssueLimitReached error: 10 more issues were not listed (at most 2 per rule code).',
          target: 'users.csv',
          details: [
            { code: 'InvalidEmail', message: '3 more InvalidEmail issues were not listed.', target: 'users.csv' },
            { code: 'InvalidPhoneNumber', message: '1 more InvalidPhoneNumber issues were not listed.', target: 'users.csv' },
            { code: 'UserWithoutRole', message: '6 more UserWithoutRole issues were not listed.', target: 'users.csv' },
          ],
          innerError: null,
        },
      ],
    });
    // Exactly at the cap: no aggregation.
    const atCap = await validate(withFiles({ 'users.csv': users }), { limits: { maxIssuesPerCode: 8 } });
    assert.equal(atCap.warnings.filter((w) => w.code === 'IssueLimitReached').length, 0);
    assert.equal(atCap.warnings.length, 5 + 3 + 8);
  });

  test('the listed issues are the first in the final order even when found out of order', async () => {
    // DuplicateColumn is found in header order (type first) but sorts in schema order (name first).
    const result = await validate(withFiles({ 'orgs.csv': csv('sourcedId,type,name,type,name', 'o1,district,D,district,D') }), { limits: { maxIssuesPerCode: 1 } });
    assert.deepEqual(result.errors, [issue('DuplicateColumn', 'orgs.csv:name', 'the column appears more than once in the header')]);
    assert.deepEqual(result.warnings.map((w) => [w.code, w.details]), [
      ['IssueLimitReached', [{ code: 'DuplicateColumn', message: '1 more DuplicateColumn issues were not listed.', target: 'orgs.csv' }]],
    ]);
  });

  test('limits are validated and documented defaults apply', async () => {
    assert.deepEqual(DEFAULT_LIMITS, { maxFileBytes: 1024 ** 3, maxRecords: 500_000, maxRecordBytes: 65_536, maxIssuesPerCode: 100 });
    await assert.rejects(validate(withFiles({}), { limits: { maxRecords: 0 } }), RangeError);
    await assert.rejects(validate(withFiles({}), { limits: { maxFileBytes: 1.5 } }), RangeError);
  });
});

describe('determinism, streams, progress, abort', () => {
  const messy = withFiles({
    'orgs.csv': csv('sourcedId,name,type,parentSourcedId,status', 'o1,District,district,o2,x', 'o2,School,school,o1,x', 'o2,Dup,school,,x'),
    'users.csv': csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,1', 'u2,bob,Bob,Ray,,', 'c1,carol@mail.example,,Lee,carol@,'),
    'roles.csv': csv('userSourcedId,orgSourcedId,role,grade', 'u1,o2,student,"1,99"', 'u1,o2,student,', 'u2,o3,teacher,'),
    'manifest.csv': 'x',
  });

  test('the same upload gives byte-identical results, whatever the chunking', async () => {
    const first = JSON.stringify(await validate(uploads(messy, 64 * 1024)));
    assert.ok(JSON.parse(first).errors.length > 3);
    for (const chunkSize of [1, 3, 17, 64 * 1024]) assert.equal(JSON.stringify(await validate(uploads(messy, chunkSize))), first);
  });

  test('accepts Node readables, including ones that yield strings', async () => {
    const files: UploadedFile[] = Object.entries(BASE).map(([name, content]) => ({
      name,
      size: Buffer.byteLength(content),
      open: () => Readable.from([content.slice(0, 10), content.slice(10)]),
    }));
    assert.deepEqual(await validate(files), { validatedFiles: BASE_FILES, errors: [], warnings: [] });
  });

  test('progress: each file start, then row counts at most every 500 ms', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `u${i},u${i}@school.example,A,B,,`);
    const content = Buffer.from(csv(USERS_HEAD, ...rows));
    const slow: UploadedFile = {
      name: 'users.csv',
      size: content.length,
      open: async function* () {
        for (let i = 0; i < content.length; i += 40_000) {
          await sleep(600);
          yield content.subarray(i, i + 40_000);
        }
      },
    };
    const files = uploads(withFiles({ 'users.csv': null }));
    const details: string[] = [];
    await validate([...files, slow], { onProgress: (detail) => void details.push(detail) });
    const counts = details.filter((d) => d.startsWith('Validating users.csv:'));
    assert.ok(counts.length >= 1, details.join('\n'));
    assert.match(counts[0]!, /^Validating users\.csv: [1-9][0-9]?,?[0-9]{3} rows$/);
    assert.deepEqual(details.filter((d) => !d.includes(':')), BASE_FILES.map((f) => `Validating ${f}`).sort(readOrder));
  });

  test('an aborted signal rejects before reading, and mid-file between chunks', async () => {
    const before = new AbortController();
    before.abort();
    await assert.rejects(validate(withFiles({}), { signal: before.signal }), { name: 'AbortError' });
    const during = new AbortController();
    const files = uploads(withFiles({}), 8);
    await assert.rejects(
      validate(files, { signal: during.signal, onProgress: (detail) => void (detail.startsWith('Validating users.csv') && during.abort()) }),
      { name: 'AbortError' },
    );
  });

  test('large association files spill to the scratch directory, which is empty again after, even on abort', async () => {
    // 3,000 users with 40 enrollments each (120,000 rows, a few MB of keys), in 300 classes; rows
    // 50,000 on repeat rows of the first 2,000 rows (a teacher's row repeated as a student's is no repeat).
    const users = Array.from({ length: 3000 }, (_, i) => `u${i},u${i}@school.example,A,B,,,`);
    const roles = Array.from({ length: 3000 }, (_, i) => `u${i},o2,student`);
    const classes = Array.from({ length: 300 }, (_, k) => `k${k},o2,Class ${k}`);
    const enrollments = Array.from({ length: 120_000 }, (_, n) => {
      if (n >= 50_000 && n % 25 === 0) return n % 50 === 0 ? `k${(n / 25) % 300},u${Math.floor(n / 25 / 40)},student` : 'k0,u0,teacher';
      return `k${n % 300},u${Math.floor(n / 40)},student`;
    });
    const files = withFiles({
      'users.csv': csv('sourcedId,username,givenName,familyName,email,phone,password', ...users),
      'roles.csv': csv('userSourcedId,orgSourcedId,role', ...roles),
      'classes.csv': csv('sourcedId,orgSourcedId,title', ...classes),
      'enrollments.csv': csv('classSourcedId,userSourcedId,role', ...enrollments),
      'relationships.csv': null,
    });
    const scratchDir = mkdtempSync(join(tmpdir(), 'graph-lro-test-'));
    try {
      const result = await validate(files, { scratchDir, limits: { maxIssuesPerCode: 1_000_000 } });
      // Expected with a Map: the first row of each (class, user, role).
      const firsts = new Map<string, number>();
      const repeats: string[] = [];
      enrollments.forEach((line, i) => {
        const first = firsts.get(line);
        if (first === undefined) firsts.set(line, i + 2);
        else repeats.push(`enrollments.csv:row ${i + 2} repeats row ${first}`);
      });
      assert.ok(repeats.length > 1000);
      assert.deepEqual(result.errors, []);
      assert.deepEqual(
        result.warnings.map((w) => `${w.target} repeats row ${/repeats row (\d+)/.exec(w.message)?.[1]}`),
        repeats,
      );
      assert.deepEqual(readdirSync(scratchDir), []);

      // Aborted when most of enrollments.csv has been read.
      const aborted = new AbortController();
      const list = uploads(files, 4096).map((file): UploadedFile => {
        if (file.name !== 'enrollments.csv') return file;
        return {
          ...file,
          open: async function* () {
            let bytes = 0;
            for await (const chunk of file.open() as AsyncIterable<Uint8Array>) {
              if ((bytes += chunk.length) > file.size * 0.9) aborted.abort();
              yield chunk;
            }
          },
        };
      });
      await assert.rejects(validate(list, { scratchDir, signal: aborted.signal }), { name: 'AbortError' });
      assert.deepEqual(readdirSync(scratchDir), []);
    } finally {
      rmSync(scratchDir, { recursive: true, force: true });
    }
  });

  test('a storage failure is not a rule: validateUpload rejects with it', async () => {
    const files = uploads(withFiles({}));
    files[1] = {
      name: 'users.csv',
      size: 100,
      open: async function* () {
        yield Buffer.from('sourcedId,username\r\n');
        throw new Error('storage unavailable');
      },
    };
    await assert.rejects(validate(files), /storage unavailable/);
  });

  test('a duplicate file name in the list is a caller bug', async () => {
    await assert.rejects(validate([upload('orgs.csv', 'x'), upload('orgs.csv', 'y')]), /orgs\.csv twice/);
  });
});

const READ_ORDER = ['orgs.csv', 'academicSessions.csv', 'courses.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv'];
function readOrder(a: string, b: string): number {
  const rank = (d: string) => READ_ORDER.indexOf(d.replace('Validating ', ''));
  return rank(a) - rank(b);
}
