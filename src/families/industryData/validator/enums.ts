/** Default reference lists (sds-csv.md §5). Tenants may add codes through ValidationOptions.referenceCodes. */
export const REFERENCE_LISTS = {
  /** RefOrgType — orgs.type */
  orgType: [
    'school', 'ministryOfEducation', 'localAuthority', 'department', 'university', 'region', 'district',
    'college', 'division', 'local', 'campus', 'province', 'state', 'adultEducation', 'researchCenter',
    'national', 'municipality', 'program', 'departmentOfEducation', 'academicTrust',
  ],
  /** RefRole — roles.role; `aide` is in Graph's staff role group though not in the SDS list */
  role: [
    'principal', 'chair', 'professor', 'researcher', 'adjunct', 'affiliate', 'occupationalTherapist',
    'physicalTherapist', 'speechTherapist', 'visionTherapist', 'paraprofessional', 'specialServices',
    'advisor', 'proctor', 'nurse', 'officeStaff', 'lecturer', 'itAdmin', 'administrator', 'teacher',
    'faculty', 'staff', 'teacherAssistant', 'assistant', 'instructor', 'substitute', 'coach', 'alumni',
    'student', 'other', 'aide',
  ],
  /** RefGradeLevel — roles.grade, courses.grade (`1`…`9` are normalised to `01`…`09`) */
  gradeLevel: [
    'IT', 'PR', 'PK', 'TK', 'KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12',
    '13', 'PS', 'PS1', 'PS2', 'PS3', 'PS4', 'undergraduate', 'graduate', 'postgraduate', 'alumni',
    'adultEducation', 'UG', 'Other',
  ],
  /** enrollments.role; `aide` is accepted beside the documented `aid` */
  enrollmentRole: [
    'student', 'visionTherapist', 'substitute', 'aid', 'aide', 'paraprofessional', 'principal', 'proctor',
    'teacherAssistant', 'specialServices', 'teacher', 'professor', 'advisor', 'administrator', 'lecturer',
    'coach', 'occupationalTherapist', 'affiliate', 'assistant', 'physicalTherapist', 'adjunct', 'staff',
    'speechTherapist', 'instructor', 'alumni', 'chair', 'itAdmin', 'officeStaff',
  ],
  /** academicSessions.type */
  sessionType: ['schoolYear', 'semester', 'term', 'gradingPeriod', 'quarter'],
  /** courses.subject: SCED subject areas */
  subject: [
    '01', '02', '03', '04', '05', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18',
    '19', '20', '21', '22', '23', '24',
  ],
  /** demographics.sex */
  sex: ['male', 'female', 'notSelected'],
  /** demographics.ethnicityCodes */
  ethnicity: ['hispanicOrLatinoEthnicity'],
  /** demographics.raceCodes */
  race: [
    'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander',
    'white', 'demographicRaceTwoOrMoreRaces',
  ],
  /** userFlags.flag: only the codes Microsoft's sample confirms; tenants add theirs */
  flag: ['iep', 'freeLunch', '504'],
  /** relationships.relationshipRole */
  relationshipRole: ['parent', 'guardian', 'relative', 'aide', 'doctor', 'other'],
} as const satisfies Record<string, readonly string[]>;

export type ReferenceList = keyof typeof REFERENCE_LISTS;

/** Case-insensitive lookup of reference codes, answering the canonical spelling. */
export class ReferenceCodes {
  private readonly lists = new Map<ReferenceList, { exact: Set<string>; folded: Map<string, string> }>();

  /** `extra`: codes a tenant added; `disabled`: codes a tenant disabled (built-in or its own). */
  constructor(extra: Partial<Record<ReferenceList, readonly string[]>> = {}, disabled: Partial<Record<ReferenceList, readonly string[]>> = {}) {
    for (const list of Object.keys(REFERENCE_LISTS) as ReferenceList[]) {
      const exact = new Set<string>();
      const folded = new Map<string, string>();
      const off = new Set(disabled[list] ?? []);
      for (const code of [...REFERENCE_LISTS[list], ...(extra[list] ?? [])]) {
        if (off.has(code) || folded.has(code.toLowerCase())) continue;
        exact.add(code);
        folded.set(code.toLowerCase(), code);
      }
      this.lists.set(list, { exact, folded });
    }
  }

  /** The canonical code for `value` (already trimmed), or undefined when the list lacks it. */
  match(list: ReferenceList, value: string): string | undefined {
    const { exact, folded } = this.lists.get(list)!;
    if (exact.has(value)) return value; // the usual case, without lower-casing
    return folded.get(list === 'gradeLevel' && /^[1-9]$/.test(value) ? `0${value}` : value.toLowerCase());
  }
}
