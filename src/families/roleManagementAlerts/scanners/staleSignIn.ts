// StaleSignInAlert — one incident per (enabled user, privileged role held actively or as an
// eligibility) whose holder has not signed in during the last n days (n = duration: the last
// sign-in is older than now − n, or there is none) and who has held the role since before those
// n days. A sign-in exactly n days ago is inside the window. Incident id = the id of the
// (earliest) assignment or eligibility.
import { sql } from '../../../db/sql.js';
import type { Scanner } from './scanner.js';
import { before, heldRoles } from './scanner.js';

export const staleSignIn: Scanner = {
  columns: [
    'assignee_id', 'assignee_display_name', 'assignee_user_principal_name',
    'role_definition_id', 'role_display_name', 'role_template_id', 'assignment_created_at', 'last_sign_in_at',
  ],
  select: (input) => {
    const { tenantId, settings } = input;
    const windowStart = before(input, settings.thresholds.duration);
    return sql`
    WITH held AS (${heldRoles(input)}
    ), pairs AS (
      SELECT h.principal_id, h.role_id, min(h.created_at) AS created_at, (array_agg(h.id ORDER BY h.created_at, h.id))[1] AS id
      FROM held h
      JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = h.role_id AND r.is_privileged
      GROUP BY h.principal_id, h.role_id
    )
    SELECT p.id, u.id AS assignee_id, u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name,
      r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id,
      p.created_at AS assignment_created_at, u.last_sign_in_at
    FROM pairs p
    JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = p.principal_id AND u.account_enabled
    JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = p.role_id
    WHERE p.created_at < ${windowStart} AND (u.last_sign_in_at IS NULL OR u.last_sign_in_at < ${windowStart})`;
  },
};
