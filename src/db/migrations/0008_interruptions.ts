import type { Migration } from './index.js';

// A worker's death is not the operation's failure. `interruptions` counts the attempts that ended
// without an outcome of the handler: the worker stopped responding (its lease expired), handed the
// lease back on shutdown, or the embedded process restarted. The handler-failure budget is
// `attempts - interruptions` against `max_attempts`; interruptions have their own, larger budget
// (the claim's max_interruptions), which still ends a poison operation that kills every worker
// taking it.
//
// `attempts` now only grows: it is the fencing token of every worker write, with lease_owner, so
// a hand-back no longer gives the number back (a later claim by the same process would otherwise
// carry the token of the attempt it replaced).
//
// lro_claim keeps migration 7's plan (see there) and gains max_interruptions.
export const interruptions: Migration = {
  version: 8,
  name: 'interruptions',
  statements: [
    `ALTER TABLE operations ADD COLUMN interruptions integer NOT NULL DEFAULT 0`,
    `DROP FUNCTION lro_claim(text, text[], integer, bigint, bigint)`,
    `CREATE FUNCTION lro_claim(owner text, kinds text[], max_rows integer, lease_ms bigint, retention_ms bigint, max_interruptions integer)
    RETURNS SETOF operations
    LANGUAGE plpgsql
    AS $$
    DECLARE
      r operations;
    BEGIN
      PERFORM set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
        set_config('plan_cache_mode', 'force_generic_plan', true), set_config('synchronous_commit', 'off', true);
      FOR r IN
        WITH due AS (
          SELECT ctid FROM operations
          WHERE status IN ('notStarted', 'running') AND run_after <= now() AND kind = ANY(kinds)
          ORDER BY run_after
          LIMIT max_rows
          FOR UPDATE SKIP LOCKED
        )
        -- A due row that still has an owner is one whose lease expired: its worker stopped responding.
        UPDATE operations o SET
          status = CASE WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions THEN 'failed' ELSE 'running' END,
          attempts = CASE WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions THEN o.attempts ELSE o.attempts + 1 END,
          interruptions = o.interruptions + (o.lease_owner IS NOT NULL)::integer,
          status_detail = CASE
            WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions THEN
              'Failed: the workers running it stopped responding ' || (o.interruptions + 1) || ' times; an operation that ends every worker that takes it is not retried further.'
            WHEN o.lease_owner IS NOT NULL THEN
              'Resumed: the worker running attempt ' || o.attempts || ' stopped responding (this does not count as a failed attempt).'
            ELSE o.status_detail END,
          lease_owner = CASE WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions THEN NULL ELSE owner END,
          lease_expires_at = CASE WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions THEN NULL
            ELSE now() + lease_ms * interval '1 millisecond' END,
          run_after = now() + lease_ms * interval '1 millisecond',
          expires_at = CASE WHEN o.lease_owner IS NOT NULL AND o.interruptions + 1 >= max_interruptions
            THEN now() + retention_ms * interval '1 millisecond' END,
          last_action_at = now()
        FROM due WHERE o.ctid = due.ctid
        RETURNING o.*
      LOOP
        IF r.status = 'failed' THEN
          PERFORM set_config('synchronous_commit', 'on', true);
        END IF;
        RETURN NEXT r;
      END LOOP;
    END $$`,
  ],
};
