import { FILE_SPECS } from './columns.js';

/**
 * Rule codes (sds-csv.md §9) with their phase. Key order is the tie-break order of codes that
 * share a target. Codes are a contract: never rename one; a new rule gets a new code.
 */
export const RULES = {
  // Phase 0: connector / session
  UnsupportedFileFormat: 0,
  UploadSessionNotFound: 0,
  // Phase 1: file set
  RequiredFileNotFound: 1,
  OptionalFileNotFound: 1,
  FileNameCaseMismatch: 1,
  UnrecognizedFile: 1,
  FileSetChanged: 1,
  // Phase 2: file structure
  FileTooLarge: 2,
  InvalidFileEncoding: 2,
  ByteOrderMarkFound: 2, // not in §9: a UTF-8 BOM is accepted with this warning (issue 4)
  EmptyFile: 2,
  MalformedCsv: 2,
  RequiredColumnNotFound: 2,
  DuplicateColumn: 2,
  ColumnNameMismatch: 2,
  UnknownColumn: 2,
  TooManyRecords: 2,
  FileHasNoRecords: 2,
  // Phase 3: records
  ColumnCountMismatch: 3,
  LineBreakInValue: 3,
  RequiredValueMissing: 3,
  DuplicateKey: 3,
  DuplicateRecord: 3,
  InvalidReferenceCode: 3,
  InvalidDate: 3,
  InvalidDateRange: 3,
  InvalidYear: 3,
  InvalidBoolean: 3,
  InvalidUsername: 3,
  InvalidEmail: 3,
  InvalidPhoneNumber: 3,
  // Phase 4: cross-file
  ReferenceNotFound: 4,
  ReferencedRecordRejected: 4,
  ReferencedFileNotFound: 4,
  ContactIncomplete: 4,
  CircularOrgHierarchy: 4,
  UserWithoutRole: 4,
  // Aggregation
  IssueLimitReached: 5,
} as const;

export type RuleCode = keyof typeof RULES;
export type Severity = 'error' | 'warning';

const CODE_RANK = new Map(Object.keys(RULES).map((code, index) => [code, index]));
export const codeRank = (code: RuleCode): number => CODE_RANK.get(code)!;

/** Connector-level targets of phase 0. */
export type ConnectorTarget = 'fileFormat' | 'uploadSession';

/**
 * Where an issue is: a file (as uploaded), optionally a row (1-based, header = row 1) and a column.
 * `rank` orders files (canonical order, unrecognised files last); `columnRank` orders columns.
 */
export interface Location {
  readonly file: string;
  readonly rank: number;
  readonly row?: number;
  readonly column?: string;
  readonly columnRank?: number;
}

export const formatTarget = (at: Location): string =>
  at.file + (at.row === undefined ? '' : `:row ${at.row}`) + (at.column === undefined ? '' : `:${at.column}`);

const REQUIRED_FILES: ReadonlySet<string> = new Set(FILE_SPECS.filter((f) => f.tier === 'required').map((f) => f.name));

/**
 * Messages keep Graph's documented file-level pattern ("When trying to validate required file
 * orgs.csv encountered RequiredFileNotFound error.") and add one sentence where it helps.
 */
export function formatMessage(code: RuleCode, at: Location | ConnectorTarget, detail?: string): string {
  const suffix = detail === undefined ? '.' : `: ${detail}.`;
  if (typeof at === 'string') return `When trying to validate ${at} encountered ${code} error${suffix}`;
  if (at.row === undefined && at.column === undefined) {
    return `When trying to validate ${REQUIRED_FILES.has(at.file) ? 'required file' : 'file'} ${at.file} encountered ${code} error${suffix}`;
  }
  return `When trying to validate ${formatTarget(at)} encountered ${code} error${suffix}`;
}

const MAX_ECHO = 64;

/** Cuts text to 64 characters (whole code points), marking the cut with an ellipsis. */
export function clip(text: string): string {
  if (text.length <= MAX_ECHO) return text;
  const points = Array.from(text);
  return points.length <= MAX_ECHO ? text : `${points.slice(0, MAX_ECHO).join('')}…`;
}

/** A value as messages may echo it: quoted, escaped, at most 64 characters. */
export const quote = (value: string): string => JSON.stringify(clip(value));

export const count = (n: number): string => n.toLocaleString('en-US');
