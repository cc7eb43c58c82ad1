// Industry data (spec §4): names, paths and limits of the family (its types: schema.ts).

/** The engine family of industry data operations (validate, runs). */
export const FAMILY = 'industryData';

export const ROOT_PATH = 'external/industryData';
export const SOURCE_SYSTEMS_PATH = `${ROOT_PATH}/sourceSystems`;
export const CONNECTORS_PATH = `${ROOT_PATH}/dataConnectors`;
export const INBOUND_FLOWS_PATH = `${ROOT_PATH}/inboundFlows`;
export const YEARS_PATH = `${ROOT_PATH}/years`;
export const OPERATIONS_PATH = `${ROOT_PATH}/operations`;
export const REFERENCE_DEFINITIONS_PATH = `${ROOT_PATH}/referenceDefinitions`;
export const ROLE_GROUPS_PATH = `${ROOT_PATH}/roleGroups`;
export const FLOW_SETS_PATH = `${ROOT_PATH}/outboundProvisioningFlowSets`;
export const RUNS_PATH = `${ROOT_PATH}/runs`;

/**
 * `fileFormat.code` values (spec §4.2), and `schoolDataSyncV2.1`, the spelling of Microsoft's
 * Postman collection. Only SDS v2.1 is validated; a v1 connector's validation reports
 * UnsupportedFileFormat.
 */
export const FILE_FORMATS: readonly string[] = ['schoolDataSyncV2Rev1', 'schoolDataSyncV1', 'schoolDataSyncV2.1'];
/** What a connector without `fileFormat` (Graph's own examples create them so) is validated as: today's SDS format. */
export const DEFAULT_FILE_FORMAT = 'schoolDataSyncV2Rev1';

/** displayName and vendor: at most 100 characters (spec §4.2, §4.5). */
export const MAX_NAME_LENGTH = 100;
export const MAX_USER_MATCHING_SETTINGS = 100;
/** A reference definition's code and referenceType. */
export const MAX_CODE_LENGTH = 100;
/** A flow set's filter: at most this many organization ids. */
export const MAX_FILTER_VALUES = 1000;

/** The operation kind of a run (on demand or scheduled). */
export const RUN_KIND = 'industryData.run';
/** While a run started on demand is running, another start returns it; the scheduled run is the tenant's next one. */
export const ON_DEMAND_RUN_KEY = 'run:onDemand';
export const SCHEDULED_RUN_KEY = 'run:scheduled';
/** Graph's schedule and throttle (runs/start): a run every 12 hours, at most five successful runs in 12 hours, and an on-demand run skips a scheduled one due within 10 hours. */
export const RUN_EVERY_HOURS = 12;
export const MAX_SUCCESSFUL_RUNS = 5;
export const SKIP_SCHEDULED_WITHIN_HOURS = 10;

/** The operation kind the engine runs for `validate`. */
export const VALIDATE_KIND = 'industryData.validate';
/** While a validation of a connector is running, another validate returns it. */
export const validateDedupeKey = (connectorId: string) => `validate:${connectorId}`;

const HOUR_MS = 60 * 60 * 1000;
/** How long an upload container lives (Graph's example: about two days). */
export const CONTAINER_TTL_MS = 48 * HOUR_MS;
/** How long an upload URL is valid (Graph's example: about 14 hours); never past the container. */
export const SESSION_TTL_MS = 14 * HOUR_MS;

/** Where the blob endpoint of upload sessions lives, outside the Graph version root. */
export const BLOB_PREFIX = '/blob';

/** Bytes per uploaded file; more answers 413 (env `GRAPH_LRO_MAX_UPLOAD_BYTES`). Default 1 GiB. */
export function maxUploadBytes(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInteger(env.GRAPH_LRO_MAX_UPLOAD_BYTES, 1024 * 1024 * 1024, 'GRAPH_LRO_MAX_UPLOAD_BYTES');
}

/** Data rows per CSV file the validator accepts (env `GRAPH_LRO_SDS_MAX_RECORDS`); default 500,000, SDS's own. */
export function maxRecords(env: NodeJS.ProcessEnv = process.env): number {
  return positiveInteger(env.GRAPH_LRO_SDS_MAX_RECORDS, 500_000, 'GRAPH_LRO_SDS_MAX_RECORDS');
}

function positiveInteger(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number; got '${raw}'.`);
  return n;
}
