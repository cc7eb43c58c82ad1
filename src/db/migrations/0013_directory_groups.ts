import type { Migration } from './index.js';

// What School Data Sync (issue 13) matches people to and provisions into the tenant directory:
// users' mail and employeeId, groups and administrative units with their members. A row with
// provisioned_by set was created by that industry data provisioning flow, not by an import; an
// import replaces the imported rows only (docs/directory.md). source_key is the provisioner's own
// stable key for its object, unique per flow.
export const directoryGroups: Migration = {
  version: 13,
  name: 'directory_groups',
  statements: [
    `ALTER TABLE directory_users
      ADD COLUMN mail text,
      ADD COLUMN employee_id text,
      ADD COLUMN provisioned_by text,
      ADD COLUMN source_key text`,
    // Matching people by each of Graph's keys, set-based. A user principal name is unique in a
    // tenant regardless of case, as in Entra; mail and employeeId need not be.
    `CREATE UNIQUE INDEX directory_users_upn ON directory_users (tenant_id, lower(user_principal_name))`,
    `CREATE INDEX directory_users_mail ON directory_users (tenant_id, lower(mail))`,
    `CREATE INDEX directory_users_employee_id ON directory_users (tenant_id, employee_id)`,
    `CREATE UNIQUE INDEX directory_users_source ON directory_users (tenant_id, provisioned_by, source_key)
      WHERE provisioned_by IS NOT NULL AND source_key IS NOT NULL`,
    // created_at: Graph's createdDateTime; null when an import does not say.
    `CREATE TABLE directory_groups (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      description text,
      mail_nickname text NOT NULL,
      security_enabled boolean NOT NULL,
      mail_enabled boolean NOT NULL,
      group_types jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz,
      provisioned_by text,
      source_key text,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE UNIQUE INDEX directory_groups_source ON directory_groups (tenant_id, provisioned_by, source_key)
      WHERE provisioned_by IS NOT NULL AND source_key IS NOT NULL`,
    // member_id is a user's or a group's id (no foreign key: either table).
    `CREATE TABLE directory_group_members (
      tenant_id text NOT NULL,
      group_id text NOT NULL,
      member_id text NOT NULL,
      role text NOT NULL CHECK (role IN ('member', 'owner')),
      provisioned_by text,
      PRIMARY KEY (tenant_id, group_id, member_id, role),
      FOREIGN KEY (tenant_id, group_id) REFERENCES directory_groups (tenant_id, id) ON DELETE CASCADE
    )`,
    `CREATE INDEX directory_group_members_member ON directory_group_members (tenant_id, member_id)`,
    // Graph's administrativeUnit has no createdDateTime: created_at is set by provisioners only.
    `CREATE TABLE directory_administrative_units (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      description text,
      created_at timestamptz,
      provisioned_by text,
      source_key text,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE UNIQUE INDEX directory_administrative_units_source ON directory_administrative_units (tenant_id, provisioned_by, source_key)
      WHERE provisioned_by IS NOT NULL AND source_key IS NOT NULL`,
    `CREATE TABLE directory_administrative_unit_members (
      tenant_id text NOT NULL,
      unit_id text NOT NULL,
      member_id text NOT NULL,
      provisioned_by text,
      PRIMARY KEY (tenant_id, unit_id, member_id),
      FOREIGN KEY (tenant_id, unit_id) REFERENCES directory_administrative_units (tenant_id, id) ON DELETE CASCADE
    )`,
    `CREATE INDEX directory_administrative_unit_members_member ON directory_administrative_unit_members (tenant_id, member_id)`,
  ],
};
