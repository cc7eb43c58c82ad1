import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE, BASE_FILES, csv, issue, upload, uploads, validate, withFiles } from './support.js';

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

/** users.csv's header and first row; u1's e-mail is invalid, so row 2 has a warning. */
const USERS_HEAD = csv('sourcedId,username,givenName,familyName,email', 'u1,ann@school.example,Ann,Lee,not-an-email');
const ROW2_EMAIL = issue('InvalidEmail', 'users.csv:row 2:email', '"not-an-email" is not an e-mail address; the value is ignored');

describe('phase 2: size and encoding', () => {
  test('FileTooLarge: a declared size over the limit; exactly the limit passes', async () => {
    const size = Buffer.byteLength(BASE['users.csv']!);
    assert.deepEqual((await validate(withFiles({}), { limits: { maxFileBytes: size } })).errors, []);
    // users.csv cannot be used, so nothing that points at users is checked (no UserWithoutRole either).
    assert.deepEqual(await validate(withFiles({}), { limits: { maxFileBytes: size - 1 } }), {
      validatedFiles: BASE_FILES,
      errors: [issue('FileTooLarge', 'users.csv', `the file has ${size} bytes, more than the limit of ${size - 1}`)],
      warnings: [],
    });
  });

  test('FileTooLarge: a stream longer than its declared size stops at the limit', async () => {
    const files = uploads(withFiles({}));
    files[1] = upload('users.csv', BASE['users.csv']!, 16, 10);
    assert.deepEqual((await validate(files, { limits: { maxFileBytes: 100 } })).errors, [issue('FileTooLarge', 'users.csv', 'the file has more than 100 bytes, the limit')]);
  });

  test('InvalidFileEncoding: rows before the bad byte are checked, the file stops there, whatever the chunking', async () => {
    const prefix = `${USERS_HEAD}u2,bob@school.example,B`;
    const content = bytes(prefix, [0xff], 'ob,Ray,\r\nu3,x,,,\r\n');
    const expected = {
      validatedFiles: BASE_FILES,
      errors: [issue('InvalidFileEncoding', 'users.csv', `the file is not UTF-8: invalid byte sequence at byte offset ${Buffer.byteLength(prefix)}`)],
      warnings: [ROW2_EMAIL],
    };
    for (const chunkSize of [1, 2, 3, 7, 64 * 1024]) {
      assert.deepEqual(await validate(uploads(withFiles({ 'users.csv': content }), chunkSize)), expected, `chunks of ${chunkSize}`);
    }
  });

  test('InvalidFileEncoding: UTF-16, overlong forms, surrogates, a sequence cut by the end of the file', async () => {
    const header = 'userSourcedId,flag\r\n';
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header, 'utf16le')]), 'it starts with a UTF-16 or UTF-32 byte order mark'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(header, 'utf16le').swap16()]), 'it starts with a UTF-16 or UTF-32 byte order mark'],
      [bytes(header, 'u1,', [0xc0, 0xaf], '\r\n'), `invalid byte sequence at byte offset ${header.length + 3}`],
      [bytes(header, 'u1,', [0xed, 0xa0, 0x80], '\r\n'), `invalid byte sequence at byte offset ${header.length + 3}`],
      [bytes(header, 'u1,', [0xf4, 0x90, 0x80, 0x80], '\r\n'), `invalid byte sequence at byte offset ${header.length + 3}`],
      [bytes(header, 'u1,iep', [0xe2, 0x82]), `invalid byte sequence at byte offset ${header.length + 6}`],
    ];
    for (const [content, reason] of cases) {
      for (const chunkSize of [1, 5, 1024]) {
        const result = await validate(uploads(withFiles({ 'userFlags.csv': content }), chunkSize));
        assert.deepEqual(result.errors, [issue('InvalidFileEncoding', 'userFlags.csv', `the file is not UTF-8: ${reason}`)], `${reason}, chunks of ${chunkSize}`);
      }
    }
  });

  test('multi-byte characters split across chunks are fine', async () => {
    const orgs = csv('sourcedId,name,type', 'o1,Académie 漢字 😀,district', 'o2,École,school');
    for (const chunkSize of [1, 2, 3, 5]) {
      assert.deepEqual(await validate(uploads(withFiles({ 'orgs.csv': orgs }), chunkSize)), { validatedFiles: BASE_FILES, errors: [], warnings: [] });
    }
  });

  test('ByteOrderMarkFound: a UTF-8 BOM is a warning and is not part of the first column name', async () => {
    const result = await validate(withFiles({ 'orgs.csv': bytes([0xef, 0xbb, 0xbf], BASE['orgs.csv'] as string) }));
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [issue('ByteOrderMarkFound', 'orgs.csv', 'the file starts with a UTF-8 byte order mark, which is ignored')],
    });
  });
});

describe('phase 2: CSV syntax', () => {
  test('EmptyFile: zero bytes, blank lines only, a BOM only', async () => {
    const empty = issue('EmptyFile', 'classes.csv', 'the file has no header row');
    for (const content of ['', '\r\n\r\n\n', bytes([0xef, 0xbb, 0xbf])]) {
      const result = await validate(withFiles({ 'classes.csv': content }));
      assert.deepEqual(result.errors, [empty], JSON.stringify(content));
      // enrollments.csv points at an unusable file: its class references are skipped
      assert.deepEqual(
        result.warnings,
        typeof content === 'string' ? [] : [issue('ByteOrderMarkFound', 'classes.csv', 'the file starts with a UTF-8 byte order mark, which is ignored')],
      );
    }
  });

  test('MalformedCsv: a quote bomb (unterminated quote) that ends with the file', async () => {
    const users = `${USERS_HEAD}u2,"bob@school.example,Bob,Ray,\r\n${'u9,x@y.example,A,B,\r\n'.repeat(100)}`;
    assert.deepEqual(await validate(withFiles({ 'users.csv': users })), {
      validatedFiles: BASE_FILES,
      errors: [issue('MalformedCsv', 'users.csv:row 3', 'a quoted value is not closed before the end of the file')],
      warnings: [ROW2_EMAIL],
    });
  });

  test('MalformedCsv: a quote bomb larger than the record limit stops as soon as the limit is hit', async () => {
    const users = `${USERS_HEAD}u2,"bob@school.example,Bob,Ray,\r\n${'u9,x@y.example,A,B,\r\n'.repeat(10_000)}`;
    const result = await validate(withFiles({ 'users.csv': users }), { limits: { maxRecordBytes: 1000 } });
    assert.deepEqual(result.errors, [issue('MalformedCsv', 'users.csv:row 3', 'the row is longer than 1,000 bytes (a missing line end or an unclosed quote?)')]);
  });

  test('MalformedCsv: a huge single line (header or data row)', async () => {
    const line = 'x'.repeat(3 * 1024 * 1024);
    const header = await validate(withFiles({ 'users.csv': line }));
    assert.deepEqual(header.errors, [issue('MalformedCsv', 'users.csv:row 1', 'the row is longer than 65,536 bytes (a missing line end or an unclosed quote?)')]);
    const data = await validate(withFiles({ 'users.csv': USERS_HEAD + line }));
    assert.deepEqual(data.errors, [issue('MalformedCsv', 'users.csv:row 3', 'the row is longer than 65,536 bytes (a missing line end or an unclosed quote?)')]);
  });

  test('MalformedCsv boundary: a row whose values total exactly maxRecordBytes passes, one byte more fails', async () => {
    // Longest rows of BASE: the users and relationships headers, 9+8+9+10+5+5+8 = 13+25+16 = 54 bytes of values.
    assert.deepEqual((await validate(withFiles({}), { limits: { maxRecordBytes: 54 } })).errors, []);
    assert.deepEqual((await validate(withFiles({}), { limits: { maxRecordBytes: 53 } })).errors, [
      issue('MalformedCsv', 'users.csv:row 1', 'the row is longer than 53 bytes (a missing line end or an unclosed quote?)'),
      issue('MalformedCsv', 'relationships.csv:row 1', 'the row is longer than 53 bytes (a missing line end or an unclosed quote?)'),
    ]);
  });

  test('MalformedCsv: a stray quote inside a value, text after a closing quote', async () => {
    const cases: [string, string][] = [
      ['u2,bo"b@school.example,Bob,Ray,', 'a quote appears inside an unquoted value (quote the whole value and double inner quotes)'],
      ['u2,"bob@school.example"x,Bob,Ray,', 'a closing quote is followed by something other than a comma or a line end'],
    ];
    for (const [row, detail] of cases) {
      const result = await validate(withFiles({ 'users.csv': USERS_HEAD + csv(row, 'u3,c@d.example,C,D,') }));
      assert.deepEqual(result.errors, [issue('MalformedCsv', 'users.csv:row 3', detail)], row);
      assert.deepEqual(result.warnings, [ROW2_EMAIL]);
    }
  });

  test('quoted values with escaped quotes and commas are fine, and LF line ends too', async () => {
    const orgs = 'sourcedId,name,type\no1,"District ""North"", East",district\no2,School,school\n';
    assert.deepEqual(await validate(withFiles({ 'orgs.csv': orgs })), { validatedFiles: BASE_FILES, errors: [], warnings: [] });
  });
});

describe('phase 2: header', () => {
  test('RequiredColumnNotFound stops the file; files pointing at it skip those references', async () => {
    const users = csv('sourcedId,givenName,familyName', 'u1,Ann,Lee');
    assert.deepEqual(await validate(withFiles({ 'users.csv': users })), {
      validatedFiles: BASE_FILES,
      errors: [issue('RequiredColumnNotFound', 'users.csv:username', 'the header lacks this required column')],
      warnings: [],
    });
  });

  test('givenName and familyName are required columns only when the flow creates users', async () => {
    const users = csv('sourcedId,username,email', 'u1,ann@school.example,', 'u2,bob@school.example,', 'c1,carol@mail.example,carol@mail.example');
    assert.deepEqual((await validate(withFiles({ 'users.csv': users }))).errors, [
      // the contact still needs names (ContactIncomplete), but the file is usable
      issue('ContactIncomplete', 'relationships.csv:row 2:relationshipUserSourcedId', 'contact "c1" (users.csv row 4) lacks givenName, familyName; the relationship is dropped'),
    ]);
    assert.deepEqual((await validate(withFiles({ 'users.csv': users }), { createUnmatchedUsers: true })).errors, [
      issue('RequiredColumnNotFound', 'users.csv:familyName', 'the header lacks this required column'),
      issue('RequiredColumnNotFound', 'users.csv:givenName', 'the header lacks this required column'),
    ]);
  });

  test('DuplicateColumn, including sessionSourcedId beside sessionSourcedIds', async () => {
    const result = await validate(
      withFiles({
        'orgs.csv': csv('sourcedId,name,type,name,name', 'o1,A,district,A,A'),
        'roles.csv': csv('userSourcedId,orgSourcedId,role,sessionSourcedId,sessionSourcedIds', 'u1,o2,student,,'),
      }),
    );
    assert.deepEqual(result.errors, [
      issue('DuplicateColumn', 'orgs.csv:name', 'the column appears more than once in the header'),
      issue('DuplicateColumn', 'roles.csv:sessionSourcedIds', 'sessionSourcedId and sessionSourcedIds are the same column'),
    ]);
  });

  test('ColumnNameMismatch: wrong case or spaces; the column is ignored (so a required one is missing)', async () => {
    const result = await validate(withFiles({ 'orgs.csv': csv('SourcedId,name,type, parentSourcedId', 'o1,District,district,', 'o2,School,school,o1') }));
    assert.deepEqual(result.errors, [issue('RequiredColumnNotFound', 'orgs.csv:sourcedId', 'the header lacks this required column')]);
    assert.deepEqual(result.warnings, [
      issue('ColumnNameMismatch', 'orgs.csv:SourcedId', 'the header differs from "sourcedId" in case or spaces (names are case-sensitive); the column is ignored'),
      issue('ColumnNameMismatch', 'orgs.csv: parentSourcedId', 'the header differs from "parentSourcedId" in case or spaces (names are case-sensitive); the column is ignored'),
    ]);
  });

  test('UnknownColumn: once per distinct name, in header order; an empty name too', async () => {
    const users = csv('sourcedId,status,username,givenName,familyName,email,status,x,', 'u1,active,ann@school.example,Ann,Lee,,active,1,', 'u2,active,bob@school.example,Bob,Ray,,active,1,', 'c1,active,carol@mail.example,Carol,Lee,carol@mail.example,active,1,');
    assert.deepEqual(await validate(withFiles({ 'users.csv': users })), {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [
        issue('UnknownColumn', 'users.csv:status', 'the column is not part of the SDS v2.1 format and is ignored'),
        issue('UnknownColumn', 'users.csv:x', 'the column is not part of the SDS v2.1 format and is ignored'),
        issue('UnknownColumn', 'users.csv:', 'the column is not part of the SDS v2.1 format and is ignored'),
      ],
    });
  });

  test('TooManyRecords: maxRecords rows pass, one more stops the file', async () => {
    // users.csv has 3 data rows, the others at most 2.
    assert.deepEqual((await validate(withFiles({}), { limits: { maxRecords: 3 } })).errors, []);
    assert.deepEqual(await validate(withFiles({}), { limits: { maxRecords: 2 } }), {
      validatedFiles: BASE_FILES,
      errors: [issue('TooManyRecords', 'users.csv', 'the file has more than 2 data rows')],
      warnings: [],
    });
  });

  test('FileHasNoRecords: header only', async () => {
    assert.deepEqual(await validate(withFiles({ 'userFlags.csv': csv('userSourcedId,flag') })), {
      validatedFiles: [...BASE_FILES.slice(0, 5), 'userFlags.csv', 'relationships.csv'],
      errors: [],
      warnings: [issue('FileHasNoRecords', 'userFlags.csv', 'the file has a header but no data rows')],
    });
  });
});

describe('records: false (files and headers only)', () => {
  test('record and cross-file problems are not looked for; header problems and empty files are', async () => {
    const result = await validate(
      withFiles({
        'users.csv': csv('sourcedId,username,status', 'u1,no-domain,x', 'u1,,y', 'short'),
        'roles.csv': csv('userSourcedId,orgSourcedId,role', 'nobody,nowhere,wizard'),
        'classes.csv': csv('sourcedId,title'),
        'userFlags.csv': csv('userSourcedId,flag'),
      }),
      { records: false },
    );
    assert.deepEqual(result, {
      validatedFiles: [...BASE_FILES.slice(0, 5), 'userFlags.csv', 'relationships.csv'],
      errors: [issue('RequiredColumnNotFound', 'classes.csv:orgSourcedId', 'the header lacks this required column')],
      warnings: [
        issue('UnknownColumn', 'users.csv:status', 'the column is not part of the SDS v2.1 format and is ignored'),
        issue('FileHasNoRecords', 'userFlags.csv', 'the file has a header but no data rows'),
      ],
    });
  });

  test('reading stops after the first data row, so later bytes are not looked at', async () => {
    const users = bytes(USERS_HEAD, 'u2,', [0xff], '\r\n');
    assert.deepEqual((await validate(withFiles({ 'users.csv': users }), { records: false })).errors, []);
    const badHeader = bytes('sourcedId,user', [0xff], 'name\r\n');
    assert.equal((await validate(withFiles({ 'users.csv': badHeader }), { records: false })).errors[0]?.code, 'InvalidFileEncoding');
  });
});
