import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../../../src/families/industryData/validator/index.js';
import type { ValidationOptions } from '../../../../src/families/industryData/validator/index.js';
import { csv, validate, withFiles } from './support.js';

/**
 * One small broken upload per rule code (on top of the clean BASE upload), each checked for the
 * code at its target; the last test proves the corpus covers every code of RULES. The exact arrays, messages and boundaries are
 * asserted in the phase test files next to this one.
 */
const USERS = 'sourcedId,username,givenName,familyName,email,phone';
const SESSIONS = 'sourcedId,title,type,schoolYear,startDate,endDate';
const BASE_USERS = csv(USERS, 'u1,ann@school.example,Ann,Lee,,', 'u2,bob@school.example,Bob,Ray,,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example,');
const CORPUS: [code: string, target: string, files: Record<string, string | Uint8Array | null>, options?: Partial<ValidationOptions>][] = [
  ['UnsupportedFileFormat', 'fileFormat', {}, { format: 'schoolDataSyncV1' }],
  ['RequiredFileNotFound', 'roles.csv', { 'roles.csv': null }],
  ['OptionalFileNotFound', 'classes.csv', { 'classes.csv': null, 'enrollments.csv': null }],
  ['FileNameCaseMismatch', 'Roles.csv', { 'Roles.csv': 'x' }],
  ['UnrecognizedFile', 'manifest.csv', { 'manifest.csv': 'x' }],
  ['FileSetChanged', 'demographics.csv', {}, { previousFiles: ['demographics.csv'] }],
  ['FileTooLarge', 'users.csv', {}, { limits: { maxFileBytes: 150 } }],
  ['InvalidFileEncoding', 'orgs.csv', { 'orgs.csv': Buffer.from([0x61, 0xc3, 0x28]) }],
  ['ByteOrderMarkFound', 'userFlags.csv', { 'userFlags.csv': Buffer.from('\ufeffuserSourcedId,flag\r\nu1,iep\r\n') }],
  ['EmptyFile', 'userFlags.csv', { 'userFlags.csv': '' }],
  ['MalformedCsv', 'userFlags.csv:row 2', { 'userFlags.csv': 'userSourcedId,flag\r\n"u1,iep\r\n' }],
  ['RequiredColumnNotFound', 'userFlags.csv:flag', { 'userFlags.csv': csv('userSourcedId', 'u1') }],
  ['DuplicateColumn', 'userFlags.csv:flag', { 'userFlags.csv': csv('userSourcedId,flag,flag', 'u1,iep,iep') }],
  ['ColumnNameMismatch', 'userFlags.csv:Flag', { 'userFlags.csv': csv('userSourcedId,flag,Flag', 'u1,iep,iep') }],
  ['UnknownColumn', 'userFlags.csv:status', { 'userFlags.csv': csv('userSourcedId,flag,status', 'u1,iep,active') }],
  ['TooManyRecords', 'userFlags.csv', { 'userFlags.csv': csv('userSourcedId,flag', 'u1,iep', 'u2,iep', 'c1,iep') }, { limits: { maxRecords: 2 } }],
  ['FileHasNoRecords', 'userFlags.csv', { 'userFlags.csv': csv('userSourcedId,flag') }],
  ['ColumnCountMismatch', 'userFlags.csv:row 2', { 'userFlags.csv': csv('userSourcedId,flag', 'u1') }],
  ['LineBreakInValue', 'userFlags.csv:row 2:flag', { 'userFlags.csv': csv('userSourcedId,flag', 'u1,"i\nep"') }],
  ['RequiredValueMissing', 'userFlags.csv:row 2:flag', { 'userFlags.csv': csv('userSourcedId,flag', 'u1,') }],
  ['DuplicateKey', 'demographics.csv:row 3:userSourcedId', { 'demographics.csv': csv('userSourcedId', 'u1', 'u1') }],
  ['DuplicateRecord', 'userFlags.csv:row 3', { 'userFlags.csv': csv('userSourcedId,flag', 'u1,iep', 'u1,iep') }],
  ['InvalidReferenceCode', 'userFlags.csv:row 2:flag', { 'userFlags.csv': csv('userSourcedId,flag', 'u1,hungry') }],
  ['InvalidDate', 'demographics.csv:row 2:birthDate', { 'demographics.csv': csv('userSourcedId,birthDate', 'u1,2001-02-29') }],
  ['InvalidDateRange', 'academicSessions.csv:row 2', { 'academicSessions.csv': csv(SESSIONS, 's1,Y,term,2021,2021-02-01,2021-01-01') }],
  ['InvalidYear', 'academicSessions.csv:row 2:schoolYear', { 'academicSessions.csv': csv(SESSIONS, 's1,Y,term,21,2021-01-01,2021-02-01') }],
  ['InvalidBoolean', 'roles.csv:row 2:isPrimary', { 'roles.csv': csv('userSourcedId,orgSourcedId,role,isPrimary', 'u1,o2,student,1', 'u2,o2,teacher,') }],
  ['InvalidUsername', 'users.csv:row 5:username', { 'users.csv': `${BASE_USERS}u3,u3,A,B,,\r\n` }],
  ['InvalidEmail', 'users.csv:row 5:email', { 'users.csv': `${BASE_USERS}u3,u3@school.example,A,B,u3,\r\n` }],
  ['InvalidPhoneNumber', 'users.csv:row 5:phone', { 'users.csv': `${BASE_USERS}u3,u3@school.example,A,B,,1\r\n` }],
  ['ReferenceNotFound', 'userFlags.csv:row 2:userSourcedId', { 'userFlags.csv': csv('userSourcedId,flag', 'u9,iep') }],
  ['ReferencedRecordRejected', 'userFlags.csv:row 2:userSourcedId', { 'users.csv': `${BASE_USERS}u3,u3,A,B,,\r\n`, 'userFlags.csv': csv('userSourcedId,flag', 'u3,iep') }],
  ['ReferencedFileNotFound', 'courses.csv:schoolYearSourcedId', { 'courses.csv': csv('sourcedId,orgSourcedId,title,schoolYearSourcedId', 'm1,o2,Math,s1') }],
  ['ContactIncomplete', 'relationships.csv:row 2:relationshipUserSourcedId', { 'relationships.csv': csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,u2,parent') }],
  ['CircularOrgHierarchy', 'orgs.csv:row 2:parentSourcedId', { 'orgs.csv': csv('sourcedId,name,type,parentSourcedId', 'o1,D,district,o2', 'o2,S,school,o1') }],
  ['UserWithoutRole', 'users.csv:row 5', { 'users.csv': `${BASE_USERS}u3,u3@school.example,A,B,,\r\n` }],
  ['IssueLimitReached', 'users.csv', { 'users.csv': `${BASE_USERS}u3,u3,A,B,,\r\nu4,u4,A,B,,\r\n` }, { limits: { maxIssuesPerCode: 1 } }],
];

const seen = new Set<string>();

for (const [code, target, files, options] of CORPUS) {
  test(`${code} at ${target}`, async () => {
    const result = await validate(withFiles(files), options);
    const found = [...result.errors, ...result.warnings].filter((e) => e.code === code).map((e) => e.target);
    assert.ok(found.includes(target), `${code} not at ${target}: ${JSON.stringify(result, null, 1)}`);
    seen.add(code);
  });
}

test('UploadSessionNotFound: nothing uploaded', async () => {
  assert.equal((await validate([])).errors[0]?.code, 'UploadSessionNotFound');
  seen.add('UploadSessionNotFound');
});

// Top-level tests of a file run in order, so this one sees all of the above.
test('the corpus covers every rule code', () => {
  assert.deepEqual([...seen].sort(), Object.keys(RULES).sort());
});
