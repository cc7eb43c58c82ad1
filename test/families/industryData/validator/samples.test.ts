import assert from 'node:assert/strict';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { validateUpload } from '../../../../src/families/industryData/validator/index.js';
import type { UploadedFile } from '../../../../src/families/industryData/validator/index.js';
import { BASE, BASE_FILES, validate } from './support.js';

// Compiled to dist/test/families/industryData/validator/; the fixtures stay in test/fixtures.
const SAMPLES = fileURLToPath(new URL('../../../../../test/fixtures/sds/v2.1/', import.meta.url));

const onDisk = (dir: string): UploadedFile[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.csv'))
    .map((name) => ({ name, size: statSync(join(dir, name)).size, open: () => createReadStream(join(dir, name)) }));

test("Microsoft's SDS v2.1 sample set validates with no error and no warning", async () => {
  const progress: string[] = [];
  const result = await validateUpload(onDisk(SAMPLES), { format: 'schoolDataSyncV2Rev1', onProgress: (detail) => void progress.push(detail) });
  assert.deepEqual(result, {
    validatedFiles: [
      'orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv',
      'courses.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv',
    ],
    errors: [],
    warnings: [],
  });
  // Files are read so that references point backwards; each start is reported.
  assert.deepEqual(progress, [
    'Validating orgs.csv', 'Validating academicSessions.csv', 'Validating courses.csv', 'Validating users.csv',
    'Validating roles.csv', 'Validating classes.csv', 'Validating enrollments.csv', 'Validating demographics.csv',
    'Validating userFlags.csv', 'Validating relationships.csv',
  ]);
});

test('the sample set passes with files and headers only too, and under the Postman alias of the format', async () => {
  for (const options of [{ records: false }, { format: 'schoolDataSyncV2.1' }]) {
    const result = await validateUpload(onDisk(SAMPLES), { format: 'schoolDataSyncV2Rev1', ...options });
    assert.equal(result.errors.length + result.warnings.length, 0, JSON.stringify(options));
    assert.equal(result.validatedFiles.length, 10);
  }
});

test("the tests' own base upload is clean", async () => {
  assert.deepEqual(await validate(BASE), { validatedFiles: BASE_FILES, errors: [], warnings: [] });
});
