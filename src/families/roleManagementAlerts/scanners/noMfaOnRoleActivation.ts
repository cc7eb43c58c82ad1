// NoMfaOnRoleActivationAlert — one incident per privileged role whose activation policy
// explicitly does not require MFA (mfa_required_on_activation false); a role without a policy
// row has PIM's default, which requires MFA. Incident id = the role definition id.
import { sql } from '../../../db/sql.js';
import type { Scanner } from './scanner.js';

export const noMfaOnRoleActivation: Scanner = {
  columns: ['role_definition_id', 'role_display_name', 'role_template_id'],
  select: ({ tenantId, now }) => sql`
    SELECT r.id, r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id
    FROM directory_role_policies p
    JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = p.role_id AND r.is_privileged
    WHERE p.tenant_id = ${tenantId} AND NOT p.mfa_required_on_activation AND ${now} IS NOT NULL`,
};
