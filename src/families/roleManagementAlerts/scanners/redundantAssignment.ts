// RedundantAssignmentAlert — one incident per (user, privileged role) where an enabled user has
// been eligible since before the last n days (n = duration) and has not activated the role in
// those n days: the last activation is older than now − n, or there is none. A moment exactly n
// days ago is inside the window. Incident id = the id of the (earliest) eligibility.
import { sql } from '../../../db/sql.js';
import type { Scanner } from './scanner.js';
import { before } from './scanner.js';

export const redundantAssignment: Scanner = {
  columns: [
    'assignee_id', 'assignee_display_name', 'assignee_user_principal_name',
    'role_definition_id', 'role_display_name', 'role_template_id', 'last_activation_at',
  ],
  // Inactive pairs are found first (eligibilities and the activations index only); the users
  // table is read for those alone.
  select: (input) => {
    const { tenantId, now, settings } = input;
    const windowStart = before(input, settings.thresholds.duration);
    return sql`
    WITH eligible AS (
      SELECT e.principal_id, e.role_id,
        min(greatest(e.created_at, e.start_at)) AS since,
        (array_agg(e.id ORDER BY greatest(e.created_at, e.start_at), e.id))[1] AS id
      FROM directory_role_eligibilities e
      JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = e.role_id AND r.is_privileged
      WHERE e.tenant_id = ${tenantId} AND (e.start_at IS NULL OR e.start_at <= ${now}) AND (e.end_at IS NULL OR e.end_at > ${now})
      GROUP BY e.principal_id, e.role_id
    ), inactive AS MATERIALIZED (
      SELECT el.id, el.principal_id, el.role_id, last.activated_at AS last_activation_at
      FROM eligible el
      LEFT JOIN LATERAL (
        SELECT max(a.activated_at) AS activated_at FROM directory_role_activations a
        WHERE a.tenant_id = ${tenantId} AND a.principal_id = el.principal_id AND a.role_id = el.role_id AND a.activated_at <= ${now}
      ) last ON true
      WHERE el.since < ${windowStart} AND (last.activated_at IS NULL OR last.activated_at < ${windowStart})
    )
    SELECT i.id, u.id AS assignee_id, u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name,
      r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id, i.last_activation_at
    FROM inactive i
    JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = i.principal_id AND u.account_enabled
    JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = i.role_id`;
  },
};
