// Graph answers 400 to a list of alerts, definitions or configurations whose $filter does not
// restrict the scope (spec §3.5): `scopeId eq '/' and scopeType eq 'DirectoryRole'`, to which
// other conditions may be and-ed.
import { GraphError } from '../../../graph/errors.js';
import { MAX_PAGE_SIZE } from '../../../graph/list.js';
import type { FilterNode } from '../../../graph/odata/filter.js';
import { parseQueryOptions } from '../../../graph/odata/query.js';
import type { ResourceSpec } from '../../../graph/odata/resource.js';
import { SCOPE_ID, SCOPE_TYPE } from '../model.js';

const conjuncts = (node: FilterNode): FilterNode[] => (node.kind === 'and' ? node.operands.flatMap(conjuncts) : [node]);

const requires = (parts: FilterNode[], property: string, value: string) =>
  parts.some((p) => p.kind === 'compare' && p.op === 'eq' && p.property === property && p.value.type === 'string' && p.value.value.toLowerCase() === value.toLowerCase());

const MESSAGE = `The $filter query option must restrict the scope: $filter=scopeId eq '${SCOPE_ID}' and scopeType eq '${SCOPE_TYPE}' (other conditions may be added with 'and').`;

/** Checks the query (every option, as the list will) and that $filter names the scope. */
export function requireScopeFilter(query: Record<string, unknown>, spec: ResourceSpec): void {
  const { filter } = parseQueryOptions(query, spec, { collection: true, maxTop: MAX_PAGE_SIZE });
  const parts = filter ? conjuncts(filter) : [];
  if (requires(parts, 'scopeId', SCOPE_ID) && requires(parts, 'scopeType', SCOPE_TYPE)) return;
  throw new GraphError(400, 'BadRequest', MESSAGE, {
    target: '$filter',
    details: [{ code: 'MissingProvider', message: 'No scope was given: filter on scopeId and scopeType.', target: '$filter' }],
  });
}
