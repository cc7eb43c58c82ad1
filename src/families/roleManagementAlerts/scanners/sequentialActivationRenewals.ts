// SequentialActivationRenewalsAlert — over the activations of the last 30 days, a user who
// activated the same privileged role at least N times (sequentialActivationCounterThreshold)
// within an interval W (timeIntervalBetweenActivations; the first and the N-th at most W apart)
// gets one incident per sequence: overlapping bursts of N merge into one sequence, whose
// activationCount, start and end the incident carries. Incident id = the sequence's first
// activation id.
import { ACTIVATIONS_LOOKBACK_MS } from '../model.js';
import type { Scanner } from './scanner.js';
import { before } from './scanner.js';

export const sequentialActivationRenewals: Scanner = {
  columns: [
    'assignee_id', 'assignee_display_name', 'assignee_user_principal_name',
    'role_definition_id', 'role_display_name', 'role_template_id',
    'activation_count', 'sequence_start_at', 'sequence_end_at',
  ],
  params: (settings) => [
    settings.thresholds.sequentialActivationCounterThreshold,
    settings.thresholds.timeIntervalBetweenActivations,
    ACTIVATIONS_LOOKBACK_MS,
  ],
  // bursts: activations that open a window of N within W ([rn, rn + N − 1]); a burst starting
  // after every earlier burst of the same subject has ended begins a new sequence.
  sql: `
    WITH activations AS (
      SELECT a.id, a.principal_id, a.role_id, a.activated_at,
        row_number() OVER w AS rn,
        lead(a.activated_at, $3::int - 1) OVER w AS nth_at
      FROM directory_role_activations a
      JOIN directory_roles r ON r.tenant_id = $1 AND r.id = a.role_id AND r.is_privileged
      WHERE a.tenant_id = $1 AND a.activated_at >= ${before(5)} AND a.activated_at <= $2::timestamptz
      WINDOW w AS (PARTITION BY a.principal_id, a.role_id ORDER BY a.activated_at, a.id)
    ), bursts AS (
      SELECT principal_id, role_id, rn, rn + $3::int - 1 AS last_rn,
        CASE WHEN rn <= max(rn + $3::int - 1) OVER (PARTITION BY principal_id, role_id ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
          THEN 0 ELSE 1 END AS starts
      FROM activations
      WHERE nth_at - activated_at <= $4::float8 * interval '1 millisecond'
    ), sequences AS (
      SELECT principal_id, role_id, min(rn) AS first_rn, max(last_rn) AS last_rn
      FROM (SELECT *, sum(starts) OVER (PARTITION BY principal_id, role_id ORDER BY rn) AS seq FROM bursts) b
      GROUP BY principal_id, role_id, seq
    )
    SELECT f.id, s.principal_id AS assignee_id, u.display_name AS assignee_display_name, u.user_principal_name AS assignee_user_principal_name,
      r.id AS role_definition_id, r.display_name AS role_display_name, r.template_id AS role_template_id,
      (s.last_rn - s.first_rn + 1)::int AS activation_count, f.activated_at AS sequence_start_at, l.activated_at AS sequence_end_at
    FROM sequences s
    JOIN activations f ON f.principal_id = s.principal_id AND f.role_id = s.role_id AND f.rn = s.first_rn
    JOIN activations l ON l.principal_id = s.principal_id AND l.role_id = s.role_id AND l.rn = s.last_rn
    JOIN directory_roles r ON r.tenant_id = $1 AND r.id = s.role_id
    LEFT JOIN directory_users u ON u.tenant_id = $1 AND u.id = s.principal_id`,
};
