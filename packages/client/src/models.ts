// Typed models of the Graph (beta) resources graph-lro serves, with the spec's property names
// and enum strings. Timestamps are ISO 8601 strings in UTC, as on the wire.

export type LongRunningOperationStatus = 'notStarted' | 'running' | 'succeeded' | 'failed' | 'unknownFutureValue';

/** microsoft.graph.longRunningOperation (role management alert refreshes are this type). */
export interface LongRunningOperation {
  '@odata.context'?: string;
  '@odata.type'?: string;
  id: string;
  createdDateTime: string;
  lastActionDateTime: string;
  resourceLocation: string | null;
  status: LongRunningOperationStatus;
  statusDetail: string | null;
}

/** microsoft.graph.publicErrorDetail */
export interface PublicErrorDetail {
  code: string | null;
  message: string | null;
  target: string | null;
}

/** microsoft.graph.publicInnerError */
export interface PublicInnerError {
  code: string | null;
  details: PublicErrorDetail[] | null;
  message: string | null;
  target: string | null;
}

/** microsoft.graph.publicError: the entries of a validation's errors and warnings. */
export interface PublicError {
  code: string | null;
  details: PublicErrorDetail[] | null;
  innerError: PublicInnerError | null;
  message: string | null;
  target: string | null;
}

export const FILE_VALIDATE_OPERATION_TYPE = '#microsoft.graph.industryData.fileValidateOperation';

/** microsoft.graph.industryData.fileValidateOperation: an industry data validation. */
export interface FileValidateOperation extends LongRunningOperation {
  '@odata.type': typeof FILE_VALIDATE_OPERATION_TYPE;
  validatedFiles: string[] | null;
  errors: PublicError[] | null;
  warnings: PublicError[] | null;
}

export type AnyOperation = LongRunningOperation | FileValidateOperation;

export function isFileValidateOperation(operation: AnyOperation): operation is FileValidateOperation {
  return operation['@odata.type'] === FILE_VALIDATE_OPERATION_TYPE;
}

export type AlertSeverity = 'unknown' | 'low' | 'medium' | 'high' | 'unknownFutureValue';

/** microsoft.graph.unifiedRoleManagementAlertIncident (and its derived types' properties). */
export interface UnifiedRoleManagementAlertIncident {
  '@odata.type'?: string;
  id: string;
  [property: string]: unknown;
}

/** microsoft.graph.unifiedRoleManagementAlertDefinition */
export interface UnifiedRoleManagementAlertDefinition {
  id: string;
  description: string;
  displayName: string;
  howToPrevent: string;
  isConfigurable: boolean;
  isRemediatable: boolean;
  mitigationSteps: string;
  scopeId: string;
  scopeType: string;
  securityImpact: string;
  severityLevel: AlertSeverity;
}

/** microsoft.graph.unifiedRoleManagementAlertConfiguration (thresholds depend on the derived type). */
export interface UnifiedRoleManagementAlertConfiguration {
  '@odata.type': string;
  id: string;
  alertDefinitionId: string;
  isEnabled: boolean;
  scopeId: string;
  scopeType: string;
  [threshold: string]: unknown;
}

/** microsoft.graph.unifiedRoleManagementAlert */
export interface UnifiedRoleManagementAlert {
  id: string;
  alertDefinitionId: string;
  incidentCount: number;
  isActive: boolean;
  lastModifiedDateTime: string | null;
  lastScannedDateTime: string | null;
  scopeId: string;
  scopeType: string;
  alertDefinition?: UnifiedRoleManagementAlertDefinition;
  alertConfiguration?: UnifiedRoleManagementAlertConfiguration;
  alertIncidents?: UnifiedRoleManagementAlertIncident[];
}

export type AlertExpansion = 'alertDefinition' | 'alertConfiguration' | 'alertIncidents';

/** microsoft.graph.industryData.fileFormatReferenceValue */
export interface FileFormatReferenceValue {
  '@odata.type'?: string;
  code: string;
}

/** microsoft.graph.industryData.industryDataConnector (azureDataLakeConnector is the one served). */
export interface DataConnector {
  '@odata.type': string;
  id: string;
  displayName: string;
  fileFormat?: FileFormatReferenceValue | null;
}

/** microsoft.graph.industryData.fileUploadSession: sessionUrl speaks a subset of Azure Blob REST. */
export interface FileUploadSession {
  '@odata.context'?: string;
  containerExpirationDateTime: string;
  containerId: string;
  sessionExpirationDateTime: string;
  sessionUrl: string;
}

/** A Graph collection page. */
export type IndustryDataRunStatus = 'running' | 'failed' | 'completed' | 'completedWithErrors' | 'completedWithWarnings' | 'unknownFutureValue';
export type IndustryDataActivityStatus = 'inProgress' | 'skipped' | 'failed' | 'completed' | 'completedWithErrors' | 'completedWithWarnings' | 'unknownFutureValue';

/** An industry data run (`external/industryData/runs/{id}`). */
export interface IndustryDataRun {
  id: string;
  displayName: string;
  status: IndustryDataRunStatus;
  startDateTime: string;
  endDateTime: string | null;
  blockingError: PublicError | null;
}

/** One flow's part in a run: `#microsoft.graph.industryData.inboundFlowActivity` or `…outboundFlowActivity`. */
export interface IndustryDataRunActivity {
  '@odata.type': string;
  id: string;
  displayName: string;
  status: IndustryDataActivityStatus;
  blockingError: PublicError | null;
}

export interface IndustryDataRunEntityCountMetric {
  active: number;
  inactive: number;
  total: number;
}

export interface IndustryDataRunRoleCountMetric {
  role: string;
  count: number;
}

/** An inbound activity's statistics (`inboundActivityResults`). */
export interface InboundActivityResults {
  '@odata.type': string;
  activityId: string;
  displayName: string;
  status: IndustryDataActivityStatus;
  errors: number;
  warnings: number;
  people: IndustryDataRunEntityCountMetric;
  organizations: IndustryDataRunEntityCountMetric;
  groups: IndustryDataRunEntityCountMetric;
  memberships: IndustryDataRunEntityCountMetric;
  matchedPeopleByRole: IndustryDataRunRoleCountMetric[];
  unmatchedPeopleByRole: IndustryDataRunRoleCountMetric[];
}

/** `runs/{id}/getStatistics`. */
export interface IndustryDataRunStatistics {
  runId: string;
  status: IndustryDataRunStatus;
  activityStatistics: InboundActivityResults[];
  inboundTotals: {
    errors: number;
    warnings: number;
    people: number;
    organizations: number;
    groups: number;
    memberships: number;
    matchedPeopleByRole: IndustryDataRunRoleCountMetric[];
    unmatchedPeopleByRole: IndustryDataRunRoleCountMetric[];
  };
}

export interface CollectionPage<T> {
  '@odata.context'?: string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: T[];
}
