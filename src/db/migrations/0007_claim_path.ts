import type { Migration } from './index.js';

// The path from a new operation to its handler, made shorter.
// lro_claim becomes PL/pgSQL, for two savings:
// - Its plan is made once per connection instead of being parsed and planned on every call
//   (about half of an idle claim's time). A generic plan knows neither the batch size nor the
//   burst, so nothing in it may depend on them: due rows come in run_after order from
//   operations_due (no sequential or bitmap scan), and the update finds each by its ctid, which no
//   other plan can replace; a hash join over the whole table, or a lookup through another index
//   chosen while the table was empty, are what this rules out. A row locked here cannot move; one
//   updated by another transaction after this statement's snapshot is skipped, and its
//   committer's NOTIFY brings a new claim.
// - The claim commits without waiting for its WAL flush (about 0.4 ms here). A claim lost in a
//   database crash only makes the operation claimable again, which at-least-once already allows:
//   the worker's later writes are fenced out and every outcome is written by a synchronous commit,
//   whose flush carries the claim's WAL before it. A claim that fails an operation for good is an
//   outcome, so that one commits synchronously.
// The settings are SET LOCAL: a SET clause would undo them when the function returns, before
// the commit reads synchronous_commit. Callers run lro_claim as a statement of its own.
//
// An operation its creator's worker takes at once (Engine.create) is inserted leased, so the
// ready NOTIFY now goes out only for unleased new rows, and for rows an update leaves notStarted
// (a final operation started again under its id, through the insert's ON CONFLICT DO UPDATE):
// other workers are not woken for work that is already taken.
export const claimPath: Migration = {
  version: 7,
  name: 'claim path',
  statements: [
    `CREATE OR REPLACE FUNCTION operations_notify_ready() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM new_rows WHERE lease_owner IS NULL) THEN
        PERFORM pg_notify('graph_lro_ready', '');
      END IF;
      RETURN NULL;
    END $$`,
    `DROP TRIGGER operations_ready ON operations`,
    `CREATE TRIGGER operations_ready AFTER INSERT ON operations
      REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION operations_notify_ready()`,
    `CREATE OR REPLACE FUNCTION operations_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('graph_lro_changed', c.payload)
      FROM (
        SELECT string_agg(n.tenant_id || E'\\t' || n.id, E'\\n') AS payload
        FROM (
          SELECT n.tenant_id, n.id, (row_number() OVER ()) / 25 AS chunk
          FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
          WHERE n.status IS DISTINCT FROM o.status OR n.status_detail IS DISTINCT FROM o.status_detail
        ) n
        GROUP BY n.chunk
      ) c;
      IF EXISTS (SELECT 1 FROM new_rows WHERE status = 'notStarted') THEN
        PERFORM pg_notify('graph_lro_ready', '');
      END IF;
      RETURN NULL;
    END $$`,
    `CREATE OR REPLACE FUNCTION lro_claim(owner text, kinds text[], max_rows integer, lease_ms bigint, retention_ms bigint)
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
