// The SDS v2.1 upload the industry data benchmarks generate (bench/validate, bench/run): valid,
// regular, about 230 bytes per user, written in batches that wait for the disk.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `lines` in batches, waiting for the disk. */
async function writeCsv(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\r\n`);
  const BATCH = 20_000;
  for (let start = 0; start < count; start += BATCH) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) parts.push(line(i));
    if (!out.write(`${parts.join('\r\n')}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * A valid upload of `users` users: one school per 1,000 users, 1 in 25 a teacher; every user has
 * a role in a school and two class enrollments; 25 users per class; one school year.
 */
export async function generate(dir: string, users: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const schools = Math.max(10, Math.ceil(users / 1000));
  const classes = Math.max(2, Math.ceil(users / 25));
  const teacher = (i: number) => i % 25 === 0;
  await writeCsv(join(dir, 'orgs.csv'), 'sourcedId,name,type,parentSourcedId', schools + 1, (i) =>
    i === 0 ? 'd0,Bench District,district,' : `s${i - 1},Bench School ${i - 1},school,d0`,
  );
  await writeCsv(join(dir, 'academicSessions.csv'), 'sourcedId,title,type,schoolYear,startDate,endDate', 1, () => 'SY2025,2025 School Year,schoolYear,2025,2024-08-20,2025-06-15');
  await writeCsv(join(dir, 'users.csv'), 'sourcedId,username,givenName,familyName,email,password', users, (i) =>
    `u${i},user${i}@school${i % schools}.bench.example.edu,Given${i},Family${i},user${i}@mail.bench.example.com,Secret-${i}!`,
  );
  await writeCsv(join(dir, 'roles.csv'), 'userSourcedId,orgSourcedId,role,sessionSourcedId,grade,isPrimary,roleStartDate,roleEndDate', users, (i) =>
    teacher(i) ? `u${i},s${i % schools},teacher,SY2025,,true,2024-08-20,2025-06-15` : `u${i},s${i % schools},student,SY2025,10,true,2024-08-20,2025-06-15`,
  );
  await writeCsv(join(dir, 'classes.csv'), 'sourcedId,orgSourcedId,title,sessionSourcedIds', classes, (j) => `k${j},s${j % schools},Class ${j},SY2025`);
  await writeCsv(join(dir, 'enrollments.csv'), 'classSourcedId,userSourcedId,role', 2 * users, (n) => {
    const i = n >> 1;
    return `k${(2 * i + (n & 1)) % classes},u${i},${teacher(i) ? 'teacher' : 'student'}`;
  });
}

export const csvFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.csv')).sort();
export const totalBytes = (dir: string) => csvFiles(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);

