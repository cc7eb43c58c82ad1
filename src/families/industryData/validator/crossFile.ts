import { AssociationSet } from './associationSet.js';
import type { FileSpec, SdsFile } from './columns.js';
import { fileRank, fileSpec } from './columns.js';
import type { ColumnPlan, HeaderPlan } from './header.js';
import type { IssueLog } from './issues.js';
import { KeyTable } from './keyTable.js';
import type { RowStatus, RowValues } from './records.js';
import { quote } from './rules.js';
import type { Location, RuleCode, Severity } from './rules.js';
import type { Scratch } from './scratch.js';
import { FileSink } from './sink.js';
import type { RecordSink } from './types.js';

// KeyTable flag bits
const REJECTED = 1; // the record was dropped by an error
const HAS_ROLE = 2; // users: a kept roles.csv row names the user
const CONTACT = 4; // users: a relationships.csv row names the user as its contact
const HAS_GIVEN_NAME = 8;
const HAS_FAMILY_NAME = 16;
const HAS_EMAIL = 32;

/**
 * Keys of every file read so far, and the checks that need them: DuplicateKey and DuplicateRecord
 * (phase 3, but they need the file's key set) and phase 4. Files are read in READ_ORDER, so a
 * reference always points at a file already complete; orgs' parent links wait for the end of
 * orgs.csv. A reference resolves only to a record that passed its own checks (cascade).
 */
export class CrossFile {
  private readonly tables = new Map<SdsFile, KeyTable>();
  private readonly usable = new Map<SdsFile, boolean>();
  /** orgs.csv entry → parentSourcedId of kept orgs */
  private readonly orgParents: (string | undefined)[] = [];
  private reading: FileLinks | undefined;

  constructor(
    private readonly issues: IssueLog,
    private readonly uploaded: ReadonlySet<SdsFile>,
    private readonly scratch: Scratch,
    private readonly sink: RecordSink | undefined,
  ) {}

  /** The row checks of a file whose header passed. */
  open(spec: FileSpec, plan: HeaderPlan): FileLinks {
    const records = this.sink && new FileSink(this.sink, spec.name, this.scratch);
    this.reading = new FileLinks(this, this.issues, spec, plan, this.scratch, records);
    return this.reading;
  }

  /** A file is done; references to an unusable file (structure error) are skipped. */
  close(file: SdsFile, usable: boolean): void {
    const records = this.reading?.finish(usable);
    this.reading = undefined;
    this.usable.set(file, usable);
    if (file === 'orgs.csv' && usable) this.checkOrgHierarchy(records);
  }

  /** Checks that need every file: UserWithoutRole. */
  finish(): void {
    const users = this.table('users.csv');
    const contactsKnown = !this.uploaded.has('relationships.csv') || this.usable.get('relationships.csv') === true;
    if (typeof users === 'string' || this.usable.get('roles.csv') !== true || !contactsKnown) return;
    for (let entry = 0; entry < users.size; entry++) {
      if ((users.flags[entry]! & (REJECTED | HAS_ROLE | CONTACT)) !== 0) continue;
      this.issues.report('warning', 'UserWithoutRole', { file: 'users.csv', rank: fileRank('users.csv'), row: users.row(entry) }, () =>
        `${quote(users.key(entry))} has no valid row in roles.csv and is not a contact in relationships.csv`,
      );
    }
  }

  /** The key set of a file, or why references to it cannot be resolved. */
  table(file: SdsFile): KeyTable | 'absent' | 'skipped' {
    if (!this.uploaded.has(file)) return 'absent';
    const table = this.tables.get(file);
    return table && this.usable.get(file) === true ? table : 'skipped';
  }

  createTable(file: SdsFile): KeyTable {
    const table = new KeyTable();
    this.tables.set(file, table);
    return table;
  }

  setOrgParent(entry: number, parent: string): void {
    this.orgParents[entry] = parent;
  }

  /**
   * Parent links: ReferenceNotFound / ReferencedRecordRejected (warnings), then loops; the orgs
   * that waited for their link go to the sink, without it when it is ignored.
   */
  private checkOrgHierarchy(records: FileSink | undefined): void {
    const orgs = this.tables.get('orgs.csv')!;
    const parentOf = new Int32Array(orgs.size).fill(-1);
    const columnRank = fileSpec('orgs.csv').columns.findIndex((c) => c.name === 'parentSourcedId');
    const at = (entry: number): Location => ({ file: 'orgs.csv', rank: fileRank('orgs.csv'), row: orgs.row(entry), column: 'parentSourcedId', columnRank });
    this.orgParents.forEach((parent, entry) => {
      if (parent === undefined) return;
      const target = orgs.find(parent);
      if (target < 0) {
        this.issues.report('warning', 'ReferenceNotFound', at(entry), () => `${quote(parent)} is not a sourcedId in orgs.csv; the parent link is ignored`);
      } else if (orgs.flags[target]! & REJECTED) {
        this.issues.report('warning', 'ReferencedRecordRejected', at(entry), () => `${quote(parent)} is the org of row ${orgs.row(target)}, which was rejected; the parent link is ignored`);
      } else parentOf[entry] = target;
    });
    // Walk each chain once: 1 = on the current walk, 2 = done; a walk that meets itself closes a loop.
    const state = new Uint8Array(orgs.size);
    const onLoop = new Uint8Array(orgs.size);
    const path: number[] = [];
    for (let start = 0; start < orgs.size; start++) {
      let node = start;
      while (node >= 0 && state[node] === 0) {
        state[node] = 1;
        path.push(node);
        node = parentOf[node]!;
      }
      if (node >= 0 && state[node] === 1) for (let i = path.indexOf(node); i < path.length; i++) onLoop[path[i]!] = 1;
      for (const visited of path) state[visited] = 2;
      path.length = 0;
    }
    for (let entry = 0; entry < orgs.size; entry++) {
      if (onLoop[entry]) {
        this.issues.report('warning', 'CircularOrgHierarchy', at(entry), () => `the parent chain of ${quote(orgs.key(entry))} leads back to it; the parent link is ignored`);
      }
    }
    records?.acceptDeferred((entry, values) => {
      if (parentOf[entry]! < 0 || onLoop[entry]) values[columnRank] = undefined;
      return orgs.row(entry);
    });
  }
}

/** A reference column, with where its target stands when the file starts (it cannot change while the file is read). */
interface Reference {
  readonly column: ColumnPlan;
  readonly file: SdsFile;
  readonly multiple: boolean;
  readonly required: boolean;
  /** `deferred`: orgs.csv's parent links, resolved once the file is complete. */
  readonly target: KeyTable | 'absent' | 'skipped' | 'deferred';
}

/** The checks of one file's rows against the key sets. */
export class FileLinks {
  private readonly rank: number;
  private readonly key: ColumnPlan | undefined;
  private readonly table: KeyTable | undefined;
  private readonly association: readonly ColumnPlan[] | undefined;
  private readonly associationRanks: readonly number[];
  private readonly repeats: AssociationSet | undefined;
  private readonly references: readonly Reference[];
  /** Reference columns already reported as ReferencedFileNotFound. */
  private readonly missingFiles = new Set<number>();
  /** Per schema column: the entry a single reference resolved to in the current row, or -1. */
  private readonly resolved: Int32Array;
  /** users.csv as it stands while this file is read (roles and contacts mark users). */
  private readonly users: KeyTable | 'absent' | 'skipped';
  /** orgs.csv's parentSourcedId: an org with one waits for the end of the file to reach the sink. */
  private readonly parent: ColumnPlan | undefined;

  constructor(
    private readonly cross: CrossFile,
    private readonly issues: IssueLog,
    private readonly spec: FileSpec,
    private readonly plan: HeaderPlan,
    scratch: Scratch,
    /** The sink's side of the file; dropped once the file turns out unusable. */
    private records: FileSink | undefined,
  ) {
    const column = (name: string) => this.column(name);
    this.rank = fileRank(spec.name);
    this.key = spec.key === undefined ? undefined : column(spec.key);
    this.table = spec.key === undefined ? undefined : cross.createTable(spec.name);
    this.association = spec.association?.map(column);
    this.associationRanks = this.association?.map((c) => c.rank) ?? [];
    this.repeats = spec.association && new AssociationSet(scratch);
    this.references = plan.columns.flatMap((c): Reference[] => {
      const type = c.spec.type;
      if (typeof type !== 'object' || !('references' in type)) return [];
      const target = type.references === spec.name ? 'deferred' : cross.table(type.references);
      return [{ column: c, file: type.references, multiple: type.multiple === true, required: c.spec.required === true, target }];
    });
    this.resolved = new Int32Array(plan.columns.length);
    this.users = cross.table('users.csv');
    this.parent = this.references.find((r) => r.target === 'deferred')?.column;
  }

  row(values: RowValues, row: number, status: RowStatus): void {
    if (status === 'unreadable') return;
    const kept = status === 'kept';
    let entry = -1;
    if (this.key && this.table) {
      const id = values[this.key.rank];
      if (id !== undefined) {
        entry = this.table.add(id, row);
        if (entry < 0) {
          const first = this.table.row(this.table.find(id));
          this.report('error', 'DuplicateKey', row, this.key, () => `${quote(id)} is already the ${this.key!.name} of row ${first}; the first row is kept`);
          return;
        }
      }
    }
    // A repeat of an earlier row is ignored; a row that may be one is decided at the end of the file.
    if (kept && this.repeats && !this.repeats.add(values, this.associationRanks, row, () => JSON.stringify(values))) return;
    this.link(values, row, entry, kept);
  }

  /** The file's size in rows, estimated from its start: the key sets are sized for it. */
  expect(rows: number): void {
    this.table?.reserve(rows);
    this.repeats?.reserve(rows);
  }

  /**
   * The end of the file: the rows add() deferred, as repeats or in their turn. Answers the sink's
   * side of the file while it is usable (orgs.csv's deferred rows are still to come).
   */
  finish(usable: boolean): FileSink | undefined {
    if (!usable) {
      this.records?.rejectAll();
      this.records = undefined;
    }
    if (!this.repeats) return this.records;
    const names = this.association!.map((c) => c.name).join(', ');
    for (const { row, first, payload } of this.repeats.deferred()) {
      if (first < row) this.report('warning', 'DuplicateRecord', row, undefined, () => `the row repeats row ${first} (same ${names}); the repeat is ignored`);
      else this.link((JSON.parse(payload) as (string | null)[]).map((value) => value ?? undefined), row, -1, true);
    }
    this.repeats.close();
    return this.records;
  }

  /** Phase 4 of a row that is not a repeat: references, contacts, marks on the users it names. */
  private link(values: RowValues, row: number, entry: number, kept: boolean): void {
    if (kept) {
      kept = this.resolveReferences(values, row, entry);
      if (this.spec.name === 'relationships.csv') kept = this.checkContact(row, kept);
    }
    if (!kept) {
      if (entry >= 0) this.table!.flags[entry]! |= REJECTED;
      return;
    }
    if (this.spec.name === 'users.csv') {
      const has = (name: string, bit: number) => (values[this.column(name).rank] === undefined ? 0 : bit);
      this.table!.flags[entry]! |= has('givenName', HAS_GIVEN_NAME) | has('familyName', HAS_FAMILY_NAME) | has('email', HAS_EMAIL);
    } else if (this.spec.name === 'roles.csv') {
      const user = this.resolved[this.column('userSourcedId').rank]!;
      if (user >= 0 && typeof this.users !== 'string') this.users.flags[user]! |= HAS_ROLE;
    }
    if (!this.records) return;
    if (this.parent && values[this.parent.rank] !== undefined) this.records.defer(entry, values);
    else this.records.accept(row, values);
  }

  /** Phase 4 references of a kept row, in column order; answers whether the row is still kept. */
  private resolveReferences(values: RowValues, row: number, entry: number): boolean {
    let kept = true;
    this.resolved.fill(-1);
    for (const reference of this.references) {
      const { column, target } = reference;
      const value = values[column.rank];
      if (value === undefined || target === 'skipped') continue;
      if (target === 'deferred') this.cross.setOrgParent(entry, value);
      else if (target === 'absent') kept = this.absent(reference, values, row) && kept;
      else if (!reference.multiple || !value.includes(',')) {
        const found = target.find(value);
        if (found >= 0 && (target.flags[found]! & REJECTED) === 0) this.resolved[column.rank] = found;
        else kept = this.unresolved(reference, values, row, found < 0 ? [value] : [], found < 0 ? [] : [value], found < 0 ? 0 : target.row(found)) && kept;
      } else {
        const missing: string[] = [];
        const rejected: string[] = [];
        let rejectedRow = 0;
        for (const id of value.split(',')) {
          const found = target.find(id);
          if (found < 0) missing.push(id);
          else if ((target.flags[found]! & REJECTED) !== 0 && rejected.push(id) === 1) rejectedRow = target.row(found);
        }
        if (missing.length + rejected.length > 0) kept = this.unresolved(reference, values, row, missing, rejected, rejectedRow) && kept;
      }
    }
    return kept;
  }

  /** A reference into a file that was not uploaded: an error on each row for a required one, else a warning once per column and the value dropped. */
  private absent({ column, file, required }: Reference, values: RowValues, row: number): boolean {
    const value = values[column.rank]!;
    if (required) {
      this.report('error', 'ReferenceNotFound', row, column, () => `${quote(value)} cannot be found: ${file} was not uploaded`);
      return false;
    }
    if (!this.missingFiles.has(column.rank)) {
      this.missingFiles.add(column.rank);
      const at = { file: this.spec.name, rank: this.rank, column: column.name, columnRank: column.rank };
      this.issues.report('warning', 'ReferencedFileNotFound', at, () => `the column has values but ${file} was not uploaded; they are ignored`);
    }
    values[column.rank] = undefined;
    return true;
  }

  /** Ids not found or rejected: the row is dropped for a required reference, else the value. */
  private unresolved({ column, file, multiple, required }: Reference, values: RowValues, row: number, missing: string[], rejected: string[], rejectedRow: number): boolean {
    const severity = required ? 'error' : 'warning';
    const outcome = required ? '' : `; ${multiple ? 'they are' : 'the value is'} ignored`;
    if (missing.length > 0) {
      this.report(severity, 'ReferenceNotFound', row, column, () =>
        `${quote(missing.join(', '))} ${missing.length === 1 ? 'is not a sourcedId' : 'are not sourcedIds'} in ${file}${outcome}`,
      );
    }
    if (rejected.length > 0) {
      this.report(severity, 'ReferencedRecordRejected', row, column, () =>
        `${quote(rejected.join(', '))} ${rejected.length === 1 ? 'refers to a record' : 'refer to records'} of ${file} that ${rejected.length === 1 ? 'was' : 'were'} rejected (row ${rejectedRow}${rejected.length === 1 ? '' : ' and others'})${outcome}`,
      );
    }
    if (!required) values[column.rank] = undefined;
    return !required;
  }

  /** relationships.csv: marks the contact, then requires its given name, family name and e-mail. */
  private checkContact(row: number, kept: boolean): boolean {
    const column = this.column('relationshipUserSourcedId');
    const contact = this.resolved[column.rank]!;
    const users = this.users;
    if (contact < 0 || typeof users === 'string') return kept;
    users.flags[contact]! |= CONTACT;
    if (!kept) return false;
    const flags = users.flags[contact]!;
    const lacking = [
      ...(flags & HAS_GIVEN_NAME ? [] : ['givenName']),
      ...(flags & HAS_FAMILY_NAME ? [] : ['familyName']),
      ...(flags & HAS_EMAIL ? [] : ['a valid email']),
    ];
    if (lacking.length === 0) return true;
    this.report('error', 'ContactIncomplete', row, column, () =>
      `contact ${quote(users.key(contact))} (users.csv row ${users.row(contact)}) lacks ${lacking.join(', ')}; the relationship is dropped`,
    );
    return false;
  }

  private column(name: string): ColumnPlan {
    return this.plan.columns.find((c) => c.spec.name === name)!;
  }

  private report(severity: Severity, code: RuleCode, row: number, column: ColumnPlan | undefined, detail: () => string): void {
    const at: Location = { file: this.spec.name, rank: this.rank, row };
    this.issues.report(severity, code, column ? { ...at, column: column.name, columnRank: column.rank } : at, detail);
  }
}
