// SequentialActivationRenewalsAlert — over the activations of the last 30 days, a user who
// activated the same privileged role at least N times (sequentialActivationCounterThreshold)
// within an interval W (timeIntervalBetweenActivations; the first and the N-th at most W apart)
// gets one incident per sequence: overlapping bursts of N merge into one sequence, whose
// activationCount, start and end the incident carries. Incident id = the sequence's first
// activation id.
import { shared, sql } from '../../../db/sql.js';
import { ACTIVATIONS_LOOKBACK_MS } from '../model.js';
import type { Scanner } from './scanner.js';
import { before } from './scanner.js';

export const sequentialActivationRenewals: Scanner = {
  columns: [
    'assignee_id', 'assignee_display_name', 'assignee_user_principal_name',
    'role_definition_id', 'role_display_name', 'role_template_id',
    'activation_count', 'sequence_start_at', 'sequence_end_at',
  ],
  // bursts: activations that open a window of N within W (rows rn … rn + N − 1, the last one at
  // nth_at); a burst starting after every earlier burst of the same subject has ended begins a
  // new sequence, which spans from its first burst's start to its last burst's end.
  select: (input) => {
    const { tenantId, now, settings } = input;
    const n = sql`${shared(settings.thresholds.sequentialActivationCounterThreshold)}::int`;
    const intervalMs = settings.thresholds.timeIntervalBetweenActivations;
    return sql`
    WITH activations AS (
      SELECT a.id, a.principal_id, a.role_id, a.activated_at,
        row_number() OVER w AS rn,
        lead(a.activated_at, ${n} - 1) OVER w AS nth_at
      FROM directory_role_activations a
      JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = a.role_id AND r.is_privileged
      WHERE a.tenant_id = ${tenantId} AND a.activated_at >= ${before(input, ACTIVATIONS_LOOKBACK_MS)} AND a.activated_at <= ${now}
      WINDOW w AS (PARTITION BY a.principal_id COLLATE "C", a.role_id COLLATE "C" ORDER BY a.activated_at, a.id COLLATE "C")
    ), bursts AS (
      SELECT id, principal_id, role_id, rn, activated_at, nth_at,
        CASE WHEN rn <= max(rn) OVER w + ${n} - 1 THEN 0 ELSE 1 END AS starts
      FROM activations
      WHERE nth_at - activated_at <= ${intervalMs}::float8 * interval '1 millisecond'
      WINDOW w AS (PARTITION BY principal_id COLLATE "C", role_id COLLATE "C" ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ), sequences AS (
      SELECT principal_id, role_id, (array_agg(id ORDER BY rn))[1] AS id,
        (max(rn) - min(rn) + ${n})::int AS activation_count, min(activated_at) AS sequence_start_at, max(nth_at) AS sequence_end_at
      FROM (SELECT *, sum(starts) OVER (PARTITION BY principal_id COLLATE "C", role_id COLLATE "C" ORDER BY rn) AS seq FROM bursts) b
      GROUP BY principal_id, role_id, seq
    )
    SELECT s.id, s.principal_id AS assignee_id, u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name,
      r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id,
      s.activation_count, s.sequence_start_at, s.sequence_end_at
    FROM sequences s
    JOIN directory_roles r ON r.tenant_id = ${tenantId} AND r.id = s.role_id
    LEFT JOIN directory_users u ON u.tenant_id = ${tenantId} AND u.id = s.principal_id`;
  },
};
