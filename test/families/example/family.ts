// A third family, the smallest that uses every part of the contract (docs/adding-a-family.md walks
// through it): one declared entity type, its collection over a table of its own (a migration),
// its permissions, an action bound to the collection that starts a long-running operation, and
// that operation's handler. Not a Graph API, so it is not shipped: the tests serve it.
import type { Migration } from '../../../src/db/migrations/index.js';
import { compile, sql } from '../../../src/db/sql.js';
import type { HandlerDefinition } from '../../../src/engine/index.js';
import type { Family } from '../../../src/families/family.js';
import type { BoundAction } from '../../../src/graph/model/action.js';
import type { EntityCollection } from '../../../src/graph/model/collection.js';
import { ENTITY, entityType } from '../../../src/graph/model/edm.js';
import { LONG_RUNNING_OPERATION } from '../../../src/graph/model/types.js';
import { acceptedOperation } from '../../../src/graph/operations.js';

const FAMILY = 'notes';
const NS = 'example.notes';
const ROOT = 'example/notes';
const SUMMARIZE_KIND = 'notes.summarize';

// 1. The types, as the API's schema names them.
export const noteType = entityType(NS, 'note', {
  baseType: ENTITY,
  properties: {
    text: { type: 'Edm.String', required: true, maxLength: 200 },
    createdDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
  },
});
const notebookType = entityType(NS, 'notebook', {
  navigations: {
    items: { type: () => noteType, collection: true, containsTarget: true },
    operations: { type: () => LONG_RUNNING_OPERATION, collection: true, containsTarget: true },
  },
});

// 2. Its table.
const migrations: Migration[] = [
  {
    version: 1000,
    name: 'example_notes',
    statements: [
      `CREATE TABLE example_notes (
        tenant_id text NOT NULL,
        id text NOT NULL DEFAULT gen_random_uuid()::text,
        text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, id)
      )`,
    ],
  },
];

// 3. Its permissions (both kinds of token alike).
const read = { delegated: ['Notes.Read', 'Notes.ReadWrite'], application: ['Notes.Read', 'Notes.ReadWrite'] };
const write = { delegated: ['Notes.ReadWrite'], application: ['Notes.ReadWrite'] };

// 4. The collection: its rows in the caller's tenant, its columns, and its writes.
const notes: EntityCollection = {
  what: 'note',
  type: noteType,
  columns: { id: { column: 'id', notNull: true }, text: { column: 'text', notNull: true }, createdDateTime: { column: 'created_at', notNull: true } },
  rows: (scope) => sql`SELECT id, text, created_at FROM example_notes WHERE tenant_id = ${scope.tenantId}`,
  permissions: { read, write },
  async create({ scope }, values) {
    const [row] = await scope.db.query(...compile(sql`INSERT INTO example_notes (tenant_id, text) VALUES (${scope.tenantId}, ${values.text}) RETURNING id, text, created_at`));
    return row!;
  },
  async update({ scope }, row, values) {
    await scope.db.query(...compile(sql`UPDATE example_notes SET text = ${values.text} WHERE tenant_id = ${scope.tenantId} AND id = ${row.id}`));
  },
  async remove({ scope }, row) {
    await scope.db.query(...compile(sql`DELETE FROM example_notes WHERE tenant_id = ${scope.tenantId} AND id = ${row.id}`));
  },
};

// 5. An action that starts a long-running operation, and the handler that runs it.
const actions: BoundAction[] = [
  {
    kind: 'action',
    namespace: NS,
    name: 'summarize',
    binding: noteType,
    collection: true,
    permission: write,
    async invoke({ services, scope, root, reply }) {
      const { operation } = await services.engine.create({ tenantId: scope.tenantId, family: FAMILY, kind: SUMMARIZE_KIND, dedupeKey: 'summarize', input: { root } });
      return acceptedOperation(reply, root, `${ROOT}/operations`, operation);
    },
  },
];

const summarize: HandlerDefinition = {
  async handle(ctx) {
    const [row] = await ctx.db.query<{ notes: number; words: number }>(
      ...compile(sql`SELECT count(*)::int AS notes, COALESCE(sum(array_length(regexp_split_to_array(trim(text), '\\s+'), 1)), 0)::int AS words
        FROM example_notes WHERE tenant_id = ${ctx.operation.tenantId}`),
    );
    return { statusDetail: `${row!.notes} notes, ${row!.words} words.`, resourceLocation: `${(ctx.operation.input as { root: string }).root}/${ROOT}/items` };
  },
};

// 6. The family, as the server starts it.
export const notesFamily: Family = {
  name: FAMILY,
  migrations,
  start: () => ({
    name: FAMILY,
    singletons: [{ name: 'example', type: entityType(NS, 'example', { navigations: { notes: { type: () => notebookType, containsTarget: true } } }) }],
    sets: [{ path: `${ROOT}/items`, collection: notes }],
    actions,
    operations: { family: FAMILY, path: `${ROOT}/operations`, permission: read },
    handlers: { [SUMMARIZE_KIND]: summarize },
    stop: async () => undefined,
  }),
};
