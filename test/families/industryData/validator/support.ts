import assert from 'node:assert/strict';
import { validateUpload } from '../../../../src/families/industryData/validator/index.js';
import type { PublicError, UploadedFile, ValidationOptions, ValidationResult } from '../../../../src/families/industryData/validator/index.js';

/** An upload whose stream yields `content` in chunks of `chunkSize` bytes. */
export function upload(name: string, content: string | Uint8Array, chunkSize = 64 * 1024, size?: number): UploadedFile {
  const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return {
    name,
    size: size ?? bytes.length,
    open: async function* () {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    },
  };
}

export type Files = Record<string, string | Uint8Array>;

export const uploads = (files: Files, chunkSize?: number): UploadedFile[] =>
  Object.entries(files).map(([name, content]) => upload(name, content, chunkSize));

export const csv = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('');

/**
 * A small valid upload that yields no issue at all: every user has a role or is a contact, and
 * the class files are there (their absence is a warning).
 */
export const BASE: Readonly<Files> = Object.freeze({
  'orgs.csv': csv('sourcedId,name,type,parentSourcedId', 'o1,District,district,', 'o2,School,school,o1'),
  'users.csv': csv(
    'sourcedId,username,givenName,familyName,email,phone,password',
    'u1,ann@school.example,Ann,Lee,,+1 (425) 555-0100,Secret1',
    'u2,bob@school.example,Bob,Ray,,,Secret2',
    'c1,carol@mail.example,Carol,Lee,carol@mail.example,,',
  ),
  'roles.csv': csv('userSourcedId,orgSourcedId,role', 'u1,o2,student', 'u2,o2,teacher'),
  'classes.csv': csv('sourcedId,orgSourcedId,title', 'k1,o2,Math'),
  'enrollments.csv': csv('classSourcedId,userSourcedId,role', 'k1,u1,student', 'k1,u2,teacher'),
  'relationships.csv': csv('userSourcedId,relationshipUserSourcedId,relationshipRole', 'u1,c1,parent'),
});

export const BASE_FILES = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'relationships.csv'];

/** BASE with some files replaced (string) or removed (null). */
export function withFiles(changes: Record<string, string | Uint8Array | null>): Files {
  const files: Files = { ...BASE };
  for (const [name, content] of Object.entries(changes)) {
    if (content === null) delete files[name];
    else files[name] = content;
  }
  return files;
}

/**
 * Validates `files`, unless the options say where to parse, twice: every file parsed on the
 * validating thread, and every file parsed on a worker thread. The two results must be the same.
 */
export async function validate(files: Files | UploadedFile[], options: Partial<ValidationOptions> = {}): Promise<ValidationResult> {
  const list = Array.isArray(files) ? files : uploads(files);
  const run = (parseOnWorkerFromBytes?: number) =>
    validateUpload(list, { format: 'schoolDataSyncV2Rev1', ...options, ...(parseOnWorkerFromBytes === undefined ? {} : { parseOnWorkerFromBytes }) });
  if (options.signal || options.onProgress || options.parseOnWorkerFromBytes !== undefined) return run();
  const [here, onWorker] = await Promise.all([run(Infinity), run(0)]);
  assert.deepEqual(onWorker, here, 'parsed on a worker thread, the result is the same');
  return here;
}

const REQUIRED = new Set(['orgs.csv', 'users.csv', 'roles.csv']);

/**
 * The expected publicError. Written independently of the implementation: file targets use Graph's
 * documented sentence, other targets "When trying to validate {target} encountered {code} error: {detail}."
 */
export function issue(code: string, target: string, detail?: string): PublicError {
  const fileLevel = !target.includes(':') && target !== 'fileFormat' && target !== 'uploadSession';
  const subject = fileLevel ? `${REQUIRED.has(target) ? 'required file' : 'file'} ${target}` : target;
  const message = `When trying to validate ${subject} encountered ${code} error${detail === undefined ? '' : `: ${detail}`}.`;
  return { code, message, target, details: [], innerError: null };
}
