import type { PublicError, PublicErrorDetail, ValidationResult } from './types.js';
import { codeRank, count, formatMessage, formatTarget, RULES } from './rules.js';
import type { ConnectorTarget, Location, RuleCode, Severity } from './rules.js';

interface Issue {
  readonly severity: Severity;
  readonly code: RuleCode;
  readonly at: Location;
  message: string;
  readonly details?: PublicErrorDetail[];
}

/** The issues of one rule code in one file. */
interface Bucket {
  readonly listed: Issue[];
  /** The listed issue that sorts last: the one a better issue replaces once the bucket is full. */
  last: Issue | undefined;
  seen: number;
}

/**
 * Collects issues, listing per rule code and file the first `perCode` in the final order and
 * counting the rest, and answers them in the deterministic order of §9: phase, file, row, column,
 * then code and target.
 */
export class IssueLog {
  /** file → code → bucket */
  private readonly files = new Map<string, { rank: number; codes: Map<RuleCode, Bucket> }>();
  private errorCount = 0;

  constructor(private readonly perCode: number) {}

  /** `detail` is a thunk so that suppressed issues cost no message formatting. */
  report(severity: Severity, code: RuleCode, at: Location, detail?: () => string): void {
    if (severity === 'error') this.errorCount++;
    let file = this.files.get(at.file);
    if (!file) this.files.set(at.file, (file = { rank: at.rank, codes: new Map() }));
    let bucket = file.codes.get(code);
    if (!bucket) file.codes.set(code, (bucket = { listed: [], last: undefined, seen: 0 }));
    bucket.seen++;
    const issue: Issue = { severity, code, at, message: '' };
    if (bucket.listed.length < this.perCode) {
      bucket.listed.push(issue);
      if (!bucket.last || compare(issue, bucket.last) > 0) bucket.last = issue;
    } else if (compare(issue, bucket.last!) < 0) {
      // Issues normally arrive in order, so this is rare: drop the last one, find the new last.
      bucket.listed[bucket.listed.indexOf(bucket.last!)] = issue;
      bucket.last = bucket.listed.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
    } else return;
    issue.message = formatMessage(code, at, detail?.());
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  result(validatedFiles: string[]): ValidationResult {
    const listed: Issue[] = [];
    for (const [file, { rank, codes }] of this.files) {
      let suppressed = 0;
      const details: PublicErrorDetail[] = [];
      for (const [code, bucket] of [...codes].sort(([a], [b]) => codeRank(a) - codeRank(b))) {
        listed.push(...bucket.listed);
        const more = bucket.seen - bucket.listed.length;
        if (more === 0) continue;
        suppressed += more;
        details.push({ code, message: `${count(more)} more ${code} issues were not listed.`, target: file });
      }
      if (suppressed === 0) continue;
      const at = { file, rank };
      const message = formatMessage('IssueLimitReached', at, `${count(suppressed)} more issues were not listed (at most ${count(this.perCode)} per rule code)`);
      listed.push({ severity: 'warning', code: 'IssueLimitReached', at, message, details });
    }
    const errors: PublicError[] = [];
    const warnings: PublicError[] = [];
    for (const { severity, code, at, message, details = [] } of listed.sort(compare)) {
      (severity === 'error' ? errors : warnings).push({ code, message, target: formatTarget(at), details, innerError: null });
    }
    return { validatedFiles, errors, warnings };
  }
}

/** A connector-level issue (phase 0) that ends validation on its own. */
export function connectorIssue(code: RuleCode, target: ConnectorTarget, detail: string): ValidationResult {
  const error = { code, message: formatMessage(code, target, detail), target, details: [], innerError: null };
  return { validatedFiles: [], errors: [error], warnings: [] };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compare(a: Issue, b: Issue): number {
  return (
    RULES[a.code] - RULES[b.code] ||
    a.at.rank - b.at.rank ||
    (a.at.row ?? 0) - (b.at.row ?? 0) ||
    (a.at.columnRank ?? -1) - (b.at.columnRank ?? -1) ||
    codeRank(a.code) - codeRank(b.code) ||
    cmp(formatTarget(a.at), formatTarget(b.at))
  );
}

/**
 * Errors and warnings of a result, those past the report's cap included: read back from the
 * details IssueLog.result writes into IssueLimitReached (a code's unlisted issues count with the
 * severity of its listed ones in that file).
 */
export function issueTotals(result: ValidationResult): { errors: number; warnings: number } {
  const severity = new Map<string, 'errors' | 'warnings'>();
  for (const e of result.errors) severity.set(`${e.target?.split(':')[0]}|${e.code}`, 'errors');
  for (const w of result.warnings) if (w.code !== 'IssueLimitReached') severity.set(`${w.target?.split(':')[0]}|${w.code}`, 'warnings');
  const totals = { errors: result.errors.length, warnings: 0 };
  for (const w of result.warnings) {
    if (w.code !== 'IssueLimitReached') {
      totals.warnings++;
      continue;
    }
    for (const d of w.details) {
      const more = Number(/^([\d,]+) more/.exec(d.message)?.[1]?.replace(/,/g, '') ?? 0);
      totals[severity.get(`${d.target}|${d.code}`) ?? 'errors'] += more;
    }
  }
  return totals;
}
