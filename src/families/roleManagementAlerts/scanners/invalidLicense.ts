// InvalidLicenseAlert — fires when the tenant has no licence that grants PIM (Entra ID P2 or ID
// Governance, `grants_pim`) in a usable state (capabilityStatus Enabled, or Warning during the
// grace period). One incident, id = the tenant id; tenantLicenseStatus is the status of the
// tenant's PIM licence closest to usable (Suspended, then LockedOut, then Deleted), or `None`
// when it has none at all.
import { sql } from '../../../db/sql.js';
import { USABLE_LICENSE_STATUSES } from '../model.js';
import type { Scanner } from './scanner.js';

export const invalidLicense: Scanner = {
  columns: ['tenant_license_status'],
  select: ({ tenantId, now }) => sql`
    SELECT ${tenantId}::text AS id,
      COALESCE((
        SELECT l.capability_status FROM directory_licenses l
        WHERE l.tenant_id = ${tenantId} AND l.grants_pim
        ORDER BY CASE l.capability_status WHEN 'Suspended' THEN 0 WHEN 'LockedOut' THEN 1 WHEN 'Deleted' THEN 2 ELSE 3 END, l.sku_id
        LIMIT 1
      ), 'None') AS tenant_license_status
    WHERE ${now} IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM directory_licenses l
      WHERE l.tenant_id = ${tenantId} AND l.grants_pim AND l.capability_status = ANY (${[...USABLE_LICENSE_STATUSES]}::text[])
    )`,
};
