import type { ReferenceList } from './enums.js';

/** The SDS v2.1 files in canonical (reporting) order, sds-csv.md §2. */
export const SDS_FILES = [
  'orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv',
  'courses.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv',
] as const;
export type SdsFile = (typeof SDS_FILES)[number];

/**
 * What a value must look like. `id` is compared exactly as written; every other value is trimmed
 * first. `multiple` values are comma-separated lists whose elements are trimmed.
 */
export type ValueType =
  | 'id' | 'text' | 'secret' | 'username' | 'email' | 'phone' | 'date' | 'year' | 'boolean'
  | { readonly code: ReferenceList; readonly multiple?: true }
  | { readonly references: SdsFile; readonly multiple?: true };

export interface ColumnSpec {
  readonly name: string;
  /** Another accepted spelling of the same column. */
  readonly alias?: string;
  /** `createsUsers`: required only when the flow creates unmatched users. */
  readonly required: boolean | 'createsUsers';
  readonly type: ValueType;
}

export interface FileSpec {
  readonly name: SdsFile;
  /** `classes`: optional, but its absence is reported (OptionalFileNotFound). */
  readonly tier: 'required' | 'classes' | 'optional';
  readonly columns: readonly ColumnSpec[];
  /** Column whose values are unique in the file (DuplicateKey). */
  readonly key?: string;
  /** Columns that identify an association row (DuplicateRecord). */
  readonly association?: readonly string[];
  /** Start and end date columns (InvalidDateRange). */
  readonly dateRange?: readonly [string, string];
}

const ref = (file: SdsFile, multiple = false): ValueType => (multiple ? { references: file, multiple } : { references: file });
const code = (list: ReferenceList, multiple = false): ValueType => (multiple ? { code: list, multiple } : { code: list });
const col = (name: string, required: ColumnSpec['required'], type: ValueType, alias?: string): ColumnSpec =>
  alias === undefined ? { name, required, type } : { name, required, type, alias };

export const FILE_SPECS: readonly FileSpec[] = [
  {
    name: 'orgs.csv', tier: 'required', key: 'sourcedId',
    columns: [
      col('sourcedId', true, 'id'), col('name', true, 'text'), col('type', true, code('orgType')),
      col('parentSourcedId', false, ref('orgs.csv')),
    ],
  },
  {
    name: 'users.csv', tier: 'required', key: 'sourcedId',
    columns: [
      col('sourcedId', true, 'id'), col('username', true, 'username'), col('familyName', 'createsUsers', 'text'),
      col('givenName', 'createsUsers', 'text'), col('activeDirectoryMatchId', false, 'text'), col('email', false, 'email'),
      col('phone', false, 'phone'), col('sms', false, 'phone'), col('password', false, 'secret'),
      col('userNumber', false, 'text'),
    ],
  },
  {
    name: 'roles.csv', tier: 'required', association: ['userSourcedId', 'orgSourcedId', 'role'],
    dateRange: ['roleStartDate', 'roleEndDate'],
    columns: [
      col('userSourcedId', true, ref('users.csv')), col('orgSourcedId', true, ref('orgs.csv')),
      col('role', true, code('role')),
      col('sessionSourcedId', false, ref('academicSessions.csv', true), 'sessionSourcedIds'),
      col('grade', false, code('gradeLevel', true)), col('isPrimary', false, 'boolean'),
      col('roleStartDate', false, 'date'), col('roleEndDate', false, 'date'),
    ],
  },
  {
    name: 'classes.csv', tier: 'classes', key: 'sourcedId',
    columns: [
      col('sourcedId', true, 'id'), col('orgSourcedId', true, ref('orgs.csv')), col('title', true, 'text'),
      col('sessionSourcedIds', false, ref('academicSessions.csv', true)), col('courseSourcedId', false, ref('courses.csv')),
      col('code', false, 'text'),
    ],
  },
  {
    name: 'enrollments.csv', tier: 'classes', association: ['classSourcedId', 'userSourcedId', 'role'],
    columns: [
      col('classSourcedId', true, ref('classes.csv')), col('userSourcedId', true, ref('users.csv')),
      col('role', true, code('enrollmentRole')),
    ],
  },
  {
    name: 'academicSessions.csv', tier: 'optional', key: 'sourcedId', dateRange: ['startDate', 'endDate'],
    columns: [
      col('sourcedId', true, 'id'), col('title', true, 'text'), col('type', true, code('sessionType')),
      col('schoolYear', true, 'year'), col('startDate', true, 'date'), col('endDate', true, 'date'),
    ],
  },
  {
    name: 'courses.csv', tier: 'optional', key: 'sourcedId',
    columns: [
      col('sourcedId', true, 'id'), col('orgSourcedId', true, ref('orgs.csv')), col('title', true, 'text'),
      col('code', false, 'text'), col('schoolYearSourcedId', false, ref('academicSessions.csv')),
      col('subject', false, code('subject', true)), col('grade', false, code('gradeLevel', true)),
    ],
  },
  {
    name: 'demographics.csv', tier: 'optional', key: 'userSourcedId',
    columns: [
      col('userSourcedId', true, ref('users.csv')), col('sex', false, code('sex')), col('birthDate', false, 'date'),
      col('birthCity', false, 'text'), col('birthState', false, 'text'), col('birthCountry', false, 'text'),
      col('ethnicityCodes', false, code('ethnicity', true)), col('raceCodes', false, code('race', true)),
    ],
  },
  {
    name: 'userFlags.csv', tier: 'optional', association: ['userSourcedId', 'flag'],
    columns: [col('userSourcedId', true, ref('users.csv')), col('flag', true, code('flag'))],
  },
  {
    name: 'relationships.csv', tier: 'optional', association: ['userSourcedId', 'relationshipUserSourcedId'],
    columns: [
      col('userSourcedId', true, ref('users.csv')), col('relationshipUserSourcedId', true, ref('users.csv')),
      col('relationshipRole', true, code('relationshipRole')),
    ],
  },
];

/**
 * Files are read so that every reference points at a file already read (orgs' own parent links
 * are resolved at the end of orgs.csv); issues are still reported in canonical order.
 */
export const READ_ORDER: readonly SdsFile[] = [
  'orgs.csv', 'academicSessions.csv', 'courses.csv', 'users.csv', 'roles.csv', 'classes.csv',
  'enrollments.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv',
];

export const fileSpec = (name: SdsFile): FileSpec => FILE_SPECS.find((spec) => spec.name === name)!;
export const fileRank = (name: SdsFile): number => SDS_FILES.indexOf(name);
