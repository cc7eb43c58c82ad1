import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_FILES, csv, issue, validate, withFiles } from './support.js';
import type { Files } from './support.js';

const clean = async (files: Files, options = {}) => {
  const result = await validate(files, options);
  assert.deepEqual({ errors: result.errors, warnings: result.warnings }, { errors: [], warnings: [] });
};

const ORGS_HEAD = 'sourcedId,name,type,parentSourcedId';
const USERS_HEAD = 'sourcedId,username,givenName,familyName,email,phone,password';
const SESSIONS = (...rows: string[]) => csv('sourcedId,title,type,schoolYear,startDate,endDate', ...rows);
const WITH_SESSIONS = [...BASE_FILES.slice(0, 5), 'academicSessions.csv', 'relationships.csv'];

describe('phase 3: records', () => {
  test('ColumnCountMismatch: more or fewer fields than the header (a blank-looking line too); the row is not read at all', async () => {
    const orgs = csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1', 'o3,Extra,school,o1,surplus', 'o4,Short', '   ');
    assert.deepEqual(await validate(withFiles({ 'orgs.csv': orgs })), {
      validatedFiles: BASE_FILES,
      errors: [
        issue('ColumnCountMismatch', 'orgs.csv:row 4', 'the row has 5 fields but the header has 4'),
        issue('ColumnCountMismatch', 'orgs.csv:row 5', 'the row has 2 fields but the header has 4'),
        issue('ColumnCountMismatch', 'orgs.csv:row 6', 'the row has 1 fields but the header has 4'),
      ],
      warnings: [],
    });
  });

  test('LineBreakInValue: a quoted value with LF, CRLF or a bare CR; rows are records, and a rejected org breaks its children', async () => {
    const orgs = `${ORGS_HEAD}\r\no1,"Dist\nrict",district,\r\no2,School,school,o1\r\no3,"A\r\nB",school,\r\no4,C\rD,school,\r\n`;
    assert.deepEqual(await validate(withFiles({ 'orgs.csv': orgs })), {
      validatedFiles: BASE_FILES,
      errors: [
        issue('LineBreakInValue', 'orgs.csv:row 2:name', 'the value contains a line break'),
        issue('LineBreakInValue', 'orgs.csv:row 4:name', 'the value contains a line break'),
        issue('LineBreakInValue', 'orgs.csv:row 5:name', 'the value contains a line break'),
      ],
      warnings: [
        issue('ReferencedRecordRejected', 'orgs.csv:row 3:parentSourcedId', '"o1" is the org of row 2, which was rejected; the parent link is ignored'),
      ],
    });
  });

  test('a password is never echoed, not even when its row is rejected', async () => {
    const users = csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,,"Sec\nret-1"', 'u2,bob@school.example,Bob,Ray,,,Secret2', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,');
    const result = await validate(withFiles({ 'users.csv': users }));
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [
        issue('LineBreakInValue', 'users.csv:row 2:password', 'the value contains a line break'),
        issue('ReferencedRecordRejected', 'roles.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
        issue('ReferencedRecordRejected', 'enrollments.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
        issue('ReferencedRecordRejected', 'relationships.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
      ],
      warnings: [],
    });
    assert.ok(!JSON.stringify(result).includes('Sec'));
  });

  test('RequiredValueMissing: empty or blank; givenName/familyName only when the flow creates users', async () => {
    const orgs = csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1', 'o3,,school,', 'o4,  ,,', ',Nameless,school,');
    assert.deepEqual((await validate(withFiles({ 'orgs.csv': orgs }))).errors, [
      issue('RequiredValueMissing', 'orgs.csv:row 4:name', 'this column requires a value'),
      issue('RequiredValueMissing', 'orgs.csv:row 5:name', 'this column requires a value'),
      issue('RequiredValueMissing', 'orgs.csv:row 5:type', 'this column requires a value'),
      issue('RequiredValueMissing', 'orgs.csv:row 6:sourcedId', 'this column requires a value'),
    ]);
    const users = csv(USERS_HEAD, 'u1,ann@school.example,,Lee,,,', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,');
    await clean(withFiles({ 'users.csv': users }));
    assert.deepEqual((await validate(withFiles({ 'users.csv': users }), { createUnmatchedUsers: true })).errors, [
      issue('RequiredValueMissing', 'users.csv:row 2:givenName', 'this column requires a value'),
      issue('ReferencedRecordRejected', 'roles.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
      issue('ReferencedRecordRejected', 'enrollments.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
      issue('ReferencedRecordRejected', 'relationships.csv:row 2:userSourcedId', '"u1" refers to a record of users.csv that was rejected (row 2)'),
    ]);
  });

  test('DuplicateKey: the first row wins, even a rejected one; ids are exact (case and spaces count)', async () => {
    const orgs = csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1', 'o2,Again,school,', 'o3,Bad,academy,', 'o3,Good,school,', 'O2,Other,school,', ' o2,Spaced,school,');
    const result = await validate(withFiles({ 'orgs.csv': orgs }));
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [
        issue('DuplicateKey', 'orgs.csv:row 4:sourcedId', '"o2" is already the sourcedId of row 3; the first row is kept'),
        issue('InvalidReferenceCode', 'orgs.csv:row 5:type', '"academy" is not a code of the type reference list'),
        issue('DuplicateKey', 'orgs.csv:row 6:sourcedId', '"o3" is already the sourcedId of row 5; the first row is kept'),
      ],
      warnings: [],
    });
  });

  test('DuplicateKey in demographics.csv: one row per user', async () => {
    const demographics = csv('userSourcedId,sex', 'u1,female', 'u2,male', 'u1,male');
    assert.deepEqual((await validate(withFiles({ 'demographics.csv': demographics }))).errors, [
      issue('DuplicateKey', 'demographics.csv:row 4:userSourcedId', '"u1" is already the userSourcedId of row 2; the first row is kept'),
    ]);
  });

  test('DuplicateRecord: association rows repeating a key (codes compared case-insensitively) are ignored', async () => {
    const result = await validate(
      withFiles({
        'roles.csv': csv('userSourcedId,orgSourcedId,role', 'u1,o2,student', 'u2,o2,teacher', 'u1,o2,Student', 'u1,o1,student', 'u2,o2,principal'),
        'enrollments.csv': csv('classSourcedId,userSourcedId,role', 'k1,u1,student', 'k1,u2,teacher', 'k1,u1,student'),
        'userFlags.csv': csv('userSourcedId,flag', 'u1,iep', 'u1,IEP', 'u1,504'),
        'relationships.csv': csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent', 'u1,c1,guardian'),
      }),
    );
    assert.deepEqual(result, {
      validatedFiles: [...BASE_FILES.slice(0, 5), 'userFlags.csv', 'relationships.csv'],
      errors: [],
      warnings: [
        issue('DuplicateRecord', 'roles.csv:row 4', 'the row repeats row 2 (same userSourcedId, orgSourcedId, role); the repeat is ignored'),
        issue('DuplicateRecord', 'enrollments.csv:row 4', 'the row repeats row 2 (same classSourcedId, userSourcedId, role); the repeat is ignored'),
        issue('DuplicateRecord', 'userFlags.csv:row 3', 'the row repeats row 2 (same userSourcedId, flag); the repeat is ignored'),
        issue('DuplicateRecord', 'relationships.csv:row 3', 'the row repeats row 2 (same userSourcedId, relationshipUserSourcedId); the repeat is ignored'),
      ],
    });
  });

  test('InvalidReferenceCode: an error in required code columns, a warning (element dropped) in optional lists', async () => {
    const result = await validate(
      withFiles({
        'orgs.csv': csv(ORGS_HEAD, 'o1,District,DISTRICT,', 'o2,School,school,o1', 'o3,Academy,academy,'),
        'roles.csv': csv('userSourcedId,orgSourcedId,role,grade', 'u1,o2,student,"1, 13,14,K"', 'u2,o2,teacher,PS1', 'u2,o1,wizard,'),
        'enrollments.csv': csv('classSourcedId,userSourcedId,role', 'k1,u1,student', 'k1,u2,aide', 'k1,c1,aid', 'k1,c1,parent'),
        'courses.csv': csv('sourcedId,orgSourcedId,title,subject,grade', 'm1,o2,Math,"02,06",ps2'),
        'demographics.csv': csv('userSourcedId,sex,ethnicityCodes,raceCodes', 'u1,x,hispanicOrLatinoEthnicity,"asian,white"', 'u2,Female,,martian'),
        'relationships.csv': csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent', 'u2,c1,uncle'),
        'userFlags.csv': csv('userSourcedId,flag', 'u1,homeless', 'u2,freelunch'),
      }),
    );
    assert.deepEqual(result.errors, [
      issue('InvalidReferenceCode', 'orgs.csv:row 4:type', '"academy" is not a code of the type reference list'),
      issue('InvalidReferenceCode', 'roles.csv:row 4:role', '"wizard" is not a code of the role reference list'),
      issue('InvalidReferenceCode', 'enrollments.csv:row 5:role', '"parent" is not a code of the role reference list'),
      issue('InvalidReferenceCode', 'userFlags.csv:row 2:flag', '"homeless" is not a code of the flag reference list'),
      issue('InvalidReferenceCode', 'relationships.csv:row 3:relationshipRole', '"uncle" is not a code of the relationshipRole reference list'),
    ]);
    assert.deepEqual(result.warnings, [
      issue('InvalidReferenceCode', 'roles.csv:row 2:grade', '"14, K" are not codes of the grade reference list; they are ignored'),
      issue('InvalidReferenceCode', 'courses.csv:row 2:subject', '"06" is not a code of the subject reference list; it is ignored'),
      issue('InvalidReferenceCode', 'demographics.csv:row 2:sex', '"x" is not a code of the sex reference list; the value is ignored'),
      issue('InvalidReferenceCode', 'demographics.csv:row 3:raceCodes', '"martian" is not a code of the raceCodes reference list; it is ignored'),
    ]);
  });

  test('tenant reference codes extend the defaults', async () => {
    const files = withFiles({ 'userFlags.csv': csv('userSourcedId,flag', 'u1,homeless', 'u2,Reduced-Lunch') });
    await clean(files, { referenceCodes: { flag: ['homeless', 'reduced-lunch'] } });
  });

  test('InvalidDate: real calendar dates only (leap years); an error in academic sessions, a warning elsewhere', async () => {
    const sessions = SESSIONS(
      's1,Y1,schoolYear,2020,2020-02-29,2020-06-30',
      's2,Y2,schoolYear,2000,2000-02-29,2000-06-30',
      's3,Y3,schoolYear,1900,1900-02-29,1900-06-30',
      's4,Y4,schoolYear,2021,2021-02-29,2021-13-01',
      's5,Y5,schoolYear,2021,2021-04-31,2021-4-01',
      's6,Y6,schoolYear,2021,2021-01-00,2021/06/30',
    );
    const result = await validate(
      withFiles({
        'academicSessions.csv': sessions,
        'roles.csv': csv('userSourcedId,orgSourcedId,role,roleStartDate,roleEndDate', 'u1,o2,student,2021-09-01,2022-06-31', 'u2,o2,teacher,,'),
        'demographics.csv': csv('userSourcedId,birthDate', 'u1,2010-02-30', 'u2, 1980-12-31 '),
      }),
    );
    const date = (value: string) => `"${value}" is not a date in the form YYYY-MM-DD`;
    assert.deepEqual(result.errors, [
      issue('InvalidDate', 'academicSessions.csv:row 4:startDate', date('1900-02-29')),
      issue('InvalidDate', 'academicSessions.csv:row 5:startDate', date('2021-02-29')),
      issue('InvalidDate', 'academicSessions.csv:row 5:endDate', date('2021-13-01')),
      issue('InvalidDate', 'academicSessions.csv:row 6:startDate', date('2021-04-31')),
      issue('InvalidDate', 'academicSessions.csv:row 6:endDate', date('2021-4-01')),
      issue('InvalidDate', 'academicSessions.csv:row 7:startDate', date('2021-01-00')),
      issue('InvalidDate', 'academicSessions.csv:row 7:endDate', date('2021/06/30')),
    ]);
    assert.deepEqual(result.warnings, [
      issue('InvalidDate', 'roles.csv:row 2:roleEndDate', date('2022-06-31')),
      issue('InvalidDate', 'demographics.csv:row 2:birthDate', date('2010-02-30')),
    ]);
  });

  test('InvalidDateRange: the end before the start is an error for a session, a warning (dates dropped) for a role; equal dates pass', async () => {
    const result = await validate(
      withFiles({
        'academicSessions.csv': SESSIONS('s1,Y1,schoolYear,2021,2021-08-24,2021-08-24', 's2,Y2,schoolYear,2021,2022-06-11,2021-08-24'),
        'roles.csv': csv('userSourcedId,orgSourcedId,role,sessionSourcedId,roleStartDate,roleEndDate', 'u1,o2,student,s1,2021-09-01,2021-09-01', 'u2,o2,teacher,s2,2022-06-01,2021-09-01'),
      }),
    );
    assert.deepEqual(result, {
      validatedFiles: WITH_SESSIONS,
      errors: [issue('InvalidDateRange', 'academicSessions.csv:row 3', 'endDate 2021-08-24 is before startDate 2022-06-11')],
      warnings: [
        issue('InvalidDateRange', 'roles.csv:row 3', 'roleEndDate 2021-09-01 is before roleStartDate 2022-06-01; both dates are ignored'),
        issue('ReferencedRecordRejected', 'roles.csv:row 3:sessionSourcedId', '"s2" refers to a record of academicSessions.csv that was rejected (row 3); they are ignored'),
      ],
    });
  });

  test('InvalidYear: exactly four digits', async () => {
    const sessions = SESSIONS('s1,Y1,schoolYear,2021,2021-08-24,2022-06-11', 's2,Y2,schoolYear,999,2021-08-24,2022-06-11', 's3,Y3,schoolYear,20211,2021-08-24,2022-06-11', 's4,Y4,schoolYear,2O21,2021-08-24,2022-06-11');
    assert.deepEqual((await validate(withFiles({ 'academicSessions.csv': sessions }))).errors, [
      issue('InvalidYear', 'academicSessions.csv:row 3:schoolYear', '"999" is not a four-digit year'),
      issue('InvalidYear', 'academicSessions.csv:row 4:schoolYear', '"20211" is not a four-digit year'),
      issue('InvalidYear', 'academicSessions.csv:row 5:schoolYear', '"2O21" is not a four-digit year'),
    ]);
  });

  test('InvalidBoolean: true or false in any case', async () => {
    const roles = csv('userSourcedId,orgSourcedId,role,isPrimary', 'u1,o2,student,True', 'u2,o2,teacher,FALSE', 'u2,o1,teacher,yes');
    assert.deepEqual(await validate(withFiles({ 'roles.csv': roles })), {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [issue('InvalidBoolean', 'roles.csv:row 4:isPrimary', '"yes" is neither true nor false; the value is ignored')],
    });
  });

  test('InvalidUsername: a name@domain.tld is required', async () => {
    const bad = ['ann', 'ann@', '@school.example', 'ann@school', 'ann@@school.example', 'a b@school.example', 'ann@school.'];
    const users = csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,,,', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,', ...bad.map((name, i) => `x${i},${name},X,Y,,,`));
    const result = await validate(withFiles({ 'users.csv': users }));
    assert.deepEqual(result.errors, bad.map((name, i) => issue('InvalidUsername', `users.csv:row ${i + 5}:username`, `${JSON.stringify(name)} is not a user name with an @domain part`)));
    assert.deepEqual(result.warnings, []); // rejected users are not also UserWithoutRole
  });

  test('InvalidEmail: the value is dropped, so a contact becomes incomplete', async () => {
    const users = csv(USERS_HEAD, 'u1,ann@school.example,Ann,Lee,ann@,,', 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol.mail.example,,');
    assert.deepEqual(await validate(withFiles({ 'users.csv': users })), {
      validatedFiles: BASE_FILES,
      errors: [issue('ContactIncomplete', 'relationships.csv:row 2:relationshipUserSourcedId', 'contact "c1" (users.csv row 4) lacks a valid email; the relationship is dropped')],
      warnings: [
        issue('InvalidEmail', 'users.csv:row 2:email', '"ann@" is not an e-mail address; the value is ignored'),
        issue('InvalidEmail', 'users.csv:row 4:email', '"carol.mail.example" is not an e-mail address; the value is ignored'),
      ],
    });
  });

  test('InvalidPhoneNumber: an optional + and 2 to 15 digits after ( ) - . and spaces are removed; never echoed', async () => {
    const phones = ['12', '+123456789012345', '+1 (425) 555-0100', '425.555.0100', '1', '+1234567890123456', '425-555-0100 ext 5', '++14255550100'];
    const users = csv(
      'sourcedId,username,givenName,familyName,email,phone,sms',
      'u1,ann@school.example,Ann,Lee,,,',
      'u2,bob@school.example,Bob,Ray,,,',
      'c1,carol@mail.example,Carol,Lee,carol@mail.example,,',
      ...phones.map((phone, i) => `p${i},p${i}@school.example,P,Q,,${phone},${phone}`),
    );
    const result = await validate(withFiles({ 'users.csv': users, 'roles.csv': csv('userSourcedId,orgSourcedId,role', 'u1,o2,student', 'u2,o2,teacher', ...phones.map((_, i) => `p${i},o2,student`)) }));
    const detail = 'the value is not a phone number (an optional + and 2 to 15 digits); the value is ignored';
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [4, 5, 6, 7].flatMap((i) => [issue('InvalidPhoneNumber', `users.csv:row ${i + 5}:phone`, detail), issue('InvalidPhoneNumber', `users.csv:row ${i + 5}:sms`, detail)]),
    });
    assert.ok(!JSON.stringify(result).includes('425'));
  });

  test('values echoed in messages are cut at 64 characters', async () => {
    const long = `${'a'.repeat(70)}@`;
    const result = await validate(withFiles({ 'users.csv': csv(USERS_HEAD, `u1,${long},Ann,Lee,,,`, 'u2,bob@school.example,Bob,Ray,,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,,') }));
    assert.equal(result.errors[0]?.message, `When trying to validate users.csv:row 2:username encountered InvalidUsername error: "${'a'.repeat(64)}…" is not a user name with an @domain part.`);
  });
});
