// SQL as composable fragments: text and values travel together, and placeholders are numbered
// only where a statement is assembled (`compile`), so no layer counts another layer's `$n`.
//
//   const where = sql`tenant_id = ${tenantId} AND status = ${status}`;
//   db.query(...compile(sql`SELECT * FROM operations WHERE ${where} LIMIT ${10}`));
//
// A value interpolated into `sql` is always a parameter; a fragment is inlined. Identifiers and
// other trusted text (column names from code, never input) go in through `raw`.

/** A value used more than once in a statement under one placeholder (`shared`). */
class Shared {
  constructor(readonly value: unknown) {}
}

/** One parameter however often the statement names it: `($1, $2) > (…)` ties repeat `$1`, not its value. */
export const shared = (value: unknown): unknown => new Shared(value);

/** `parts.length === values.length + 1`: text, value, text, …, text. */
export interface Sql {
  readonly parts: readonly string[];
  readonly values: readonly unknown[];
}

const isSql = (value: unknown): value is Sql =>
  typeof value === 'object' && value !== null && Array.isArray((value as Sql).parts) && Array.isArray((value as Sql).values);

function build(strings: readonly string[], args: readonly unknown[]): Sql {
  const parts: string[] = [strings[0] ?? ''];
  const values: unknown[] = [];
  args.forEach((arg, i) => {
    const next = strings[i + 1] ?? '';
    if (isSql(arg)) {
      parts[parts.length - 1] = `${parts.at(-1)!}${arg.parts[0]!}`;
      for (let j = 0; j < arg.values.length; j++) {
        values.push(arg.values[j]);
        parts.push(arg.parts[j + 1]!);
      }
      parts[parts.length - 1] = `${parts.at(-1)!}${next}`;
    } else {
      values.push(arg);
      parts.push(next);
    }
  });
  return { parts, values };
}

/** A fragment: interpolated fragments are inlined, any other value becomes a parameter. */
export const sql = (strings: TemplateStringsArray, ...args: unknown[]): Sql => build(strings, args);

/** Trusted text as a fragment: column names and expressions written in code, never input. */
export const raw = (text: string): Sql => ({ parts: [text], values: [] });

export const empty: Sql = raw('');

/** The fragments separated by `separator` (trusted text). */
export function join(fragments: readonly Sql[], separator: string): Sql {
  if (fragments.length === 0) return empty;
  return build(['', ...fragments.slice(1).map(() => separator), ''], fragments);
}

/** `(a) AND (b) …`; undefined when there is nothing to AND. */
export function and(fragments: readonly (Sql | undefined)[]): Sql | undefined {
  const present = fragments.filter((f): f is Sql => f !== undefined);
  return present.length ? join(present.map((f) => sql`(${f})`), ' AND ') : undefined;
}

/** The statement's text with `$1…$n` and its values, ready for `Queryable.query(text, values)`. */
export function compile(fragment: Sql): [text: string, values: unknown[]] {
  let text = fragment.parts[0]!;
  const values: unknown[] = [];
  const numbers = new Map<Shared, number>();
  fragment.values.forEach((value, i) => {
    let n = value instanceof Shared ? numbers.get(value) : undefined;
    if (n === undefined) {
      values.push(value instanceof Shared ? value.value : value);
      n = values.length;
      if (value instanceof Shared) numbers.set(value, n);
    }
    text += `$${n}${fragment.parts[i + 1]!}`;
  });
  return [text, values];
}
