import { operations } from './0001_operations.js';
import { directory } from './0002_directory.js';
import { roleManagementAlerts } from './0004_role_management_alerts.js';
import { industryData } from './0005_industry_data.js';
import { claimFunction } from './0006_claim_function.js';
import { claimPath } from './0007_claim_path.js';
import { interruptions } from './0008_interruptions.js';
import { blobUploads } from './0009_blob_uploads.js';
import { industryDataYears } from './0010_industry_data_years.js';

export interface Migration {
  version: number;
  name: string;
  /** Run one by one (PGlite's extended protocol takes one statement per query). */
  statements: readonly string[];
}

/** In order; a migration once released is never edited, only followed by another. */
export const migrations: readonly Migration[] = [operations, directory, roleManagementAlerts, industryData, claimFunction, claimPath, interruptions, blobUploads, industryDataYears];
