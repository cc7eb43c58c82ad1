import type { Migration } from './index.js';

// The operation row is both the Graph resource and the job (DESIGN.md, "The engine").
// `run_after` is when the row may next be claimed: for a leased row it equals the lease expiry,
// so one partial index serves new work, backed-off retries and expired leases alike.
export const operations: Migration = {
  version: 1,
  name: 'operations',
  statements: [
    `CREATE TABLE operations (
      tenant_id text NOT NULL CHECK (tenant_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
      id text NOT NULL CHECK (length(id) BETWEEN 1 AND 256 AND id !~ '[[:cntrl:]]'),
      family text NOT NULL,
      kind text NOT NULL,
      odata_type text,
      dedupe_key text,
      status text NOT NULL DEFAULT 'notStarted' CHECK (status IN ('notStarted', 'running', 'succeeded', 'failed')),
      status_detail text,
      resource_location text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_action_at timestamptz NOT NULL DEFAULT now(),
      input jsonb NOT NULL DEFAULT '{}',
      result jsonb,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
      timeout_ms integer,
      run_after timestamptz NOT NULL DEFAULT now(),
      lease_owner text,
      lease_expires_at timestamptz,
      expires_at timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE UNIQUE INDEX operations_dedupe ON operations (tenant_id, dedupe_key)
      WHERE dedupe_key IS NOT NULL AND status IN ('notStarted', 'running')`,
    `CREATE INDEX operations_due ON operations (run_after) WHERE status IN ('notStarted', 'running')`,
    `CREATE INDEX operations_expiry ON operations (expires_at) WHERE expires_at IS NOT NULL`,
    `CREATE INDEX operations_by_family ON operations (tenant_id, family, created_at)`,
    // New work wakes idle workers at once (delivered on commit, one per statement).
    `CREATE FUNCTION operations_notify_ready() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('graph_lro_ready', '');
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER operations_ready AFTER INSERT ON operations
      FOR EACH STATEMENT EXECUTE FUNCTION operations_notify_ready()`,
    // Every change of status or statusDetail is announced, so long-polls (Prefer: wait) in any
    // process wake. One statement's changes go out in a few notifications ("tenant\tid" lines),
    // not one per row, which keeps batched claims and completions cheap.
    `CREATE FUNCTION operations_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER operations_changed AFTER UPDATE ON operations
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION operations_notify_changed()`,
  ],
};
