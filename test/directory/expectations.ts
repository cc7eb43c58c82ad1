// What each alert should find in a directory under the rules docs/directory.md states for the
// demo (the scanners' rules: enabled users; privileged roles held actively or as eligibilities;
// a moment exactly n days ago is inside an n-day window; outside-PIM assignments and activations
// looked for over 30 days), written as plain SQL independent of the scanners. Defaults: 30 days,
// 3 activations within 1 hour, 3 global administrators and 10 %.
import type { Db } from '../../src/db/db.js';

const HELD = `
  SELECT principal_id, role_id, created_at FROM directory_role_assignments WHERE tenant_id = $1 AND (end_at IS NULL OR end_at > $2)
  UNION ALL
  SELECT principal_id, role_id, created_at FROM directory_role_eligibilities WHERE tenant_id = $1`;

const PRIVILEGED = `JOIN directory_roles r ON r.tenant_id = $1 AND r.id = x.role_id AND r.is_privileged`;
const ENABLED = `JOIN directory_users u ON u.tenant_id = $1 AND u.id = x.principal_id AND u.account_enabled`;
const DAYS_30 = `$2::timestamptz - interval '30 days'`;

const QUERIES = {
  staleSignIn: `
    SELECT u.user_principal_name AS subject FROM (${HELD}) x ${PRIVILEGED} ${ENABLED}
    GROUP BY u.user_principal_name, x.role_id, u.last_sign_in_at
    HAVING min(x.created_at) < ${DAYS_30} AND (u.last_sign_in_at IS NULL OR u.last_sign_in_at < ${DAYS_30})`,
  redundantAssignment: `
    SELECT u.user_principal_name AS subject FROM directory_role_eligibilities x ${PRIVILEGED} ${ENABLED}
    WHERE x.tenant_id = $1
    GROUP BY u.user_principal_name, x.principal_id, x.role_id
    HAVING min(x.created_at) < ${DAYS_30} AND coalesce((
      SELECT max(a.activated_at) FROM directory_role_activations a
      WHERE a.tenant_id = $1 AND a.principal_id = x.principal_id AND a.role_id = x.role_id AND a.activated_at <= $2
    ), '-infinity') < ${DAYS_30}`,
  rolesAssignedOutsidePim: `
    SELECT coalesce(u.user_principal_name, x.principal_id) AS subject FROM directory_role_assignments x ${PRIVILEGED}
    LEFT JOIN directory_users u ON u.tenant_id = $1 AND u.id = x.principal_id
    WHERE x.tenant_id = $1 AND NOT x.via_pim AND (x.end_at IS NULL OR x.end_at > $2) AND x.created_at >= ${DAYS_30} AND x.created_at <= $2`,
  sequentialActivationRenewals: `
    SELECT DISTINCT u.user_principal_name AS subject FROM (
      SELECT principal_id, role_id, activated_at, lead(activated_at, 2) OVER (PARTITION BY principal_id, role_id ORDER BY activated_at) AS third
      FROM directory_role_activations WHERE tenant_id = $1 AND activated_at >= ${DAYS_30} AND activated_at <= $2
    ) x ${PRIVILEGED} ${ENABLED}
    WHERE x.third - x.activated_at <= interval '1 hour'`,
  tooManyGlobalAdmins: `
    WITH pairs AS (
      SELECT DISTINCT x.principal_id, x.role_id, r.template_id = '62e90394-69f5-4237-9190-012177145e10' AS ga
      FROM (${HELD}) x ${PRIVILEGED} ${ENABLED}
    )
    SELECT DISTINCT u.user_principal_name AS subject FROM pairs p
    JOIN directory_users u ON u.tenant_id = $1 AND u.id = p.principal_id
    WHERE p.ga AND (SELECT count(*) FILTER (WHERE ga) >= 3 AND count(*) FILTER (WHERE ga) * 100 >= 10 * count(*) FROM pairs)`,
  noMfaOnRoleActivation: `
    SELECT r.display_name AS subject FROM directory_role_policies x ${PRIVILEGED}
    WHERE x.tenant_id = $1 AND NOT x.mfa_required_on_activation AND $2::timestamptz IS NOT NULL`,
  invalidLicense: `
    SELECT coalesce((SELECT capability_status FROM directory_licenses WHERE tenant_id = $1 AND grants_pim ORDER BY capability_status LIMIT 1), 'None') AS subject
    WHERE $2::timestamptz IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM directory_licenses WHERE tenant_id = $1 AND grants_pim AND capability_status IN ('Enabled', 'Warning'))`,
};

export type Alert = keyof typeof QUERIES;

/** Per alert, the sorted subjects (user principal names, role names, licence status) of its incidents. */
export async function expectedIncidents(db: Db, tenantId: string, at: string): Promise<Record<Alert, string[]>> {
  const out = {} as Record<Alert, string[]>;
  for (const [alert, sql] of Object.entries(QUERIES) as [Alert, string][]) {
    const rows = await db.query<{ subject: string }>(sql, [tenantId, at]);
    out[alert] = rows.map((r) => r.subject).sort();
  }
  return out;
}
