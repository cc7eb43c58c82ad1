// What the load uploads and refreshes: SDS v2.1 upload variants (the Microsoft sample set from
// /work/shared/spec/sds-samples, broken copies of it, and small generated sets, valid and not),
// and the PIM alerts of a demo tenant.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Files = Map<string, Buffer>;

export interface Variant {
  name: string;
  files: Files;
  /** How often the load picks it, relative to 1 (the large set is CPU-heavy: rarely). */
  weight?: number;
}

export { ALERT_NAMES } from '../../src/families/roleManagementAlerts/model.js';

export const alertId = (tenant: string, name: string) => `DirectoryRole_${tenant}_${name}`;

const SAMPLES = process.env.CHAOS_SDS_SAMPLES ?? '/work/shared/spec/sds-samples';

function samples(): Files {
  const files: Files = new Map();
  if (!existsSync(SAMPLES)) return files;
  for (const name of readdirSync(SAMPLES).sort()) if (name.endsWith('.csv')) files.set(name, readFileSync(join(SAMPLES, name)));
  return files;
}

const csv = (header: string, lines: string[]) => Buffer.from(`${header}\r\n${lines.join('\r\n')}\r\n`);

/**
 * A valid upload of `users` users (one school per 1,000, 1 in 25 a teacher, a role and two class
 * enrollments each, 25 users a class, one school year), as bench/validate generates; `broken`
 * plants errors and warnings of several codes in it.
 */
export function generated(users: number, broken = false): Files {
  const schools = Math.max(3, Math.ceil(users / 1000));
  const classes = Math.max(2, Math.ceil(users / 25));
  const teacher = (i: number) => i % 25 === 0;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const files: Files = new Map();
  files.set('orgs.csv', csv('sourcedId,name,type,parentSourcedId', ['d0,Chaos District,district,', ...range(schools).map((i) => `s${i},Chaos School ${i},school,d0`)]));
  files.set('academicSessions.csv', csv('sourcedId,title,type,schoolYear,startDate,endDate', ['SY2025,2025 School Year,schoolYear,2025,2024-08-20,2025-06-15']));
  files.set(
    'users.csv',
    csv(
      'sourcedId,username,givenName,familyName,email,password',
      range(users).map((i) => {
        if (broken && i % 97 === 5) return `u${i - 1},dup${i}@chaos.example.edu,Given${i},Family${i},,`; // duplicate sourcedId
        if (broken && i % 89 === 7) return `u${i},,Given${i},Family${i},,`; // username missing
        return `u${i},user${i}@school${i % schools}.chaos.example.edu,Given${i},Family${i},user${i}@mail.chaos.example.com,Secret-${i}!`;
      }),
    ),
  );
  files.set(
    'roles.csv',
    csv(
      'userSourcedId,orgSourcedId,role,sessionSourcedId,grade,isPrimary,roleStartDate,roleEndDate',
      range(users).map((i) => {
        if (broken && i % 83 === 3) return `u${i},s999,student,SY2025,10,true,2024-08-20,2025-06-15`; // unknown org
        if (broken && i % 79 === 2) return `u${i},s${i % schools},pupil,SY2025,10,true,2024-08-20,2025-06-15`; // bad role code
        if (broken && i % 71 === 4) return `u${i},s${i % schools},student,SY2025,10,true,2024-13-20,2025-06-15`; // bad date
        return teacher(i) ? `u${i},s${i % schools},teacher,SY2025,,true,2024-08-20,2025-06-15` : `u${i},s${i % schools},student,SY2025,10,true,2024-08-20,2025-06-15`;
      }),
    ),
  );
  files.set('classes.csv', csv('sourcedId,orgSourcedId,title,sessionSourcedIds', range(classes).map((j) => `k${j},s${j % schools},Class ${j},SY2025`)));
  files.set(
    'enrollments.csv',
    csv(
      'classSourcedId,userSourcedId,role',
      range(2 * users).map((n) => {
        const i = n >> 1;
        if (broken && n % 113 === 9) return `k${classes + 5},u${i},student`; // unknown class
        return `k${(2 * i + (n & 1)) % classes},u${i},${teacher(i) ? 'teacher' : 'student'}`;
      }),
    ),
  );
  return files;
}

/** The variants the load picks from; each is validated cleanly once for reference. */
export function variants(quick: boolean, heavyWeight = 0.25): Variant[] {
  const sample = samples();
  const list: Variant[] = [];
  if (sample.size > 0) {
    list.push({ name: 'sds-sample', files: sample });
    const noUsers = new Map(sample);
    noUsers.delete('users.csv');
    list.push({ name: 'sds-sample-without-users', files: noUsers });
    const badRoles = new Map(sample);
    badRoles.set('roles.csv', Buffer.from(sample.get('roles.csv')!.toString().replace('student', 'pupil').replace('2021-08-24', '2021-02-30')));
    list.push({ name: 'sds-sample-bad-roles', files: badRoles });
  }
  list.push({ name: 'generated-300', files: generated(300) });
  list.push({ name: 'generated-300-broken', files: generated(300, true) });
  list.push({ name: 'generated-5000', files: generated(5000) });
  if (!quick && heavyWeight > 0) list.push({ name: 'generated-40000', files: generated(40_000), weight: heavyWeight });
  list.push({ name: 'empty', files: new Map() });
  return list;
}

export const filesBytes = (files: Files) => [...files.values()].reduce((n, b) => n + b.length, 0);
