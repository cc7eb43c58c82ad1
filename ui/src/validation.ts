// A fileValidateOperation's errors and warnings, grouped by rule code and file, with the counts
// the report holds: the listed issues plus those past its cap (IssueLimitReached's details say
// "N more <code> issues were not listed." for each code of a file).

export interface PublicError {
  code: string;
  message: string;
  target?: string | null;
  details?: { code: string; message: string; target?: string | null }[];
}

export interface IssueGroup {
  severity: 'error' | 'warning';
  code: string;
  file: string;
  count: number;
  listed: PublicError[];
}

export const fileOf = (target: string | null | undefined) => (target ?? '').split(':')[0] || '—';

export function groupIssues(errors: PublicError[] = [], warnings: PublicError[] = []): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();
  const add = (severity: IssueGroup['severity'], e: PublicError) => {
    const file = fileOf(e.target);
    const k = `${file}|${e.code}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { severity, code: e.code, file, count: 0, listed: [] }));
    g.count++;
    g.listed.push(e);
  };
  for (const e of errors) add('error', e);
  for (const w of warnings) if (w.code !== 'IssueLimitReached') add('warning', w);
  for (const w of warnings) {
    if (w.code !== 'IssueLimitReached') continue;
    for (const d of w.details ?? []) {
      const more = Number(/^([\d,]+) more/.exec(d.message)?.[1]?.replace(/,/g, '') ?? 0);
      const g = groups.get(`${fileOf(d.target)}|${d.code}`);
      if (g) g.count += more;
      else groups.set(`${fileOf(d.target)}|${d.code}`, { severity: 'error', code: d.code, file: fileOf(d.target), count: more, listed: [] });
    }
  }
  return [...groups.values()];
}

/** Errors and warnings per rule code over groups (for the chart). */
export function byRule(groups: IssueGroup[]): Map<string, { errors: number; warnings: number }> {
  const out = new Map<string, { errors: number; warnings: number }>();
  for (const g of groups) {
    const r = out.get(g.code) ?? { errors: 0, warnings: 0 };
    if (g.severity === 'error') r.errors += g.count;
    else r.warnings += g.count;
    out.set(g.code, r);
  }
  return out;
}
