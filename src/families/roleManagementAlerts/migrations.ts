import type { Migration } from '../../db/migrations/index.js';

// PIM alerts for directory roles (issue 3), per tenant. Nothing is written when a tenant first
// reads its alerts: a missing row reads as the defaults (src/families/roleManagementAlerts/model.ts).
export const roleManagementAlerts: Migration = {
  version: 4,
  name: 'role_management_alerts',
  statements: [
    // What a tenant changed in an alert's configuration; NULL = the default, so defaults can
    // change in code without touching stored rows.
    `CREATE TABLE role_alert_configurations (
      tenant_id text NOT NULL,
      alert_name text NOT NULL,
      is_enabled boolean,
      duration_ms bigint CHECK (duration_ms >= 0),
      global_admin_count_threshold integer,
      global_admin_percentage_threshold integer,
      activation_count_threshold integer,
      activation_interval_ms bigint CHECK (activation_interval_ms > 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, alert_name)
    )`,
    // The alert itself, once it has been scanned, dismissed or reconfigured.
    `CREATE TABLE role_alert_states (
      tenant_id text NOT NULL,
      alert_name text NOT NULL,
      is_active boolean NOT NULL DEFAULT false,
      incident_count integer NOT NULL DEFAULT 0 CHECK (incident_count >= 0),
      last_modified_at timestamptz,
      last_scanned_at timestamptz,
      PRIMARY KEY (tenant_id, alert_name)
    )`,
    // The incidents of the last scan. One table for every incident type: each type fills the
    // columns of its Graph properties and leaves the others NULL. scan_id marks the scan that
    // last wrote the row; a scan deletes the rows it did not write, in the same transaction.
    `CREATE TABLE role_alert_incidents (
      tenant_id text NOT NULL,
      alert_name text NOT NULL,
      id text NOT NULL,
      scan_id text NOT NULL,
      assignee_id text,
      assignee_display_name text,
      assignee_user_principal_name text,
      role_definition_id text,
      role_display_name text,
      role_template_id text,
      assignment_created_at timestamptz,
      last_sign_in_at timestamptz,
      last_activation_at timestamptz,
      activation_count integer,
      sequence_start_at timestamptz,
      sequence_end_at timestamptz,
      tenant_license_status text,
      PRIMARY KEY (tenant_id, alert_name, id)
    )`,
  ],
};

/** The family's migrations (their versions are in the one sequence of db/migrations). */
export const migrations: readonly Migration[] = [roleManagementAlerts];
