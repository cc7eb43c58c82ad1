import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_FILES, csv, issue, validate, withFiles } from './support.js';

describe('phase 0: connector and session', () => {
  test('a schoolDataSyncV1 connector (or an unknown format) gets UnsupportedFileFormat and nothing else', async () => {
    for (const format of ['schoolDataSyncV1', 'oneRoster']) {
      assert.deepEqual(await validate(withFiles({}), { format }), {
        validatedFiles: [],
        errors: [issue('UnsupportedFileFormat', 'fileFormat', `"${format}" is not a file format this service validates; use "schoolDataSyncV2Rev1"`)],
        warnings: [],
      });
    }
  });

  test('an upload without any file gets UploadSessionNotFound', async () => {
    assert.deepEqual(await validate([]), {
      validatedFiles: [],
      errors: [issue('UploadSessionNotFound', 'uploadSession', 'no file was uploaded to the connector')],
      warnings: [],
    });
  });

  test('an empty upload session is a file set with every file missing (uploadSessionExists)', async () => {
    assert.deepEqual(await validate([], { uploadSessionExists: true, previousFiles: ['orgs.csv', 'users.csv', 'roles.csv', 'demographics.csv'] }), {
      validatedFiles: [],
      errors: ['orgs.csv', 'users.csv', 'roles.csv'].map((file) => issue('RequiredFileNotFound', file)),
      warnings: [
        issue('OptionalFileNotFound', 'classes.csv'),
        issue('OptionalFileNotFound', 'enrollments.csv'),
        issue('FileSetChanged', 'demographics.csv', 'the last validated upload had this file; without it, its records will be treated as inactive'),
      ],
    });
  });
});

describe('phase 1: file set', () => {
  test("a missing required file is Graph's documented RequiredFileNotFound, and validation stops there", async () => {
    // users.csv is broken too, but phase 2 never runs: validatedFiles stays empty, as documented.
    const result = await validate(withFiles({ 'orgs.csv': null, 'classes.csv': null, 'enrollments.csv': null, 'users.csv': 'nonsense' }));
    assert.deepEqual(result, {
      validatedFiles: [],
      errors: [
        {
          code: 'RequiredFileNotFound',
          message: 'When trying to validate required file orgs.csv encountered RequiredFileNotFound error.',
          target: 'orgs.csv',
          details: [],
          innerError: null,
        },
      ],
      warnings: [
        {
          code: 'OptionalFileNotFound',
          message: 'When trying to validate file classes.csv encountered OptionalFileNotFound error.',
          target: 'classes.csv',
          details: [],
          innerError: null,
        },
        issue('OptionalFileNotFound', 'enrollments.csv'),
      ],
    });
  });

  test('all three required files missing are listed in canonical order', async () => {
    const result = await validate({ 'demographics.csv': csv('userSourcedId', 'u1') });
    assert.deepEqual(result.errors, [issue('RequiredFileNotFound', 'orgs.csv'), issue('RequiredFileNotFound', 'users.csv'), issue('RequiredFileNotFound', 'roles.csv')]);
    assert.deepEqual(result.validatedFiles, []);
  });

  test('without class files: OptionalFileNotFound for classes.csv and enrollments.csv only, never for purely optional files', async () => {
    const result = await validate(withFiles({ 'classes.csv': null, 'enrollments.csv': null }));
    assert.deepEqual(result, {
      validatedFiles: ['orgs.csv', 'users.csv', 'roles.csv', 'relationships.csv'],
      errors: [],
      warnings: [issue('OptionalFileNotFound', 'classes.csv'), issue('OptionalFileNotFound', 'enrollments.csv')],
    });
  });

  test('a name that differs only by case is ignored with FileNameCaseMismatch, and the missing file is reported', async () => {
    const files = withFiles({ 'users.csv': null, 'enrollments.csv': null });
    files['Users.csv'] = csv('sourcedId,username');
    files['ENROLLMENTS.CSV'] = csv('classSourcedId,userSourcedId,role');
    assert.deepEqual(await validate(files), {
      validatedFiles: [],
      errors: [issue('RequiredFileNotFound', 'users.csv')],
      warnings: [
        issue('FileNameCaseMismatch', 'Users.csv', 'the name differs from users.csv only in case (names are case-sensitive); the file is ignored'),
        // same slot: codes in §9 order
        issue('OptionalFileNotFound', 'enrollments.csv'),
        issue('FileNameCaseMismatch', 'ENROLLMENTS.CSV', 'the name differs from enrollments.csv only in case (names are case-sensitive); the file is ignored'),
      ],
    });
  });

  test('a case variant next to the exact name is ignored on its own', async () => {
    const files = withFiles({ 'userflags.csv': csv('userSourcedId,flag') });
    assert.deepEqual(await validate(files), {
      validatedFiles: BASE_FILES,
      errors: [],
      warnings: [issue('FileNameCaseMismatch', 'userflags.csv', 'the name differs from userFlags.csv only in case (names are case-sensitive); the file is ignored')],
    });
  });

  test('files outside the format are UnrecognizedFile warnings, after the SDS files, by name', async () => {
    const files = withFiles({ 'manifest.csv': 'x', 'Student.csv': 'x', 'classes.csv': null, 'enrollments.csv': null });
    assert.deepEqual(await validate(files), {
      validatedFiles: ['orgs.csv', 'users.csv', 'roles.csv', 'relationships.csv'],
      errors: [],
      warnings: [
        issue('OptionalFileNotFound', 'classes.csv'),
        issue('OptionalFileNotFound', 'enrollments.csv'),
        issue('UnrecognizedFile', 'Student.csv', 'the file is not part of the SDS v2.1 format and is ignored'),
        issue('UnrecognizedFile', 'manifest.csv', 'the file is not part of the SDS v2.1 format and is ignored'),
      ],
    });
  });

  test('FileSetChanged: an optional file of the last validated upload is missing now', async () => {
    const previousFiles = [...BASE_FILES, 'demographics.csv'];
    const changed = 'the last validated upload had this file; without it, its records will be treated as inactive';
    assert.deepEqual(await validate(withFiles({ 'relationships.csv': null, 'classes.csv': null, 'enrollments.csv': null }), { previousFiles }), {
      validatedFiles: ['orgs.csv', 'users.csv', 'roles.csv'],
      errors: [],
      warnings: [
        issue('OptionalFileNotFound', 'classes.csv'),
        issue('FileSetChanged', 'classes.csv', changed),
        issue('OptionalFileNotFound', 'enrollments.csv'),
        issue('FileSetChanged', 'enrollments.csv', changed),
        issue('FileSetChanged', 'demographics.csv', changed),
        issue('FileSetChanged', 'relationships.csv', changed),
        // c1 was only a contact: without relationships.csv it has no role
        issue('UserWithoutRole', 'users.csv:row 4', '"c1" has no valid row in roles.csv and is not a contact in relationships.csv'),
      ],
    });
    // The same files as last time: nothing changed.
    assert.deepEqual((await validate(withFiles({}), { previousFiles: BASE_FILES })).warnings, []);
  });
});
