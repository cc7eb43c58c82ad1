import type { ColumnSpec, FileSpec } from './columns.js';
import type { IssueLog } from './issues.js';
import { clip, quote } from './rules.js';
import type { Location } from './rules.js';

export interface ColumnPlan {
  readonly spec: ColumnSpec;
  /** The name the header uses (the expected name or its alias). */
  readonly name: string;
  /** Position in the header, or -1 when the (optional) column is absent. */
  readonly index: number;
  /** Position in the file's schema: orders issues by column. */
  readonly rank: number;
}

export interface HeaderPlan {
  readonly columns: readonly ColumnPlan[];
  /** Number of fields every data row must have. */
  readonly width: number;
}

export interface FileAt {
  readonly file: string;
  readonly rank: number;
}

/**
 * Phase 2 header checks. Header names are case-sensitive and order is free. Answers the column
 * plan, or undefined when a structure error (missing required or duplicate column) stops the file.
 */
export function checkHeader(spec: FileSpec, header: readonly string[], at: FileAt, issues: IssueLog, createsUsers: boolean): HeaderPlan | undefined {
  const exact = new Map<string, number>();
  const folded = new Map<string, number>();
  spec.columns.forEach((column, rank) => {
    for (const name of column.alias === undefined ? [column.name] : [column.name, column.alias]) {
      exact.set(name, rank);
      folded.set(name.toLowerCase(), rank);
    }
  });
  const index = spec.columns.map(() => -1);
  const names = spec.columns.map((column) => column.name);
  const duplicates = new Set<number>();
  const unknown = new Set<string>();
  let usable = true;
  header.forEach((written, position) => {
    const rank = exact.get(written);
    const asWritten: Location = { ...at, column: clip(written), columnRank: spec.columns.length + position };
    if (rank !== undefined) {
      if (index[rank] === -1) {
        index[rank] = position;
        names[rank] = written;
      } else if (!duplicates.has(rank)) {
        duplicates.add(rank);
        usable = false;
        const first = names[rank]!;
        issues.report('error', 'DuplicateColumn', { ...at, column: written, columnRank: rank }, () =>
          first === written ? 'the column appears more than once in the header' : `${first} and ${written} are the same column`,
        );
      }
      return;
    }
    const near = folded.get(written.trim().toLowerCase());
    if (near !== undefined) {
      const expected = spec.columns[near]!.name;
      issues.report('warning', 'ColumnNameMismatch', asWritten, () => `the header differs from ${quote(expected)} in case or spaces (names are case-sensitive); the column is ignored`);
    } else if (!unknown.has(written)) {
      unknown.add(written);
      issues.report('warning', 'UnknownColumn', asWritten, () => 'the column is not part of the SDS v2.1 format and is ignored');
    }
  });
  spec.columns.forEach((column, rank) => {
    const required = column.required === true || (column.required === 'createsUsers' && createsUsers);
    if (required && index[rank] === -1) {
      usable = false;
      issues.report('error', 'RequiredColumnNotFound', { ...at, column: column.name, columnRank: rank }, () => 'the header lacks this required column');
    }
  });
  if (!usable) return undefined;
  return {
    columns: spec.columns.map((column, rank) => ({ spec: column, name: names[rank]!, index: index[rank]!, rank })),
    width: header.length,
  };
}
