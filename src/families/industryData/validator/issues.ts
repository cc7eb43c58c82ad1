import type { PublicError, PublicErrorDetail, ValidationResult } from './types.js';
import { codeRank, count, formatMessage, formatTarget, RULES } from './rules.js';
import type { ConnectorTarget, Location, RuleCode, Severity } from './rules.js';

interface Listed {
  readonly severity: Severity;
  readonly code: RuleCode;
  readonly at: Location;
  readonly message: string;
}

/**
 * Collects issues, listing at most `perCode` per rule code and file and counting the rest, and
 * answers them in the deterministic order of §9: phase, file, row, column, then code and target.
 *
 * Callers emit the issues of one code and file in that same order (rows ascending, columns in
 * schema order), so the listed ones are always the first in the final order.
 */
export class IssueLog {
  private readonly listed: Listed[] = [];
  /** file → code → issues seen */
  private readonly seen = new Map<string, { rank: number; codes: Map<RuleCode, number> }>();
  private errorCount = 0;

  constructor(private readonly perCode: number) {}

  /** `detail` is a thunk so suppressed issues cost no message formatting. */
  report(severity: Severity, code: RuleCode, at: Location, detail?: () => string): void {
    if (severity === 'error') this.errorCount++;
    let file = this.seen.get(at.file);
    if (!file) this.seen.set(at.file, (file = { rank: at.rank, codes: new Map() }));
    const n = (file.codes.get(code) ?? 0) + 1;
    file.codes.set(code, n);
    if (n <= this.perCode) this.listed.push({ severity, code, at, message: formatMessage(code, at, detail?.()) });
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  result(validatedFiles: string[]): ValidationResult {
    const listed = [...this.listed, ...this.limitIssues()].sort(compare);
    const errors: PublicError[] = [];
    const warnings: PublicError[] = [];
    for (const issue of listed) {
      (issue.severity === 'error' ? errors : warnings).push({
        code: issue.code,
        message: issue.message,
        target: formatTarget(issue.at),
        details: issue.code === 'IssueLimitReached' ? suppressedDetails(this.seen.get(issue.at.file)!.codes, this.perCode, issue.at.file) : [],
        innerError: null,
      });
    }
    return { validatedFiles, errors, warnings };
  }

  private *limitIssues(): Iterable<Listed> {
    for (const [file, { rank, codes }] of this.seen) {
      let suppressed = 0;
      for (const n of codes.values()) suppressed += Math.max(0, n - this.perCode);
      if (suppressed === 0) continue;
      const at = { file, rank };
      const detail = `${count(suppressed)} more issues were not listed (at most ${count(this.perCode)} per rule code)`;
      yield { severity: 'warning', code: 'IssueLimitReached', at, message: formatMessage('IssueLimitReached', at, detail) };
    }
  }
}

function suppressedDetails(codes: Map<RuleCode, number>, perCode: number, file: string): PublicErrorDetail[] {
  return [...codes]
    .filter(([, n]) => n > perCode)
    .sort(([a], [b]) => codeRank(a) - codeRank(b))
    .map(([code, n]) => ({ code, message: `${count(n - perCode)} more ${code} issues were not listed.`, target: file }));
}

/** A connector-level issue (phase 0) that ends validation on its own. */
export function connectorIssue(code: RuleCode, target: ConnectorTarget, detail: string): ValidationResult {
  const error = { code, message: formatMessage(code, target, detail), target, details: [], innerError: null };
  return { validatedFiles: [], errors: [error], warnings: [] };
}

const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

function compare(a: Listed, b: Listed): number {
  return (
    RULES[a.code] - RULES[b.code] ||
    a.at.rank - b.at.rank ||
    (a.at.row ?? 0) - (b.at.row ?? 0) ||
    (a.at.columnRank ?? -1) - (b.at.columnRank ?? -1) ||
    codeRank(a.code) - codeRank(b.code) ||
    cmp(formatTarget(a.at), formatTarget(b.at))
  );
}
