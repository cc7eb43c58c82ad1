import type { Migration } from './index.js';

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
