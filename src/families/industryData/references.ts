// Reference values (`referenceValue` and its kinds) as a body gives them: by `code`, or bound to a
// reference definition with `value@odata.bind`. Either way the value stored is the code, after it
// was checked against the tenant's definitions of the value's reference type (built-in and
// tenant-defined, not disabled); a code that differs only in case is taken in the definition's spelling.
import { badRequest } from '../../errors.js';
import type { EntityCollection, Scope, Values } from '../../graph/model/collection.js';
import { compile, sql } from '../../db/sql.js';
import { rowByKey } from '../../graph/model/rows.js';
import { REFERENCE_DEFINITIONS_PATH } from './model.js';
import type { ReferenceDefinitionRow } from './store.js';

export interface ReferenceRule {
  /** The definitions' `referenceType` (RefIdentifierType, …). */
  referenceType: string;
  /** Codes taken as given without a definition (a year's code is free-form). */
  anyCode?: boolean;
  /** Codes accepted besides the definitions (a spelling Microsoft's own tools use). */
  aliases?: readonly string[];
}

/** The definition of `code` in `referenceType`: the exact spelling, else one that differs in case only (`paraProfessional`). */
async function byCode(scope: Scope, definitions: EntityCollection, referenceType: string, code: string): Promise<ReferenceDefinitionRow | undefined> {
  const [row] = await scope.db.query<ReferenceDefinitionRow>(
    ...compile(sql`SELECT * FROM (${definitions.rows(scope)}) v WHERE v.reference_type = ${referenceType} AND lower(v.code) = lower(${code})
      ORDER BY v.code = ${code} DESC LIMIT 1`),
  );
  return row;
}

const listed = (referenceType: string) => `GET /${REFERENCE_DEFINITIONS_PATH}?$filter=referenceType eq '${referenceType}' lists them`;

/** The code `value` (a referenceValue as read from a body at `target`) names; a 400 when it names none. */
export async function referenceCode(scope: Scope, definitions: EntityCollection, value: Values, target: string, rule: ReferenceRule): Promise<string> {
  const code = value.code as string | undefined;
  const bound = value.value as string | undefined;
  const { referenceType } = rule;
  if (bound !== undefined) {
    const bindTarget = `${target}.value@odata.bind`;
    if (!bound.startsWith(`${referenceType}-`)) throw badRequest(`'${target}' takes a ${referenceType} definition; '${bound}' is not one.`, bindTarget);
    const row = (await rowByKey(scope, definitions, bound)) as ReferenceDefinitionRow | undefined;
    if (!row) throw badRequest(`The reference definition '${bound}' bound by '${bindTarget}' does not exist; ${listed(referenceType)}.`, bindTarget);
    if (row.is_disabled) throw badRequest(`The reference definition '${bound}' bound by '${bindTarget}' is disabled.`, bindTarget);
    if (code !== undefined && code !== row.code) throw badRequest(`'${target}.code' is '${code}', but '${bindTarget}' binds '${bound}'.`, `${target}.code`);
    return row.code;
  }
  if (code === undefined) throw badRequest(`'${target}' needs 'code' or 'value@odata.bind'.`, `${target}.code`);
  if (rule.anyCode || rule.aliases?.includes(code)) return code;
  const row = await byCode(scope, definitions, referenceType, code);
  if (!row) throw badRequest(`Invalid value for '${target}.code': '${code}' is not a ${referenceType} code; ${listed(referenceType)}.`, `${target}.code`);
  if (row.is_disabled) throw badRequest(`Invalid value for '${target}.code': the ${referenceType} code '${code}' is disabled.`, `${target}.code`);
  return row.code;
}
