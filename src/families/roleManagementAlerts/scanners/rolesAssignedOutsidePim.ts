// RolesAssignedOutsidePimAlert — one incident per active assignment of a privileged role made
// outside PIM (via_pim false) during the last 30 days (created at or after now − 30 days) that
// has not ended. Disabled accounts are reported too: the grant itself is the finding. Incident
// id = the assignment id.
import { sql } from '../../../db/sql.js';
import { OUTSIDE_PIM_LOOKBACK_MS } from '../model.js';
import type { Scanner } from './scanner.js';
import { before } from './scanner.js';

export const rolesAssignedOutsidePim: Scanner = {
  columns: [
    'assignee_id', 'assignee_display_name', 'assignee_user_principal_name',
    'role_definition_id', 'role_display_name', 'role_template_id', 'assignment_created_at',
  ],
  select: (input) => {
    const { tenantId, now } = input;
    return sql`
    SELECT a.id, a.principal_id AS assignee_id, u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name,
      r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id,
      a.created_at AS assignment_created_at
    FROM directory_role_assignments a
    JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = a.role_id AND r.is_privileged
    LEFT JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = a.principal_id
    WHERE a.tenant_id = ${tenantId} AND NOT a.via_pim
      AND (a.end_at IS NULL OR a.end_at > ${now})
      AND a.created_at >= ${before(input, OUTSIDE_PIM_LOOKBACK_MS)} AND a.created_at <= ${now}`;
  },
};
