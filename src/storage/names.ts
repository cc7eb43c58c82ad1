// What may name a container and a blob. Containers are the service's own ids; blob names come
// from clients and are file names: no path, nothing a file system or a log would misread.

/** Azure's container name rules (3–63 lower-case letters, digits and single hyphens); our ids are GUIDs. */
const CONTAINER = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

export const isContainerName = (name: string): boolean => CONTAINER.test(name);

/** Azure's limit on blob names, in characters. */
export const MAX_BLOB_NAME_LENGTH = 1024;

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `name` cannot name a blob here, or undefined when it can: empty or too long, a path
 * separator (`/` or `\`), `.` or `..` or any name made only of dots, a control character, a lone
 * UTF-16 surrogate, or surrounding spaces.
 */
export function blobNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the blob name is empty';
  if (name.length > MAX_BLOB_NAME_LENGTH) return `the blob name is longer than ${MAX_BLOB_NAME_LENGTH} characters`;
  if (name.includes('/') || name.includes('\\')) return 'the blob name contains a path separator; upload files by name only';
  if (/^\.+$/.test(name)) return 'the blob name is made only of dots';
  if (name.includes('..')) return "the blob name contains '..'";
  if (CONTROL.test(name)) return 'the blob name contains a control character';
  if (LONE_SURROGATE.test(name)) return 'the blob name is not valid Unicode';
  if (name.trim() !== name) return 'the blob name starts or ends with white space';
  return undefined;
}
