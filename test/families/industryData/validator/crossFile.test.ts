import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_FILES, csv, issue, validate, withFiles } from './support.js';

const ORGS_HEAD = 'sourcedId,name,type,parentSourcedId';
const SESSIONS = csv('sourcedId,title,type,schoolYear,startDate,endDate', 's1,Year,schoolYear,2021,2021-08-24,2022-06-11', 's2,Fall,semester,2021,2021-09-01,2021-12-01');
const COURSES_HEAD = 'sourcedId,orgSourcedId,title,schoolYearSourcedId';
const ALL = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv', 'courses.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv'];

describe('phase 4: cross-file references', () => {
  test('ReferenceNotFound: an error (row dropped) for required references, a warning (value dropped) for optional ones', async () => {
    const result = await validate(
      withFiles({
        'roles.csv': csv('userSourcedId,orgSourcedId,role,sessionSourcedIds', 'u1,o2,student,"s1, s9,s8"', 'u2,o2,teacher,s2', 'u9,o9,teacher,'),
        'classes.csv': csv('sourcedId,orgSourcedId,title,sessionSourcedIds,courseSourcedId', 'k1,o2,Math,s2,m1', 'k2,o2,Art,s1,m9'),
        'academicSessions.csv': SESSIONS,
        'courses.csv': csv(COURSES_HEAD, 'm1,o2,Math,s1', 'm2,o2,Art,s7'),
        'demographics.csv': csv('userSourcedId,sex', 'u8,male'),
        'userFlags.csv': csv('userSourcedId,flag', 'u7,iep'),
        'relationships.csv': csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent', 'u6,c5,parent'),
        'enrollments.csv': csv('classSourcedId,userSourcedId,role', 'k1,u1,student', 'k1,u2,teacher', 'k3,u5,student'),
      }),
    );
    const missing = (id: string, file: string, ignored = '') => `"${id}" is not a sourcedId in ${file}${ignored}`;
    assert.deepEqual(result, {
      validatedFiles: ALL,
      errors: [
        issue('ReferenceNotFound', 'roles.csv:row 4:userSourcedId', missing('u9', 'users.csv')),
        issue('ReferenceNotFound', 'roles.csv:row 4:orgSourcedId', missing('o9', 'orgs.csv')),
        issue('ReferenceNotFound', 'enrollments.csv:row 4:classSourcedId', missing('k3', 'classes.csv')),
        issue('ReferenceNotFound', 'enrollments.csv:row 4:userSourcedId', missing('u5', 'users.csv')),
        issue('ReferenceNotFound', 'demographics.csv:row 2:userSourcedId', missing('u8', 'users.csv')),
        issue('ReferenceNotFound', 'userFlags.csv:row 2:userSourcedId', missing('u7', 'users.csv')),
        issue('ReferenceNotFound', 'relationships.csv:row 3:userSourcedId', missing('u6', 'users.csv')),
        issue('ReferenceNotFound', 'relationships.csv:row 3:relationshipUserSourcedId', missing('c5', 'users.csv')),
      ],
      warnings: [
        issue('ReferenceNotFound', 'roles.csv:row 2:sessionSourcedIds', '"s9, s8" are not sourcedIds in academicSessions.csv; they are ignored'),
        issue('ReferenceNotFound', 'classes.csv:row 3:courseSourcedId', missing('m9', 'courses.csv', '; the value is ignored')),
        issue('ReferenceNotFound', 'courses.csv:row 3:schoolYearSourcedId', missing('s7', 'academicSessions.csv', '; the value is ignored')),
      ],
    });
  });

  test('a required reference into a class file that was not uploaded fails on every row', async () => {
    const result = await validate(withFiles({ 'classes.csv': null }));
    assert.deepEqual(result, {
      validatedFiles: ['orgs.csv', 'users.csv', 'roles.csv', 'enrollments.csv', 'relationships.csv'],
      errors: [
        issue('ReferenceNotFound', 'enrollments.csv:row 2:classSourcedId', '"k1" cannot be found: classes.csv was not uploaded'),
        issue('ReferenceNotFound', 'enrollments.csv:row 3:classSourcedId', '"k1" cannot be found: classes.csv was not uploaded'),
      ],
      warnings: [issue('OptionalFileNotFound', 'classes.csv')],
    });
  });

  test('ReferencedRecordRejected cascades: rejected org → rejected course and class → dropped course link, rejected enrollment', async () => {
    const result = await validate(
      withFiles({
        'orgs.csv': csv(ORGS_HEAD, 'o1,District,district,', 'o2,School,school,o1', 'o3,Academy,academy,o1'),
        'courses.csv': csv(COURSES_HEAD, 'm1,o3,Math,', 'm2,o2,Art,'),
        'classes.csv': csv('sourcedId,orgSourcedId,title,courseSourcedId', 'k1,o2,Math,m1', 'k2,o3,Art,m2', 'k3,o2,Art,m2'),
        'enrollments.csv': csv('classSourcedId,userSourcedId,role', 'k1,u1,student', 'k2,u2,teacher', 'k3,u2,teacher'),
      }),
    );
    const rejected = (id: string, file: string, row: number, ignored = '') => `"${id}" refers to a record of ${file} that was rejected (row ${row})${ignored}`;
    assert.deepEqual(result, {
      validatedFiles: ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'courses.csv', 'relationships.csv'],
      errors: [
        issue('InvalidReferenceCode', 'orgs.csv:row 4:type', '"academy" is not a code of the type reference list'),
        issue('ReferencedRecordRejected', 'classes.csv:row 3:orgSourcedId', rejected('o3', 'orgs.csv', 4)),
        issue('ReferencedRecordRejected', 'enrollments.csv:row 3:classSourcedId', rejected('k2', 'classes.csv', 3)),
        issue('ReferencedRecordRejected', 'courses.csv:row 2:orgSourcedId', rejected('o3', 'orgs.csv', 4)),
      ],
      warnings: [issue('ReferencedRecordRejected', 'classes.csv:row 2:courseSourcedId', rejected('m1', 'courses.csv', 2, '; the value is ignored'))],
    });
  });

  test('ReferencedFileNotFound: once per optional reference column whose file was not uploaded', async () => {
    const result = await validate(
      withFiles({
        'roles.csv': csv('userSourcedId,orgSourcedId,role,sessionSourcedId', 'u1,o2,student,s1', 'u2,o2,teacher,s1'),
        'classes.csv': csv('sourcedId,orgSourcedId,title,sessionSourcedIds,courseSourcedId', 'k1,o2,Math,"s1,s2",m1', 'k2,o2,Art,,m2'),
      }),
    );
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [
        issue('ReferencedFileNotFound', 'roles.csv:sessionSourcedId', 'the column has values but academicSessions.csv was not uploaded; they are ignored'),
        issue('ReferencedFileNotFound', 'classes.csv:sessionSourcedIds', 'the column has values but academicSessions.csv was not uploaded; they are ignored'),
        issue('ReferencedFileNotFound', 'classes.csv:courseSourcedId', 'the column has values but courses.csv was not uploaded; they are ignored'),
      ],
    });
  });

  test('ContactIncomplete: a contact needs givenName, familyName and email; the user is kept', async () => {
    const users = csv('sourcedId,username,givenName,familyName,email', 'u1,ann@school.example,Ann,Lee,', 'u2,bob@school.example,Bob,Ray,', 'c1,carol@mail.example,Carol,Lee,', 'c2,dan@mail.example,,,', 'c3,eve@mail.example,Eve,Ray,eve@mail.example');
    const relationships = csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent', 'u2,c2,guardian', 'u2,c3,relative');
    assert.deepEqual(await validate(withFiles({ 'users.csv': users, 'relationships.csv': relationships })), {
      validatedFiles: BASE_FILES,
      errors: [
        issue('ContactIncomplete', 'relationships.csv:row 2:relationshipUserSourcedId', 'contact "c1" (users.csv row 4) lacks a valid email; the relationship is dropped'),
        issue('ContactIncomplete', 'relationships.csv:row 3:relationshipUserSourcedId', 'contact "c2" (users.csv row 5) lacks givenName, familyName, a valid email; the relationship is dropped'),
      ],
      warnings: [],
    });
  });

  test('CircularOrgHierarchy: loops and self-parents lose their parent link; orgs leading into a loop are not reported', async () => {
    const orgs = csv(ORGS_HEAD, 'o1,District,district,o3', 'o2,School,school,o1', 'o3,Region,region,o1', 'o4,Self,school,o4', 'o5,Orphan,school,o9', 'o6,Fine,school,o2');
    assert.deepEqual(await validate(withFiles({ 'orgs.csv': orgs })), {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [
        issue('CircularOrgHierarchy', 'orgs.csv:row 2:parentSourcedId', 'the parent chain of "o1" leads back to it; the parent link is ignored'),
        issue('CircularOrgHierarchy', 'orgs.csv:row 4:parentSourcedId', 'the parent chain of "o3" leads back to it; the parent link is ignored'),
        issue('CircularOrgHierarchy', 'orgs.csv:row 5:parentSourcedId', 'the parent chain of "o4" leads back to it; the parent link is ignored'),
        issue('ReferenceNotFound', 'orgs.csv:row 6:parentSourcedId', '"o9" is not a sourcedId in orgs.csv; the parent link is ignored'),
      ],
    });
  });

  test('UserWithoutRole: no kept roles.csv row and not named as a contact', async () => {
    const users = csv('sourcedId,username,givenName,familyName,email', 'u1,ann@school.example,Ann,Lee,', 'u2,bob@school.example,Bob,Ray,', 'c1,carol@mail.example,Carol,Lee,carol@mail.example', 'u3,dan@school.example,Dan,Fox,', 'c2,eve@mail.example,Eve,Ray,eve@mail.example');
    const roles = csv('userSourcedId,orgSourcedId,role', 'u1,o2,student', 'u2,o2,teacher', 'u3,o9,teacher');
    // c2 is named as a contact, although that relationship's student does not exist
    const relationships = csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent', 'u9,c2,parent');
    const result = await validate(withFiles({ 'users.csv': users, 'roles.csv': roles, 'relationships.csv': relationships }));
    assert.deepEqual(result, {
      validatedFiles: BASE_FILES,
      errors: [
        issue('ReferenceNotFound', 'roles.csv:row 4:orgSourcedId', '"o9" is not a sourcedId in orgs.csv'),
        issue('ReferenceNotFound', 'relationships.csv:row 3:userSourcedId', '"u9" is not a sourcedId in users.csv'),
      ],
      warnings: [issue('UserWithoutRole', 'users.csv:row 5', '"u3" has no valid row in roles.csv and is not a contact in relationships.csv')],
    });
  });

  test('references into an unusable file are skipped, and so is UserWithoutRole when roles or contacts are unknown', async () => {
    const brokenRoles = await validate(withFiles({ 'roles.csv': csv('userSourcedId,role', 'u1,student') }));
    assert.deepEqual(brokenRoles, {
      validatedFiles: BASE_FILES,
      errors: [issue('RequiredColumnNotFound', 'roles.csv:orgSourcedId', 'the header lacks this required column')],
      warnings: [],
    });
    const brokenRelationships = await validate(withFiles({ 'relationships.csv': csv('userSourcedId,relationshipRole', 'u1,parent') }));
    assert.deepEqual(brokenRelationships.errors, [issue('RequiredColumnNotFound', 'relationships.csv:relationshipUserSourcedId', 'the header lacks this required column')]);
    assert.deepEqual(brokenRelationships.warnings, []); // c1 is not reported as UserWithoutRole
    const brokenClasses = await validate(withFiles({ 'classes.csv': csv('sourcedId,orgSourcedId,title', 'k1,o2,"Math') }));
    assert.deepEqual(brokenClasses.errors, [issue('MalformedCsv', 'classes.csv:row 2', 'a quoted value is not closed before the end of the file')]);
  });
});
