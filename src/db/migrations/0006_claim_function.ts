import type { Migration } from './index.js';

// The claim as a function whose plan is fixed: an ordered scan of operations_due and key lookups.
// As a prepared statement it was planned while the queue was empty and then scanned and sorted
// every due row of a burst (tens of milliseconds per claim); with stale statistics even a fresh
// plan chose a bitmap scan and a sort. A SQL function with SET is planned per call, with these
// planner settings only for itself.
export const claimFunction: Migration = {
  version: 6,
  name: 'claim function',
  statements: [
    // A leased row is always running: the fenced writes rely on it instead of filtering on status.
    `ALTER TABLE operations ADD CONSTRAINT operations_lease_only_when_running CHECK (lease_owner IS NULL OR status = 'running')`,
    `CREATE FUNCTION lro_claim(owner text, kinds text[], max_rows integer, lease_ms bigint, retention_ms bigint)
    RETURNS SETOF operations
    LANGUAGE sql
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    AS $$
      WITH due AS (
        SELECT tenant_id, id FROM operations
        WHERE status IN ('notStarted', 'running') AND run_after <= now() AND kind = ANY(kinds)
        ORDER BY run_after
        LIMIT max_rows
        FOR UPDATE SKIP LOCKED
      )
      UPDATE operations o SET
        status = CASE WHEN o.attempts >= o.max_attempts THEN 'failed' ELSE 'running' END,
        attempts = LEAST(o.attempts + 1, o.max_attempts),
        status_detail = CASE
          WHEN o.attempts >= o.max_attempts THEN
            'Failed after ' || o.attempts || ' attempts: the worker running the last attempt stopped responding.'
          WHEN o.lease_owner IS NOT NULL THEN
            'Attempt ' || (o.attempts + 1) || ' of ' || o.max_attempts || ' started: the worker running attempt ' || o.attempts || ' stopped responding.'
          ELSE o.status_detail END,
        lease_owner = CASE WHEN o.attempts >= o.max_attempts THEN NULL ELSE owner END,
        lease_expires_at = CASE WHEN o.attempts >= o.max_attempts THEN NULL ELSE now() + lease_ms * interval '1 millisecond' END,
        run_after = now() + lease_ms * interval '1 millisecond',
        expires_at = CASE WHEN o.attempts >= o.max_attempts THEN now() + retention_ms * interval '1 millisecond' END,
        last_action_at = now()
      FROM due WHERE o.tenant_id = due.tenant_id AND o.id = due.id
      RETURNING o.*
    $$`,
  ],
};
