import type { Migration } from './index.js';

// The tenant directory the PIM alert scanners read (issue 3): per tenant, replaced as a whole
// by an import. Shapes follow Graph's objects; only what the scanners and remediation need.
export const directory: Migration = {
  version: 2,
  name: 'directory',
  statements: [
    `CREATE TABLE directory_users (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      user_principal_name text NOT NULL,
      account_enabled boolean NOT NULL DEFAULT true,
      last_sign_in_at timestamptz,
      created_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    // Role definitions of the tenant: the built-in catalogue plus custom roles. For built-in
    // roles id = template_id, as in Graph.
    `CREATE TABLE directory_roles (
      tenant_id text NOT NULL,
      id text NOT NULL,
      template_id text NOT NULL,
      display_name text NOT NULL,
      is_built_in boolean NOT NULL,
      is_privileged boolean NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    // Active assignments (unifiedRoleAssignment / roleAssignmentScheduleInstance). via_pim is false
    // for an assignment made directly, outside PIM; activated is true for the time-bound active
    // assignment an activation of an eligible role creates.
    `CREATE TABLE directory_role_assignments (
      tenant_id text NOT NULL,
      id text NOT NULL,
      principal_id text NOT NULL,
      role_id text NOT NULL,
      directory_scope_id text NOT NULL DEFAULT '/',
      created_at timestamptz NOT NULL,
      via_pim boolean NOT NULL,
      activated boolean NOT NULL DEFAULT false,
      end_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE INDEX directory_role_assignments_role ON directory_role_assignments (tenant_id, role_id)`,
    `CREATE INDEX directory_role_assignments_principal ON directory_role_assignments (tenant_id, principal_id)`,
    // Eligible assignments (roleEligibilitySchedule).
    `CREATE TABLE directory_role_eligibilities (
      tenant_id text NOT NULL,
      id text NOT NULL,
      principal_id text NOT NULL,
      role_id text NOT NULL,
      directory_scope_id text NOT NULL DEFAULT '/',
      created_at timestamptz NOT NULL,
      start_at timestamptz,
      end_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE INDEX directory_role_eligibilities_principal ON directory_role_eligibilities (tenant_id, principal_id, role_id)`,
    // Activations of eligible roles (roleAssignmentScheduleRequest, action selfActivate, granted).
    `CREATE TABLE directory_role_activations (
      tenant_id text NOT NULL,
      id text NOT NULL,
      principal_id text NOT NULL,
      role_id text NOT NULL,
      activated_at timestamptz NOT NULL,
      end_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE INDEX directory_role_activations_subject ON directory_role_activations (tenant_id, principal_id, role_id, activated_at)`,
    // The activation policy of each role (roleManagementPolicy rules): whether MFA is required.
    `CREATE TABLE directory_role_policies (
      tenant_id text NOT NULL,
      role_id text NOT NULL,
      mfa_required_on_activation boolean NOT NULL,
      PRIMARY KEY (tenant_id, role_id)
    )`,
    // Licences (subscribedSku). grants_pim: one of its service plans is Entra ID P2 or ID Governance.
    `CREATE TABLE directory_licenses (
      tenant_id text NOT NULL,
      sku_id text NOT NULL,
      sku_part_number text NOT NULL,
      capability_status text NOT NULL,
      grants_pim boolean NOT NULL,
      PRIMARY KEY (tenant_id, sku_id)
    )`,
    // One row per tenant that has a directory; imported_at tells when it was last replaced.
    `CREATE TABLE directory_tenants (
      tenant_id text PRIMARY KEY,
      imported_at timestamptz NOT NULL DEFAULT now()
    )`,
  ],
};
