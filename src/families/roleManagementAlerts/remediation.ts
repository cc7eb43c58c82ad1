// What remediating an incident does to the directory (the in-portal mitigation of each alert).
// Runs inside the remediate transaction; the incident row is removed by the caller.
import type { Queryable } from '../../db/db.js';
import type { AlertName } from './model.js';
import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID } from './model.js';
import type { IncidentRow } from './store.js';

type Remediation = (tx: Queryable, tenantId: string, incident: IncidentRow) => Promise<void>;

const TABLES = ['directory_role_assignments', 'directory_role_eligibilities'] as const;

/** Removes the principal from the role: its active assignments and its eligibilities. */
const removeAssigneeFromIncidentRole: Remediation = async (tx, tenantId, incident) => {
  for (const table of TABLES) {
    await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND principal_id = $2 AND role_id = $3`, [
      tenantId,
      incident.assignee_id,
      incident.role_definition_id,
    ]);
  }
};

/** Only the alerts whose definition is remediatable have an entry. */
export const REMEDIATIONS: Partial<Record<AlertName, Remediation>> = {
  // Require MFA on activation of the role (the policy row is created if the role had none).
  NoMfaOnRoleActivationAlert: async (tx, tenantId, incident) => {
    await tx.query(
      `INSERT INTO directory_role_policies (tenant_id, role_id, mfa_required_on_activation) VALUES ($1, $2, true)
       ON CONFLICT (tenant_id, role_id) DO UPDATE SET mfa_required_on_activation = true`,
      [tenantId, incident.id],
    );
  },
  // Remove the user from the role they do not activate / do not sign in to use.
  RedundantAssignmentAlert: removeAssigneeFromIncidentRole,
  StaleSignInAlert: removeAssigneeFromIncidentRole,
  // Remove the direct assignment the incident is (an eligibility made through PIM stays).
  RolesAssignedOutsidePimAlert: async (tx, tenantId, incident) => {
    await tx.query(`DELETE FROM directory_role_assignments WHERE tenant_id = $1 AND id = $2`, [tenantId, incident.id]);
  },
  // Remove the user from Global Administrator.
  TooManyGlobalAdminsAssignedToTenantAlert: async (tx, tenantId, incident) => {
    for (const table of TABLES) {
      await tx.query(
        `DELETE FROM ${table} WHERE tenant_id = $1 AND principal_id = $2
           AND role_id IN (SELECT id FROM directory_roles WHERE tenant_id = $1 AND template_id = $3)`,
        [tenantId, incident.assignee_id, GLOBAL_ADMINISTRATOR_TEMPLATE_ID],
      );
    }
  },
};
