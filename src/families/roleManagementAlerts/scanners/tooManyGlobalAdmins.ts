// TooManyGlobalAdminsAssignedToTenantAlert — counts the distinct (principal, privileged role)
// pairs held at scan time (active or eligible; disabled user accounts do not count). Fires when
// BOTH the Global Administrator pairs ≥ globalAdminCountThreshold AND 100 × GA pairs ≥
// percentageOfGlobalAdminsOutOfRolesThreshold × all pairs; then one incident per Global
// Administrator, id = assigneeId.
import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID } from '../model.js';
import type { Scanner } from './scanner.js';
import { HELD_ROLES } from './scanner.js';

export const tooManyGlobalAdmins: Scanner = {
  columns: ['assignee_id', 'assignee_display_name', 'assignee_user_principal_name'],
  params: (settings) => [
    settings.thresholds.globalAdminCountThreshold,
    settings.thresholds.percentageOfGlobalAdminsOutOfRolesThreshold,
    GLOBAL_ADMINISTRATOR_TEMPLATE_ID,
  ],
  sql: `
    WITH held AS (${HELD_ROLES}
    ), pairs AS (
      SELECT DISTINCT h.principal_id, h.role_id, r.template_id = $5 AS is_global_admin
      FROM held h
      JOIN directory_roles r ON r.tenant_id = $1 AND r.id = h.role_id AND (r.is_privileged OR r.template_id = $5)
      LEFT JOIN directory_users u ON u.tenant_id = $1 AND u.id = h.principal_id
      WHERE u.account_enabled IS NOT FALSE
    ), totals AS (
      SELECT count(*) AS all_pairs, count(*) FILTER (WHERE is_global_admin) AS global_admins FROM pairs
    )
    SELECT DISTINCT p.principal_id AS id, p.principal_id AS assignee_id,
      u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name
    FROM pairs p
    CROSS JOIN totals t
    LEFT JOIN directory_users u ON u.tenant_id = $1 AND u.id = p.principal_id
    WHERE p.is_global_admin AND t.global_admins >= $3::int AND t.global_admins * 100 >= $4::int * t.all_pairs`,
};
