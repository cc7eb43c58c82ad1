// What replacing a directory does with the rows a provisioner made (provisioned_by set: users,
// groups, administrative units, memberships School Data Sync created). They stay, so:
// - an imported user, group or unit may not take a provisioned one's id, nor a user its user
//   principal name: the replacement is rejected, naming both;
// - a provisioner's membership of an imported group or unit survives the group's replacement
//   when the new directory has the group again (the old row's delete cascades; it is put back);
// - a provisioner's membership whose member (a user or a group) is gone, goes.
import type { Queryable } from '../db/db.js';
import type { DirectoryRows } from './model.js';
import type { Problems } from './problems.js';

type ObjectKind = 'users' | 'groups' | 'administrativeUnits';
const OBJECT_NOUN: Record<ObjectKind, string> = { users: 'user', groups: 'group', administrativeUnits: 'administrative unit' };

/** A user's, group's or administrative unit's row as a replacement writes it. */
export type ObjectRow = { id: string; userPrincipalName?: string };

interface Provisioned {
  id: string;
  provisionedBy: string;
}

/** The tenant's provisioned users (also by lower-case user principal name), groups and units. */
export interface ProvisionedObjects {
  byId: Record<ObjectKind, Map<string, Provisioned>>;
  userByUpn: Map<string, Provisioned>;
}

export async function provisionedObjects(tx: Queryable, tenantId: string): Promise<ProvisionedObjects> {
  const rows = await tx.query<{ kind: ObjectKind; id: string; upn: string | null; provisioned_by: string }>(
    `SELECT 'users' AS kind, id, lower(user_principal_name) AS upn, provisioned_by FROM directory_users WHERE tenant_id = $1 AND provisioned_by IS NOT NULL
     UNION ALL SELECT 'groups', id, NULL, provisioned_by FROM directory_groups WHERE tenant_id = $1 AND provisioned_by IS NOT NULL
     UNION ALL SELECT 'administrativeUnits', id, NULL, provisioned_by FROM directory_administrative_units WHERE tenant_id = $1 AND provisioned_by IS NOT NULL`,
    [tenantId],
  );
  const found: ProvisionedObjects = { byId: { users: new Map(), groups: new Map(), administrativeUnits: new Map() }, userByUpn: new Map() };
  for (const r of rows) {
    const object = { id: r.id, provisionedBy: r.provisioned_by };
    found.byId[r.kind].set(r.id, object);
    if (r.upn !== null) found.userByUpn.set(r.upn, object);
  }
  return found;
}

export const isObjectKind = (kind: keyof DirectoryRows): kind is ObjectKind => kind in OBJECT_NOUN;

/**
 * Reports the rows that would take a provisioned object's id or user principal name, at the
 * paths of the snapshot's collection (named as the kind); `offset` is rows[0]'s index in it.
 */
export function reportClashes(
  provisioned: ProvisionedObjects,
  kind: ObjectKind,
  rows: readonly ObjectRow[],
  offset: number,
  problems: Problems,
): void {
  const noun = OBJECT_NOUN[kind];
  rows.forEach((row, i) => {
    const taken = provisioned.byId[kind].get(row.id);
    if (taken) problems.add(`${kind}[${offset + i}].id`, `'${row.id}' is a ${noun} provisioned by '${taken.provisionedBy}', which an import keeps`);
    const owner = row.userPrincipalName === undefined ? undefined : provisioned.userByUpn.get(row.userPrincipalName.toLowerCase());
    if (owner && owner.id !== row.id) {
      problems.add(`${kind}[${offset + i}].userPrincipalName`, `'${row.userPrincipalName}' is the user principal name of user '${owner.id}', provisioned by '${owner.provisionedBy}', which an import keeps`);
    }
  });
}

const MEMBERSHIPS = [
  { table: 'directory_group_members', container: 'directory_groups', key: 'group_id', columns: ['group_id', 'member_id', 'role', 'provisioned_by'] },
  { table: 'directory_administrative_unit_members', container: 'directory_administrative_units', key: 'unit_id', columns: ['unit_id', 'member_id', 'provisioned_by'] },
] as const;

type Kept = Record<string, unknown>[][];

/** A provisioner's memberships of imported groups and units: read before those are deleted. */
export async function provisionedMembershipsOfImported(tx: Queryable, tenantId: string): Promise<Kept> {
  const kept: Kept = [];
  for (const { table, container, key, columns } of MEMBERSHIPS) {
    kept.push(
      await tx.query(
        `SELECT ${columns.map((c) => `m.${c}`).join(', ')} FROM ${table} m
         JOIN ${container} c ON c.tenant_id = m.tenant_id AND c.id = m.${key} AND c.provisioned_by IS NULL
         WHERE m.tenant_id = $1 AND m.provisioned_by IS NOT NULL`,
        [tenantId],
      ),
    );
  }
  return kept;
}

/**
 * Puts back the kept memberships whose group or unit the new directory has (a membership the
 * import also made stays the import's), then deletes the provisioned memberships whose member is
 * neither a user nor a group any more.
 */
export async function settleMemberships(tx: Queryable, tenantId: string, kept: Kept): Promise<void> {
  for (const [i, { table, container, key, columns }] of MEMBERSHIPS.entries()) {
    const rows = kept[i]!;
    if (rows.length > 0) {
      await tx.query(
        `INSERT INTO ${table} (tenant_id, ${columns.join(', ')})
         SELECT $1, k.* FROM unnest(${columns.map((_, n) => `$${n + 2}::text[]`).join(', ')}) AS k(${columns.join(', ')})
         WHERE EXISTS (SELECT 1 FROM ${container} c WHERE c.tenant_id = $1 AND c.id = k.${key})
         ON CONFLICT DO NOTHING`,
        [tenantId, ...columns.map((c) => rows.map((r) => r[c]))],
      );
    }
    await tx.query(
      `DELETE FROM ${table} m WHERE m.tenant_id = $1 AND m.provisioned_by IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM directory_users u WHERE u.tenant_id = $1 AND u.id = m.member_id)
         AND NOT EXISTS (SELECT 1 FROM directory_groups g WHERE g.tenant_id = $1 AND g.id = m.member_id)`,
      [tenantId],
    );
  }
}
