// The permissions of industry data (spec §4): Graph's names, delegated and application alike
// (industry data documents the same names for both, and no directory role).
import type { Permission } from '../../auth/index.js';

const both = (...names: string[]): Permission => Object.freeze({ delegated: Object.freeze(names), application: Object.freeze(names) });

const CONNECTOR_READ = 'IndustryData-DataConnector.Read.All';
const CONNECTOR_READ_WRITE = 'IndustryData-DataConnector.ReadWrite.All';
const SOURCE_SYSTEM_READ_WRITE = 'IndustryData-SourceSystem.ReadWrite.All';
const INBOUND_FLOW_READ_WRITE = 'IndustryData-InboundFlow.ReadWrite.All';
const TIME_PERIOD_READ_WRITE = 'IndustryData-TimePeriod.ReadWrite.All';

/** Reading industry data operations. */
export const operationsRead: Permission = both('IndustryData.ReadBasic.All');

/** Data connectors (spec §4.2): reading, and creating, changing and deleting them. */
export const connectorsRead: Permission = both(CONNECTOR_READ, CONNECTOR_READ_WRITE);
export const connectorsWrite: Permission = both(CONNECTOR_READ_WRITE);

/** getUploadSession and validate: the Upload permission or ReadWrite.All (spec §4.2). */
export const connectorsUpload: Permission = both('IndustryData-DataConnector.Upload', CONNECTOR_READ_WRITE);

/** Source systems (spec §4.5). */
export const sourceSystemsRead: Permission = both('IndustryData-SourceSystem.Read.All', SOURCE_SYSTEM_READ_WRITE);
export const sourceSystemsWrite: Permission = both(SOURCE_SYSTEM_READ_WRITE);

/** Inbound flows. */
export const inboundFlowsRead: Permission = both('IndustryData-InboundFlow.Read.All', INBOUND_FLOW_READ_WRITE);
export const inboundFlowsWrite: Permission = both(INBOUND_FLOW_READ_WRITE);

/** Years (yearTimePeriodDefinition). */
export const yearsRead: Permission = both('IndustryData-TimePeriod.Read.All', TIME_PERIOD_READ_WRITE);
export const yearsWrite: Permission = both(TIME_PERIOD_READ_WRITE);

/** Reference definitions: IndustryData.ReadBasic.All lists them; changing them takes ReadWrite.All. */
const REFERENCE_READ_WRITE = 'IndustryData-ReferenceDefinition.ReadWrite.All';
export const referenceDefinitionsRead: Permission = both('IndustryData.ReadBasic.All', 'IndustryData-ReferenceDefinition.Read.All', REFERENCE_READ_WRITE);
export const referenceDefinitionsWrite: Permission = both(REFERENCE_READ_WRITE);

/** Role groups: read only (the catalogue's). */
export const roleGroupsRead: Permission = both('IndustryData.ReadBasic.All', 'IndustryData-ReferenceDefinition.Read.All', REFERENCE_READ_WRITE);

/** Outbound provisioning flow sets and their flows. */
const OUTBOUND_READ_WRITE = 'IndustryData-OutboundFlow.ReadWrite.All';
export const outboundFlowsRead: Permission = both('IndustryData-OutboundFlow.Read.All', OUTBOUND_READ_WRITE);
export const outboundFlowsWrite: Permission = both(OUTBOUND_READ_WRITE);

/** Runs: reading them and their statistics; starting one (which reads too). */
export const runsRead: Permission = both('IndustryData-Run.Read.All', 'IndustryData-Run.Start');
export const runsStart: Permission = both('IndustryData-Run.Start');
