// Collecting what is wrong with an input, each problem with the path to the offending value
// (`roleAssignments[12].roleDefinitionId: unknown role 'x'`), and typed reads of JSON values that
// report instead of throwing.

/** A snapshot rejected as a whole: nothing was imported. */
export class DirectoryImportError extends Error {
  constructor(readonly problems: string[]) {
    super(`the directory snapshot was rejected, nothing was imported:\n  ${problems.join('\n  ')}`);
    this.name = 'DirectoryImportError';
  }
}

export class Problems {
  private readonly kept: string[] = [];
  private total = 0;

  constructor(private readonly cap = 100) {}

  add(path: string, message: string): void {
    this.total++;
    if (this.kept.length < this.cap) this.kept.push(`${path}: ${message}`);
  }

  get count(): number {
    return this.total;
  }

  /** The problems kept, and a last line with how many more there were. */
  list(): string[] {
    const rest = this.total - this.kept.length;
    return rest > 0 ? [...this.kept, `… and ${rest} more problem${rest === 1 ? '' : 's'}`] : [...this.kept];
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** ISO 8601 date and time with a zone, as Graph writes DateTimeOffset; no 30 February. */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60 && Number(m[7] ?? 0) < 24 && Number(m[8] ?? 0) < 60;
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** An ISO 8601 duration in weeks, days, hours, minutes, seconds (PT8H, P30D) to milliseconds. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** Reads the properties of one JSON object, reporting what is missing or of the wrong type. */
export class Fields {
  private readonly before: number;

  constructor(
    private readonly problems: Problems,
    readonly path: string,
    private readonly value: Record<string, unknown>,
  ) {
    this.before = problems.count;
  }

  /** Whether reading this object found no problem so far. */
  get ok(): boolean {
    return this.problems.count === this.before;
  }

  private get(name: string, required: boolean): unknown {
    const value = this.value[name];
    if (value === undefined && required) this.problems.add(`${this.path}.${name}`, 'required');
    return value;
  }

  /** Reports what is wrong with the property `name`. */
  problem(name: string, message: string): undefined {
    this.problems.add(`${this.path}.${name}`, message);
    return undefined;
  }

  private wrong(name: string, expected: string, value: unknown): undefined {
    return this.problem(name, `expected ${expected}, got ${describe(value)}`);
  }

  string(name: string, required: true, maxLength?: number): string;
  string(name: string, required?: false, maxLength?: number): string | undefined;
  string(name: string, required = false, maxLength = Infinity): string | undefined {
    const value = this.get(name, required);
    if (value === undefined || (value === null && !required)) return undefined;
    if (typeof value !== 'string') return this.wrong(name, 'a string', value);
    if (required && value.trim() === '') return this.problem(name, 'must not be empty');
    if (value.length > maxLength) return this.problem(name, `longer than ${maxLength} characters`);
    return value;
  }

  boolean(name: string, required: true): boolean;
  boolean(name: string, required?: false): boolean | undefined;
  boolean(name: string, required = false): boolean | undefined {
    const value = this.get(name, required);
    if (value === undefined) return undefined;
    return typeof value === 'boolean' ? value : this.wrong(name, 'true or false', value);
  }

  oneOf<T extends string>(name: string, values: readonly T[], required: boolean): T | undefined {
    const value = this.string(name, required as false);
    if (value === undefined || values.includes(value as T)) return value as T | undefined;
    this.problems.add(`${this.path}.${name}`, `'${value}' is not one of ${values.join(', ')}`);
    return undefined;
  }

  /** A DateTimeOffset; null and absent are both "none" unless required. */
  dateTime(name: string, required: true): string;
  dateTime(name: string, required?: false): string | null;
  dateTime(name: string, required = false): string | null {
    const value = this.string(name, required as false);
    if (value === undefined) return null;
    if (isDateTime(value)) return value;
    this.problems.add(`${this.path}.${name}`, `malformed date '${value}' (expected ISO 8601 such as 2024-05-01T08:00:00Z)`);
    return null;
  }

  duration(name: string): string | null {
    const value = this.string(name);
    if (value === undefined) return null;
    if (durationMs(value) !== undefined) return value;
    this.problems.add(`${this.path}.${name}`, `malformed duration '${value}' (expected ISO 8601 in weeks, days, hours, minutes, seconds, e.g. PT8H)`);
    return null;
  }

  object(name: string, required = false): Fields | undefined {
    const value = this.get(name, required);
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return this.wrong(name, 'an object', value);
    return new Fields(this.problems, `${this.path}.${name}`, value);
  }

  array(name: string, required = false): unknown[] | undefined {
    const value = this.get(name, required);
    if (value === undefined || (value === null && !required)) return undefined;
    return Array.isArray(value) ? value : this.wrong(name, 'an array', value);
  }
}
