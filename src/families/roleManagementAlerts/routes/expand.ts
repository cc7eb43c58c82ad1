// $expand of alerts (alertConfiguration, alertDefinition, alertIncidents, `*`) and of
// configurations (alertDefinition). Expanded incidents are paged like the incidents list: nested
// $top is the page size (default 100), and `alertIncidents@odata.nextLink` continues with the
// same nested options.
import type { Db } from '../../../db/db.js';
import { DEFAULT_PAGE_SIZE } from '../../../graph/list.js';
import type { ExpandItem } from '../../../graph/odata/query.js';
import { makeSkiptoken, queryFingerprint } from '../../../graph/odata/skiptoken.js';
import { effectiveSort, filterToSql, orderByToSql } from '../../../graph/odata/sql.js';
import { ALERTS_PATH } from '../model.js';
import { anyIncidentSpec, configurationJson, definitionJson, incidentJson, incidentValues } from '../resources.js';
import type { AlertRow } from '../store.js';
import { countIncidents, listIncidents } from '../store.js';

/** Splits on `sep` outside parentheses and quoted strings. */
function split(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === sep) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** The nested options of `nav` in the request's (already validated) $expand, as written. */
export function nestedOptions(query: Record<string, unknown>, nav: string): [string, string][] {
  const raw = Object.entries(query).find(([name]) => /^\$?expand$/i.test(name))?.[1];
  if (typeof raw !== 'string') return [];
  const item = split(raw, ',').find((i) => i.startsWith(`${nav}(`) || i.startsWith(`${nav} (`));
  if (!item) return [];
  const inner = item.slice(item.indexOf('(') + 1, item.lastIndexOf(')'));
  return split(inner, ';')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      return [name.startsWith('$') ? name : `$${name}`, pair.slice(eq + 1).trim()];
    });
}

async function incidentsOf(db: Db, tenantId: string, row: AlertRow, item: ExpandItem, root: string, query: Record<string, unknown>) {
  const name = row.alert_name;
  // The options were checked against the alert's (or, in a list, any alert's) incident type;
  // every incident property maps to the same column whatever the type.
  const spec = anyIncidentSpec;
  const o = item.options;
  const pageSize = o.top ?? DEFAULT_PAGE_SIZE;
  const sort = effectiveSort(o.orderby, spec);
  const params: unknown[] = [null, null];
  const where = o.filter ? filterToSql(o.filter, spec, params) : undefined;
  const page = { where, params: params.slice(2) };
  const [rows, count] = await Promise.all([
    pageSize === 0 ? [] : listIncidents(db, tenantId, name, { ...page, orderBy: orderByToSql(sort, spec), limit: pageSize + 1 }),
    o.count ? countIncidents(db, tenantId, name, page) : undefined,
  ]);
  const json: Record<string, unknown> = { 'alertIncidents@odata.context': `${root}/$metadata#${ALERTS_PATH}('${row.id}')/alertIncidents` };
  if (count !== undefined) json['alertIncidents@odata.count'] = count;
  const shown = rows.slice(0, pageSize);
  json.alertIncidents = shown.map((r) => incidentJson(name, r, o.select));
  if (rows.length > pageSize) {
    const search = new URLSearchParams(nestedOptions(query, 'alertIncidents'));
    search.set('$skiptoken', makeSkiptoken(sort, incidentValues(shown.at(-1)!), queryFingerprint(o)));
    json['alertIncidents@odata.nextLink'] = `${root}/${ALERTS_PATH}/${row.id}/alertIncidents?${search.toString().replace(/%24/g, '$')}`;
  }
  return json;
}

/** The expanded navigation properties of each alert, in the order asked for. */
export async function alertExpansions(
  db: Db,
  tenantId: string,
  rows: readonly AlertRow[],
  expand: readonly ExpandItem[],
  root: string,
  query: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  return Promise.all(
    rows.map(async (row) => {
      let json: Record<string, unknown> = {};
      for (const item of expand) {
        const select = item.options.select;
        if (item.property === 'alertConfiguration') json.alertConfiguration = configurationJson(row, select);
        else if (item.property === 'alertDefinition') json.alertDefinition = definitionJson(tenantId, row.alert_name, select);
        else if (item.property === 'alertIncidents') json = { ...json, ...(await incidentsOf(db, tenantId, row, item, root, query)) };
      }
      return json;
    }),
  );
}

export function configurationExpansions(tenantId: string, rows: readonly AlertRow[], expand: readonly ExpandItem[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const json: Record<string, unknown> = {};
    for (const item of expand) if (item.property === 'alertDefinition') json.alertDefinition = definitionJson(tenantId, row.alert_name, item.options.select);
    return json;
  });
}
