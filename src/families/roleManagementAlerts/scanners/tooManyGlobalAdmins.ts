// TooManyGlobalAdminsAssignedToTenantAlert — counts the distinct (principal, privileged role)
// pairs held at scan time (active or eligible; disabled user accounts do not count). Fires when
// BOTH the Global Administrator pairs ≥ globalAdminCountThreshold AND 100 × GA pairs ≥
// percentageOfGlobalAdminsOutOfRolesThreshold × all pairs; then one incident per Global
// Administrator, id = assigneeId.
import { shared, sql } from '../../../db/sql.js';
import { GLOBAL_ADMINISTRATOR_TEMPLATE_ID } from '../model.js';
import type { Scanner } from './scanner.js';
import { heldRoles } from './scanner.js';

export const tooManyGlobalAdmins: Scanner = {
  columns: ['assignee_id', 'assignee_display_name', 'assignee_user_principal_name'],
  select: (input) => {
    const { tenantId, settings } = input;
    const globalAdministrator = shared(GLOBAL_ADMINISTRATOR_TEMPLATE_ID);
    return sql`
    WITH held AS (${heldRoles(input)}
    ), pairs AS (
      SELECT DISTINCT h.principal_id, h.role_id, r.template_id = ${globalAdministrator} AS is_global_admin
      FROM held h
      JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = h.role_id AND (r.is_privileged OR r.template_id = ${globalAdministrator})
      LEFT JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = h.principal_id
      WHERE u.account_enabled IS NOT FALSE
    ), totals AS (
      SELECT count(*) AS all_pairs, count(*) FILTER (WHERE is_global_admin) AS global_admins FROM pairs
    )
    SELECT DISTINCT p.principal_id AS id, p.principal_id AS assignee_id,
      u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name
    FROM pairs p
    CROSS JOIN totals t
    LEFT JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = p.principal_id
    WHERE p.is_global_admin AND t.global_admins >= ${settings.thresholds.globalAdminCountThreshold}::int
      AND t.global_admins * 100 >= ${settings.thresholds.percentageOfGlobalAdminsOutOfRolesThreshold}::int * t.all_pairs`;
  },
};
