import type { ReferenceCodes } from './enums.js';
import type { FileSpec } from './columns.js';
import type { ColumnPlan, FileAt, HeaderPlan } from './header.js';
import type { IssueLog } from './issues.js';
import { count, quote } from './rules.js';
import type { Location, RuleCode, Severity } from './rules.js';

/**
 * Outcome of the record checks of one row. `kept`: every value is usable or was dropped with a
 * warning; `rejected`: an error drops the row, its values are still known; `unreadable`: the
 * fields do not line up with the header, so nothing in the row can be trusted.
 */
export type RowStatus = 'kept' | 'rejected' | 'unreadable';

/**
 * Values of the current row by schema column: undefined when empty or dropped; ids as written,
 * codes in their canonical spelling, other values trimmed. `password` is never kept.
 */
export type RowValues = (string | undefined)[];

const USERNAME = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const EMAIL = USERNAME; // the same shape: local@domain.tld
const PHONE_PUNCTUATION = /[().\- ]/g;
const PHONE = /^\+?[0-9]{2,15}$/;
const YEAR = /^[0-9]{4}$/;
const BOOLEAN = /^(true|false)$/i;

/** Phase 3: the checks of one row on its own (no other row or file involved). */
export class RecordChecker {
  private readonly dateRange: readonly [ColumnPlan, ColumnPlan] | undefined;
  /** Per schema column: a value is required (`createsUsers` columns when the flow creates users). */
  private readonly required: readonly boolean[];

  constructor(
    spec: FileSpec,
    private readonly plan: HeaderPlan,
    private readonly at: FileAt,
    private readonly issues: IssueLog,
    private readonly codes: ReferenceCodes,
    createsUsers: boolean,
  ) {
    this.required = plan.columns.map((c) => c.spec.required === true || (c.spec.required === 'createsUsers' && createsUsers));
    const range = spec.dateRange;
    this.dateRange = range && [plan.columns.find((c) => c.spec.name === range[0])!, plan.columns.find((c) => c.spec.name === range[1])!];
  }

  check(fields: readonly string[], row: number, values: RowValues): RowStatus {
    if (fields.length !== this.plan.width) {
      this.issues.report('error', 'ColumnCountMismatch', { ...this.at, row }, () => `the row has ${count(fields.length)} fields but the header has ${count(this.plan.width)}`);
      return 'unreadable';
    }
    let kept = true;
    for (const column of this.plan.columns) {
      values[column.rank] = undefined;
      const raw = column.index < 0 ? '' : fields[column.index]!;
      const required = this.required[column.rank]!;
      if (raw.includes('\n') || raw.includes('\r')) {
        this.issues.report('error', 'LineBreakInValue', this.cell(row, column), () => 'the value contains a line break');
        kept = false;
        continue;
      }
      const value = raw.trim();
      if (value === '') {
        if (required) {
          this.issues.report('error', 'RequiredValueMissing', this.cell(row, column), () => 'this column requires a value');
          kept = false;
        }
        continue;
      }
      const checked = this.value(column, column.spec.type === 'id' ? raw : value, row, required ? 'error' : 'warning');
      if (checked === undefined && required) kept = false;
      values[column.rank] = checked;
    }
    if (this.dateRange) kept = this.checkDateRange(row, values) && kept;
    return kept ? 'kept' : 'rejected';
  }

  /** The value to keep, or undefined when a rule drops it (the issue is reported here). */
  private value(column: ColumnPlan, value: string, row: number, severity: Severity): string | undefined {
    const type = column.spec.type;
    switch (type) {
      case 'id':
      case 'text':
        return value;
      case 'secret':
        return undefined; // password: neither checked, echoed nor kept
      case 'username':
        return USERNAME.test(value) ? value : this.fail(severity, 'InvalidUsername', row, column, () => `${quote(value)} is not a user name with an @domain part`);
      case 'email':
        return EMAIL.test(value) ? value : this.fail(severity, 'InvalidEmail', row, column, () => `${quote(value)} is not an e-mail address; the value is ignored`);
      case 'phone':
        // The number itself is never echoed.
        return PHONE.test(value.replace(PHONE_PUNCTUATION, '')) ? value : this.fail(severity, 'InvalidPhoneNumber', row, column, () => 'the value is not a phone number (an optional + and 2 to 15 digits); the value is ignored');
      case 'date':
        return isDate(value) ? value : this.fail(severity, 'InvalidDate', row, column, () => `${quote(value)} is not a date in the form YYYY-MM-DD`);
      case 'year':
        return YEAR.test(value) ? value : this.fail(severity, 'InvalidYear', row, column, () => `${quote(value)} is not a four-digit year`);
      case 'boolean':
        return BOOLEAN.test(value) ? value.toLowerCase() : this.fail(severity, 'InvalidBoolean', row, column, () => `${quote(value)} is neither true nor false; the value is ignored`);
    }
    if ('references' in type) return type.multiple && value.includes(',') ? splitList(value).join(',') || undefined : value;
    if (!type.multiple) {
      const dropped = severity === 'warning' ? '; the value is ignored' : '';
      return this.codes.match(type.code, value) ?? this.fail(severity, 'InvalidReferenceCode', row, column, () => `${quote(value)} is not a code of the ${column.spec.name} reference list${dropped}`);
    }
    const known: string[] = [];
    const unknown: string[] = [];
    for (const element of splitList(value)) {
      const code = this.codes.match(type.code, element);
      if (code === undefined) unknown.push(element);
      else known.push(code);
    }
    if (unknown.length > 0) {
      this.issues.report(severity, 'InvalidReferenceCode', this.cell(row, column), () =>
        `${quote(unknown.join(', '))} ${unknown.length === 1 ? 'is not a code' : 'are not codes'} of the ${column.spec.name} reference list; ${unknown.length === 1 ? 'it is' : 'they are'} ignored`,
      );
    }
    return known.length > 0 ? known.join(',') : undefined;
  }

  private fail(severity: Severity, code: RuleCode, row: number, column: ColumnPlan, detail: () => string): undefined {
    this.issues.report(severity, code, this.cell(row, column), detail);
    return undefined;
  }

  /** End before start: an error where the dates are required, else both dates are dropped. */
  private checkDateRange(row: number, values: RowValues): boolean {
    const [start, end] = this.dateRange!;
    const from = values[start.rank];
    const to = values[end.rank];
    if (from === undefined || to === undefined || to >= from) return true;
    const required = start.spec.required === true;
    this.issues.report(required ? 'error' : 'warning', 'InvalidDateRange', { ...this.at, row }, () =>
      `${end.name} ${to} is before ${start.name} ${from}${required ? '' : '; both dates are ignored'}`,
    );
    values[start.rank] = values[end.rank] = undefined;
    return !required;
  }

  private cell(row: number, column: ColumnPlan): Location {
    return { ...this.at, row, column: column.name, columnRank: column.rank };
  }
}

/** Elements of a comma-separated list value, trimmed, empty ones left out. */
export function splitList(value: string): string[] {
  if (!value.includes(',')) return value.trim() === '' ? [] : [value.trim()]; // nearly every value: one element
  return value.split(',').map((element) => element.trim()).filter((element) => element !== '');
}

/** YYYY-MM-DD, a real calendar date; read by char codes (the regex and its match array cost more per row). */
function isDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d) return false;
  const digits = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i < to; i++) {
      const d = value.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return -1;
      n = n * 10 + d;
    }
    return n;
  };
  const year = digits(0, 4);
  const month = digits(5, 7);
  const day = digits(8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}
