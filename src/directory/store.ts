// The directory tables' SQL. A tenant's imported directory is only ever replaced as a whole, in
// one transaction: readers (the scanners) see the old directory or the new one, never a mix. Rows
// a provisioner made stay (provisioned.ts). Rows go in as column arrays through unnest, CHUNK rows
// per statement, so a million users is a hundred statements on PostgreSQL and PGlite alike.
import type { Db, Queryable } from '../db/db.js';
import type { DirectoryCounts, DirectoryRows, ImportSummary } from './model.js';
import { DirectoryImportError, Problems } from './problems.js';
import { isObjectKind, type ObjectRow, type ProvisionedObjects, provisionedMembershipsOfImported, provisionedObjects, reportClashes, settleMemberships } from './provisioned.js';

const CHUNK = 10_000;

/** Key space of pg_advisory_xact_lock(int, int) for directory imports (the second key is the tenant). */
const DIRECTORY_LOCK = 0x64697220; // "dir "

type Column<R> = readonly [name: string, sqlType: string, value: (row: R) => unknown];

interface Table<R> {
  name: string;
  columns: readonly Column<R>[];
  /** Provisioners write here too: a replacement deletes only the imported rows (provisioned_by null). */
  shared?: true;
}

type Tables = { [K in keyof DirectoryRows]: Table<DirectoryRows[K][number]> };

const TABLES: Tables = {
  users: {
    name: 'directory_users',
    columns: [
      ['id', 'text', (r) => r.id],
      ['display_name', 'text', (r) => r.displayName],
      ['user_principal_name', 'text', (r) => r.userPrincipalName],
      ['mail', 'text', (r) => r.mail],
      ['employee_id', 'text', (r) => r.employeeId],
      ['account_enabled', 'boolean', (r) => r.accountEnabled],
      ['last_sign_in_at', 'timestamptz', (r) => r.lastSignInAt],
      ['created_at', 'timestamptz', (r) => r.createdAt],
    ],
    shared: true,
  },
  groups: {
    name: 'directory_groups',
    columns: [
      ['id', 'text', (r) => r.id],
      ['display_name', 'text', (r) => r.displayName],
      ['description', 'text', (r) => r.description],
      ['mail_nickname', 'text', (r) => r.mailNickname],
      ['security_enabled', 'boolean', (r) => r.securityEnabled],
      ['mail_enabled', 'boolean', (r) => r.mailEnabled],
      // jsonb, not text[]: unnest would flatten an array of arrays
      ['group_types', 'jsonb', (r) => JSON.stringify(r.groupTypes)],
      ['created_at', 'timestamptz', (r) => r.createdAt],
    ],
    shared: true,
  },
  groupMembers: {
    name: 'directory_group_members',
    columns: [
      ['group_id', 'text', (r) => r.groupId],
      ['member_id', 'text', (r) => r.memberId],
      ['role', 'text', (r) => r.role],
    ],
    shared: true,
  },
  administrativeUnits: {
    name: 'directory_administrative_units',
    columns: [
      ['id', 'text', (r) => r.id],
      ['display_name', 'text', (r) => r.displayName],
      ['description', 'text', (r) => r.description],
    ],
    shared: true,
  },
  administrativeUnitMembers: {
    name: 'directory_administrative_unit_members',
    columns: [
      ['unit_id', 'text', (r) => r.unitId],
      ['member_id', 'text', (r) => r.memberId],
    ],
    shared: true,
  },
  roles: {
    name: 'directory_roles',
    columns: [
      ['id', 'text', (r) => r.id],
      ['template_id', 'text', (r) => r.templateId],
      ['display_name', 'text', (r) => r.displayName],
      ['is_built_in', 'boolean', (r) => r.isBuiltIn],
      ['is_privileged', 'boolean', (r) => r.isPrivileged],
    ],
  },
  assignments: {
    name: 'directory_role_assignments',
    columns: [
      ['id', 'text', (r) => r.id],
      ['principal_id', 'text', (r) => r.principalId],
      ['role_id', 'text', (r) => r.roleId],
      ['directory_scope_id', 'text', (r) => r.directoryScopeId],
      ['created_at', 'timestamptz', (r) => r.createdAt],
      ['via_pim', 'boolean', (r) => r.viaPim],
      ['activated', 'boolean', (r) => r.activated],
      ['end_at', 'timestamptz', (r) => r.endAt],
    ],
  },
  eligibilities: {
    name: 'directory_role_eligibilities',
    columns: [
      ['id', 'text', (r) => r.id],
      ['principal_id', 'text', (r) => r.principalId],
      ['role_id', 'text', (r) => r.roleId],
      ['directory_scope_id', 'text', (r) => r.directoryScopeId],
      ['created_at', 'timestamptz', (r) => r.createdAt],
      ['start_at', 'timestamptz', (r) => r.startAt],
      ['end_at', 'timestamptz', (r) => r.endAt],
    ],
  },
  activations: {
    name: 'directory_role_activations',
    columns: [
      ['id', 'text', (r) => r.id],
      ['principal_id', 'text', (r) => r.principalId],
      ['role_id', 'text', (r) => r.roleId],
      ['activated_at', 'timestamptz', (r) => r.activatedAt],
      ['end_at', 'timestamptz', (r) => r.endAt],
    ],
  },
  policies: {
    name: 'directory_role_policies',
    columns: [
      ['role_id', 'text', (r) => r.roleId],
      ['mfa_required_on_activation', 'boolean', (r) => r.mfaRequiredOnActivation],
    ],
  },
  licenses: {
    name: 'directory_licenses',
    columns: [
      ['sku_id', 'text', (r) => r.skuId],
      ['sku_part_number', 'text', (r) => r.skuPartNumber],
      ['capability_status', 'text', (r) => r.capabilityStatus],
      ['grants_pim', 'boolean', (r) => r.grantsPim],
    ],
  },
};

const insertSql = (table: Table<never>) => {
  const names = table.columns.map(([name]) => name).join(', ');
  const arrays = table.columns.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ');
  return `INSERT INTO ${table.name} (tenant_id, ${names}) SELECT $1, * FROM unnest(${arrays})`;
};
const INSERT_SQL = Object.fromEntries(Object.entries(TABLES).map(([kind, table]) => [kind, insertSql(table as Table<never>)])) as Record<
  keyof DirectoryRows,
  string
>;

/** In the order they are written (groups before their members); deleted in reverse. */
export const DIRECTORY_KINDS = Object.keys(TABLES) as (keyof DirectoryRows)[];

const deleteSql = (table: Table<never>) => `DELETE FROM ${table.name} WHERE tenant_id = $1${table.shared ? ' AND provisioned_by IS NULL' : ''}`;

/**
 * Serialises the writers of one tenant's directory for the rest of the transaction: replacements,
 * and provisioners, which must take it before writing directory rows.
 */
export async function lockDirectory(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DIRECTORY_LOCK, tenantId]);
}

/** Adds rows to the directory being written; any number of calls, any batch size. */
export interface DirectoryWriter {
  insert<K extends keyof DirectoryRows>(kind: K, rows: readonly DirectoryRows[K][number][]): Promise<void>;
}

/**
 * Replaces the tenant's imported directory with what `write` inserts, in one transaction: if
 * `write` throws, the previous directory stays as it was. Concurrent replacements of one tenant
 * queue. Rows that would take a provisioned object's id or user principal name are reported at
 * their index in their kind's rows (the snapshot's paths) with DirectoryImportError.
 */
export async function replaceDirectory(db: Db, tenantId: string, write: (writer: DirectoryWriter) => Promise<void>): Promise<ImportSummary> {
  return db.transaction(async (tx) => {
    await lockDirectory(tx, tenantId);
    const kept = await provisionedMembershipsOfImported(tx, tenantId);
    for (const kind of [...DIRECTORY_KINDS].reverse()) await tx.query(deleteSql(TABLES[kind] as Table<never>), [tenantId]);
    const counts = Object.fromEntries(DIRECTORY_KINDS.map((kind) => [kind, 0])) as DirectoryCounts;
    const problems = new Problems();
    let provisioned: ProvisionedObjects | undefined;
    await write({
      async insert(kind, rows) {
        if (isObjectKind(kind)) {
          provisioned ??= await provisionedObjects(tx, tenantId);
          reportClashes(provisioned, kind, rows as readonly ObjectRow[], counts[kind], problems);
        }
        if (problems.count === 0) await insertChunks(tx, tenantId, kind, rows);
        counts[kind] += rows.length;
      },
    });
    if (problems.count > 0) throw new DirectoryImportError(problems.list());
    await settleMemberships(tx, tenantId, kept);
    const [stamp] = await tx.query<{ imported_at: string }>(
      `INSERT INTO directory_tenants (tenant_id) VALUES ($1)
       ON CONFLICT (tenant_id) DO UPDATE SET imported_at = now() RETURNING imported_at`,
      [tenantId],
    );
    return { tenantId, importedAt: stamp!.imported_at, ...counts };
  });
}

async function insertChunks<K extends keyof DirectoryRows>(tx: Queryable, tenantId: string, kind: K, rows: readonly DirectoryRows[K][number][]) {
  const table = TABLES[kind] as Table<DirectoryRows[K][number]>;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    await tx.query(INSERT_SQL[kind], [tenantId, ...table.columns.map(([, , value]) => chunk.map(value))]);
  }
}

/** Whether the tenant has a directory (an import or the demo seeded it). */
export async function hasDirectory(db: Db, tenantId: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM directory_tenants WHERE tenant_id = $1', [tenantId]);
  return rows.length > 0;
}
