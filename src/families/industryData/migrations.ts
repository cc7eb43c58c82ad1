import type { Migration } from '../../db/migrations/index.js';

// Industry data (issue 4): source systems, data connectors, inbound flows and upload sessions,
// per tenant; the key that signs upload URLs; and the blob store that keeps uploads in the
// database when it is shared (src/storage/database.ts).
export const industryData: Migration = {
  version: 5,
  name: 'industry_data',
  statements: [
    `CREATE TABLE industry_data_source_systems (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      vendor text,
      user_matching_settings jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    )`,
    // A source system in use cannot be deleted (409): no ON DELETE action.
    `CREATE TABLE industry_data_connectors (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      file_format_code text NOT NULL,
      source_system_id text NOT NULL,
      -- the files of the last validation without errors (the validator's FileSetChanged)
      last_validated_files jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, source_system_id) REFERENCES industry_data_source_systems (tenant_id, id)
    )`,
    `CREATE INDEX industry_data_connectors_source_system ON industry_data_connectors (tenant_id, source_system_id)`,
    `CREATE TABLE industry_data_inbound_flows (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      data_domain text NOT NULL,
      effective_at timestamptz NOT NULL,
      expires_at timestamptz,
      connector_id text NOT NULL,
      year_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id),
      FOREIGN KEY (tenant_id, connector_id) REFERENCES industry_data_connectors (tenant_id, id)
    )`,
    `CREATE INDEX industry_data_inbound_flows_connector ON industry_data_inbound_flows (tenant_id, connector_id)`,
    // The connector's current upload session; its id names the blob container.
    `CREATE TABLE industry_data_upload_sessions (
      id text PRIMARY KEY,
      tenant_id text NOT NULL,
      connector_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      container_expires_at timestamptz NOT NULL,
      UNIQUE (tenant_id, connector_id),
      FOREIGN KEY (tenant_id, connector_id) REFERENCES industry_data_connectors (tenant_id, id) ON DELETE CASCADE
    )`,
    `CREATE INDEX industry_data_upload_sessions_expiry ON industry_data_upload_sessions (container_expires_at)`,
    // The HMAC key of upload URLs, shared by every instance on the database.
    `CREATE TABLE industry_data_signing_keys (
      id integer PRIMARY KEY,
      secret bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE blob_objects (
      container_id text NOT NULL,
      name text COLLATE "C" NOT NULL,
      version text NOT NULL,
      size bigint NOT NULL,
      content_type text NOT NULL,
      content_md5 text,
      etag text NOT NULL,
      created_at timestamptz NOT NULL,
      last_modified timestamptz NOT NULL,
      PRIMARY KEY (container_id, name)
    )`,
    `CREATE TABLE blob_blocks (
      container_id text NOT NULL,
      name text COLLATE "C" NOT NULL,
      block_id text COLLATE "C" NOT NULL,
      version text NOT NULL,
      size bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (container_id, name, block_id)
    )`,
    `CREATE TABLE blob_chunks (
      version text NOT NULL,
      seq integer NOT NULL,
      byte_offset bigint NOT NULL,
      container_id text NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (version, seq)
    )`,
    `CREATE INDEX blob_chunks_container ON blob_chunks (container_id)`,
  ],
};

// Industry data years (yearTimePeriodDefinition): the school years inbound flows are bound to.
export const industryDataYears: Migration = {
  version: 10,
  name: 'industry_data_years',
  statements: [
    `CREATE TABLE industry_data_years (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      start_date date NOT NULL,
      end_date date NOT NULL,
      year_code text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    )`,
  ],
};

// Reference definitions a tenant added or changed (the built-in catalogue lives in catalogue.ts);
// an inbound flow's year must exist (flows bound to a year that never existed are unbound); a
// connector's fileFormat is optional, as Graph's own examples create connectors without one.
export const industryDataReferences: Migration = {
  version: 11,
  name: 'industry_data_references',
  statements: [
    `CREATE TABLE industry_data_reference_definitions (
      tenant_id text NOT NULL,
      reference_type text NOT NULL,
      code text NOT NULL,
      display_name text,
      is_disabled boolean NOT NULL,
      sort_index integer NOT NULL,
      source text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_modified_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, reference_type, code)
    )`,
    `UPDATE industry_data_inbound_flows f SET year_id = NULL
     WHERE year_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM industry_data_years y WHERE y.tenant_id = f.tenant_id AND y.id = f.year_id)`,
    `ALTER TABLE industry_data_inbound_flows ADD FOREIGN KEY (tenant_id, year_id) REFERENCES industry_data_years (tenant_id, id)`,
    `CREATE INDEX industry_data_inbound_flows_year ON industry_data_inbound_flows (tenant_id, year_id)`,
    `ALTER TABLE industry_data_connectors ALTER COLUMN file_format_code DROP NOT NULL`,
  ],
};

// Outbound provisioning flow sets and their flows (at most one of each type per set).
export const industryDataOutbound: Migration = {
  version: 12,
  name: 'industry_data_outbound',
  statements: [
    `CREATE TABLE industry_data_outbound_flow_sets (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      filter jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_modified_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE TABLE industry_data_provisioning_flows (
      tenant_id text NOT NULL,
      id text NOT NULL,
      flow_set_id text NOT NULL,
      flow_type text NOT NULL,
      options jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_modified_at timestamptz NOT NULL DEFAULT now(),
      reset_at timestamptz,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, flow_set_id, flow_type),
      FOREIGN KEY (tenant_id, flow_set_id) REFERENCES industry_data_outbound_flow_sets (tenant_id, id) ON DELETE CASCADE
    )`,
  ],
};

// Runs and their activities; the education store a run loads (one row per record of an SDS file,
// per inbound flow), with first and last seen and whether the latest run still saw it.
export const industryDataRuns: Migration = {
  version: 14,
  name: 'industry_data_runs',
  statements: [
    `CREATE TABLE industry_data_runs (
      tenant_id text NOT NULL,
      id text NOT NULL,
      display_name text NOT NULL,
      trigger text NOT NULL CHECK (trigger IN ('onDemand', 'scheduled')),
      status text NOT NULL,
      start_at timestamptz NOT NULL DEFAULT now(),
      end_at timestamptz,
      blocking_error jsonb,
      statistics jsonb,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE INDEX industry_data_runs_start ON industry_data_runs (tenant_id, start_at)`,
    `CREATE TABLE industry_data_run_activities (
      tenant_id text NOT NULL,
      run_id text NOT NULL,
      id text NOT NULL,
      position integer NOT NULL,
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      flow_id text NOT NULL,
      display_name text NOT NULL,
      status text NOT NULL,
      blocking_error jsonb,
      statistics jsonb,
      PRIMARY KEY (tenant_id, run_id, id),
      FOREIGN KEY (tenant_id, run_id) REFERENCES industry_data_runs (tenant_id, id) ON DELETE CASCADE
    )`,
    `CREATE TABLE industry_data_records (
      tenant_id text NOT NULL,
      flow_id text NOT NULL,
      file text NOT NULL,
      record_key text NOT NULL,
      year_id text,
      data jsonb NOT NULL,
      active boolean NOT NULL,
      first_seen_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      last_run_id text NOT NULL,
      -- users.csv: the directory user the person was matched to, if any
      matched_user_id text,
      PRIMARY KEY (tenant_id, flow_id, file, record_key)
    )`,
  ],
};

// A load writes only the records that are new, changed, back or gone: an active record was last
// seen by its flow's last load (last_loaded_at), an inactive one at its last_seen_at.
export const industryDataLoads: Migration = {
  version: 15,
  name: 'industry_data_loads',
  statements: [`ALTER TABLE industry_data_inbound_flows ADD COLUMN last_loaded_at timestamptz`],
};

/** The family's migrations (their versions are in the one sequence of db/migrations). */
export const migrations: readonly Migration[] = [industryData, industryDataYears, industryDataReferences, industryDataOutbound, industryDataRuns, industryDataLoads];
