// Fragments as the statement that holds them numbers them: after the parameters already in `params`.
import type { Sql } from '../../../src/db/sql.js';
import { compile } from '../../../src/db/sql.js';

/** The fragment's text numbered after `params`, whose values are appended to `params`. */
export function numberedAfter(params: unknown[], fragment: Sql): string {
  const [text, values] = compile(fragment);
  const offset = params.length;
  params.push(...values);
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
