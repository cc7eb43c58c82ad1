// How a family serves a collection of entities: where its rows come from (a SQL relation in the
// caller's tenant), how each property maps to a column, how each navigation property reaches its
// target, and what create, update and delete do. graph/model/routes.ts turns one of these into
// every route of the collection.
import type { Permission } from '../../auth/index.js';
import type { Db, Row } from '../../db/db.js';
import type { Sql } from '../../db/sql.js';
import type { FilterNode } from '../odata/filter.js';
import type { EntityType } from './edm.js';

/** Who is asking: every relation is the caller's tenant's only. */
export interface Scope {
  db: Db;
  tenantId: string;
}

/** A property (or a path such as `fileFormat/code`) as SQL and as JSON. */
export interface Column<R extends Row = Row> {
  /** Column of the collection's relation, or a parenthesised expression over it (code only). */
  column?: string;
  /** The JSON value; default `row[column]`. */
  read?: (row: R) => unknown;
  /** The column is never NULL (simpler SQL that indexes serve); Edm nullability is the schema's. */
  notNull?: boolean;
  /** Strings compare case-insensitively in $filter unless true (Graph's directory behaviour). */
  caseSensitive?: boolean;
  /** Default: true for primitive and enum properties that have a column, false otherwise. */
  filterable?: boolean;
  sortable?: boolean;
}

/** The values a body sets, by property name; a binding `nav@odata.bind` by the navigation's name (the target's key). */
export type Values = Record<string, unknown>;

/** Why a write did not happen; answered as the Graph error it names. */
export type Refused = { notFound: true } | { error: Error };

export interface Write {
  scope: Scope;
  /** `https://host/beta`, for URLs the entity carries. */
  root: string;
  /** On create: the concrete type the body named (or the collection's only one). */
  type?: EntityType;
}

/** A single-valued navigation whose target is the entity of `target` with the key `key(row)`. */
export interface ReferenceSource<R extends Row = Row> {
  target: () => EntityCollection;
  key(row: R): string | null;
}

/** A collection-valued navigation whose targets are contained in the row (`alerts/{id}/alertIncidents`). */
export interface ContainedSource<R extends Row = Row> {
  target: () => EntityCollection;
  /** Contained collections have no entity set of their own: their rows depend on the parent. */
  contained: true;
  /** The concrete types the parent's targets have, when narrower than the target's (one alert: one incident type). */
  types?(parent: R): readonly EntityType[];
}

export type NavigationSource<R extends Row = Row> = ReferenceSource<R> | ContainedSource<R>;

export const isContained = (source: NavigationSource): source is ContainedSource => 'contained' in source;

export interface EntityCollection<R extends Row = Row> {
  /** In messages: `No ${what} with id 'x' was found.` */
  what: string;
  /** The declared type (often abstract). */
  type: EntityType;
  /** The concrete types rows can have, when the declared one is abstract or has derived types. */
  types?: readonly EntityType[];
  typeOf?(row: R): EntityType;
  /** Every property of every type in `types` (and paths used in $filter), by JSON name. */
  columns: Readonly<Record<string, Column<R>>>;
  /** The rows, as a relation over which columns are named (`SELECT … FROM t WHERE tenant_id = …`). */
  rows(scope: Scope, parent?: Row): Sql;
  navigations?: Readonly<Record<string, NavigationSource<R>>>;
  permissions: { read: Permission; write?: Permission };
  /** Checks of a list's (or $count's) options beyond the schema: PIM alerts require a scope filter. */
  checkList?(filter: FilterNode | undefined): void;
  /** POST: the new row, or why not. `values` passed the model's checks. */
  create?(write: Write, values: Values, parent?: Row): Promise<R | Refused>;
  /** PATCH: of the row (read first), or why not. */
  update?(write: Write, row: R, values: Values): Promise<void | Refused>;
  /** DELETE. */
  remove?(write: Write, row: R): Promise<void | Refused>;
  /** Checks across properties after each was read (e.g. an expiration after the start). */
  validate?(values: Values, method: 'create' | 'update', row?: R): void;
  /** The `@odata.type` a body must carry: on create (the types it may name) and on update (the row's own). */
  bodyType?: { create?: 'required' | 'optional'; update?: 'required' | 'optional' };
  /** Types Graph has that a body may name but this service does not create: a 400 saying so. */
  unsupportedTypes?: readonly string[];
}
