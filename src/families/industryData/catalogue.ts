// The built-in reference definitions and role groups of the education domain, the same for every
// tenant (Graph seeds them; their timestamps are 0001-01-01). The codes a CSV is validated against
// (validator/enums.ts) are listed there once and read from there; this adds what the API serves
// beside them: display names, sort order, source, and the configuration-only types
// (RefIdentifierType, RefUserMatchTarget, RefFileFormat, RefAcademicYear).
import type { ReferenceList } from './validator/enums.js';
import { REFERENCE_LISTS } from './validator/enums.js';

export interface BuiltInDefinition {
  referenceType: string;
  code: string;
  displayName: string;
  sortIndex: number;
  source: string;
}

/** The reference types a tenant may add codes to (POST referenceDefinitions). */
export const EXTENDABLE_TYPES: readonly string[] = ['RefAcademicSubject', 'RefRace', 'RefEthnicity', 'RefGradeLevel', 'RefOrgType', 'RefPersonFlagType'];

/** What a tenant-defined definition's `source` says. */
export const TENANT_SOURCE = 'Tenant Defined';

/** `occupationalTherapist` → `Occupational Therapist`. */
const words = (code: string) => code.replace(/([a-z])([A-Z0-9])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

const GRADE_NAMES: Readonly<Record<string, string>> = {
  IT: 'Infant/toddler',
  PR: 'Preschool',
  PK: 'Prekindergarten',
  TK: 'Transitional Kindergarten',
  KG: 'Kindergarten',
  '01': 'First grade',
  '02': 'Second grade',
  '03': 'Third grade',
  '04': 'Fourth grade',
  '05': 'Fifth grade',
  '06': 'Sixth grade',
  '07': 'Seventh grade',
  '08': 'Eighth grade',
  '09': 'Ninth grade',
  '10': 'Tenth grade',
  '11': 'Eleventh grade',
  '12': 'Twelfth grade',
  '13': 'Grade 13',
  PS: 'Postsecondary',
  UG: 'Ungraded',
  Other: 'Other',
};

/** SCED subject areas (courses.subject). */
const SUBJECT_NAMES: Readonly<Record<string, string>> = {
  '01': 'English Language and Literature',
  '02': 'Mathematics',
  '03': 'Life and Physical Sciences',
  '04': 'Social Sciences and History',
  '05': 'Visual and Performing Arts',
  '07': 'Religious Education and Theology',
  '08': 'Physical, Health, and Safety Education',
  '09': 'Military Science',
  '10': 'Information Technology',
  '11': 'Communication and Audio/Visual Technology',
  '12': 'Business and Marketing',
  '13': 'Manufacturing',
  '14': 'Health Care Sciences',
  '15': 'Public, Protective, and Government Service',
  '16': 'Hospitality and Tourism',
  '17': 'Architecture and Construction',
  '18': 'Agriculture, Food, and Natural Resources',
  '19': 'Human Services',
  '20': 'Transportation, Distribution, and Logistics',
  '21': 'Engineering and Technology',
  '22': 'Miscellaneous',
  '23': 'Non-Subject-Specific',
  '24': 'World Languages',
};

/** A reference type's codes, sorted in steps of 10 as Graph's examples show (RefGradeLevel-01 is 60). */
function definitions(referenceType: string, source: string, codes: readonly string[], names: Readonly<Record<string, string>> = {}): BuiltInDefinition[] {
  return codes.map((code, i) => ({ referenceType, code, displayName: names[code] ?? words(code), sortIndex: (i + 1) * 10, source }));
}

/** The reference type behind each list the validator checks CSV values against. */
export const VALIDATED_TYPES: Readonly<Record<string, ReferenceList>> = {
  RefAcademicSubject: 'subject',
  RefEthnicity: 'ethnicity',
  RefGradeLevel: 'gradeLevel',
  RefOrgType: 'orgType',
  RefPersonFlagType: 'flag',
  RefRace: 'race',
  RefRelationshipRole: 'relationshipRole',
  RefRole: 'role',
  RefSectionRole: 'enrollmentRole',
  RefSessionType: 'sessionType',
  RefSex: 'sex',
};

/** School years a yearTimePeriodDefinition's `year` may bind by value (`RefAcademicYear-2025`). */
const ACADEMIC_YEARS = Array.from({ length: 101 }, (_, i) => String(2000 + i));

export const BUILT_IN_DEFINITIONS: readonly BuiltInDefinition[] = [
  ...definitions('RefAcademicSubject', 'SCED', REFERENCE_LISTS.subject, SUBJECT_NAMES),
  ...definitions('RefAcademicYear', 'Microsoft', ACADEMIC_YEARS),
  ...definitions('RefEmailAddressType', 'CEDS', ['home', 'work', 'organizational', 'other']),
  ...definitions('RefEthnicity', 'CEDS', REFERENCE_LISTS.ethnicity),
  ...definitions('RefFileFormat', 'Microsoft', ['schoolDataSyncV1', 'schoolDataSyncV2Rev1'], { schoolDataSyncV1: 'School Data Sync v1', schoolDataSyncV2Rev1: 'School Data Sync v2.1' }),
  ...definitions('RefGradeLevel', 'CEDS', REFERENCE_LISTS.gradeLevel, GRADE_NAMES),
  ...definitions('RefIdentifierType', 'IMS Global', ['sourcedId', 'activeDirectoryMatchId', 'email', 'username'], {
    sourcedId: 'Sourced Id',
    activeDirectoryMatchId: 'Active Directory Match Id',
  }),
  ...definitions('RefOrgType', 'IMS Global', REFERENCE_LISTS.orgType),
  ...definitions('RefPersonFlagType', 'Microsoft', REFERENCE_LISTS.flag, { iep: 'IEP', '504': '504 Plan' }),
  ...definitions('RefRace', 'CEDS', REFERENCE_LISTS.race),
  ...definitions('RefRelationshipRole', 'IMS Global', REFERENCE_LISTS.relationshipRole),
  ...definitions('RefRole', 'IMS Global', REFERENCE_LISTS.role),
  ...definitions('RefSectionRole', 'IMS Global', REFERENCE_LISTS.enrollmentRole),
  ...definitions('RefSessionType', 'IMS Global', REFERENCE_LISTS.sessionType),
  ...definitions('RefSex', 'CEDS', REFERENCE_LISTS.sex),
  ...definitions('RefUserMatchTarget', 'Microsoft', ['userPrincipalName', 'mail', 'employeeId'], { userPrincipalName: 'User Principal Name' }),
];

export interface BuiltInRoleGroup {
  id: string;
  displayName: string;
  /** RefRole codes. */
  roles: readonly string[];
}

/** Graph's two role groups: students, and every other RefRole (staff). */
export const ROLE_GROUPS: readonly BuiltInRoleGroup[] = [
  { id: 'staff', displayName: 'Staff', roles: REFERENCE_LISTS.role.filter((r) => r !== 'student' && r !== 'other').sort() },
  { id: 'students', displayName: 'Students', roles: ['student'] },
];

/** The role group of a RefRole code (undefined for `other`). */
export function roleGroupOf(role: string): string | undefined {
  return ROLE_GROUPS.find((g) => g.roles.includes(role))?.id;
}
