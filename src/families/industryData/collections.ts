// How the family serves its types (schema.ts) from its SQL (store.ts): source systems, data
// connectors, inbound flows, years and reference definitions, each in the caller's tenant, and the
// catalogue's role groups. A row others refer to is kept
// (409 naming them); a binding to a missing entity is a 400 that says so. Built once per server:
// deleting a connector empties its upload containers in that server's blob store.
import type { FastifyBaseLogger } from 'fastify';
import type { Row } from '../../db/db.js';
import { badRequest, GraphError } from '../../errors.js';
import type { Column, EntityCollection, Scope, Values } from '../../graph/model/collection.js';
import { rowByKey } from '../../graph/model/rows.js';
import type { BlobStore } from '../../storage/index.js';
import { qualifiedName } from '../../graph/model/edm.js';
import { EXTENDABLE_TYPES, ROLE_GROUPS, TENANT_SOURCE } from './catalogue.js';
import { FILE_FORMATS } from './model.js';
import * as permissions from './permissions.js';
import {
  azureDataLakeConnectorType,
  connectorType,
  fileDataConnectorType,
  fileFormatReferenceValueType,
  inboundFileFlowType,
  inboundFlowType,
  NS,
  referenceDefinitionType,
  roleGroupType,
  sourceSystemType,
  yearType,
} from './schema.js';
import type { ReferenceRule } from './references.js';
import { referenceCode } from './references.js';
import type { ConnectorRow, DeleteOutcome, InboundFlowRow, ReferenceDefinitionRow, RoleGroupRow, SourceSystemRow, UserMatchingSetting } from './store.js';
import {
  connectorRows,
  deleteConnector,
  deleteInboundFlow,
  deleteSourceSystem,
  deleteYear,
  inboundFlowRows,
  insertConnector,
  insertInboundFlow,
  insertReferenceDefinition,
  insertSourceSystem,
  isBuiltInDefinition,
  referenceDefinitionRows,
  roleGroupRows,
  insertYear,
  sourceSystemRows,
  updateConnector,
  updateInboundFlow,
  updateReferenceDefinition,
  updateSourceSystem,
  updateYear,
  yearRows,
} from './store.js';

export interface Collections {
  sourceSystems: EntityCollection;
  connectors: EntityCollection;
  inboundFlows: EntityCollection;
  years: EntityCollection;
  referenceDefinitions: EntityCollection;
  roleGroups: EntityCollection;
}

const key: Column = { column: 'id', notNull: true };
const text = (column: string): Column => ({ column, notNull: true });

const inUse = (what: string, id: string, outcome: object, by: string, advice: string) => {
  const usedBy = 'usedBy' in outcome ? (outcome.usedBy as string[] | undefined) : undefined;
  const ids = usedBy?.length ? `: ${usedBy.map((u) => `'${u}'`).join(', ')}` : '';
  return { error: new GraphError(409, 'Conflict', `The ${what} '${id}' is in use by ${by}${ids}. ${advice}`) };
};

/** A delete's outcome as the generic routes take it: nothing, not found, or a 409. */
const deleted = (outcome: DeleteOutcome, conflict: () => { error: Error }) => (outcome.deleted ? undefined : outcome.usedBy ? conflict() : { notFound: true as const });

const unbound = (what: string, id: string, property: string, advice = '') =>
  badRequest(`The ${what} '${id}' bound by '${property}' does not exist${advice}.`, property);

/** `expired` past its expiration, else `ready` (its connector exists: the database keeps it). */
export function readiness(row: InboundFlowRow, now = Date.now()): string {
  return row.expires_at !== null && Date.parse(row.expires_at) <= now ? 'expired' : 'ready';
}

const FILE_FORMAT: ReferenceRule = { referenceType: 'RefFileFormat', aliases: FILE_FORMATS };
const YEAR: ReferenceRule = { referenceType: 'RefAcademicYear', anyCode: true };
const MATCH_TARGET: ReferenceRule = { referenceType: 'RefUserMatchTarget' };
const IDENTIFIER_TYPE: ReferenceRule = { referenceType: 'RefIdentifierType' };

const ROLE_GROUP_IDS = ROLE_GROUPS.map((g) => g.id);


/** Connector types Graph has that this service does not create (a clear 400 rather than "unknown type"). */
const OTHER_CONNECTOR_TYPES = [`${NS}.apiDataConnector`, `${NS}.oneRosterApiDataConnector`, qualifiedName(fileDataConnectorType), qualifiedName(connectorType)];

export function collections(store: BlobStore, log: FastifyBaseLogger | undefined): Collections {
  /** The code of a reference value, checked against the tenant's definitions. */
  const code = (scope: Scope, value: unknown, target: string, rule: ReferenceRule) => referenceCode(scope, referenceDefinitions, value as Values, target, rule);
  const optionalCode = async (scope: Scope, value: unknown, target: string, rule: ReferenceRule) =>
    value === null || value === undefined ? null : code(scope, value, target, rule);

  /** Settings as stored: every member present, codes resolved, the role group by its key. */
  const matchingSettings = (scope: Scope, values: unknown): Promise<UserMatchingSetting[]> =>
    Promise.all(
      (values as Values[]).map(async (s, i) => {
        const at = `userMatchingSettings[${i}]`;
        const matchTarget = await optionalCode(scope, s.matchTarget, `${at}.matchTarget`, MATCH_TARGET);
        const sourceIdentifier = await optionalCode(scope, s.sourceIdentifier, `${at}.sourceIdentifier`, IDENTIFIER_TYPE);
        return {
          matchTarget: matchTarget === null ? null : { code: matchTarget },
          priorityOrder: (s.priorityOrder as number | null | undefined) ?? null,
          sourceIdentifier: sourceIdentifier === null ? null : { code: sourceIdentifier },
          ...(s.roleGroup === undefined ? {} : { roleGroupId: s.roleGroup as string }),
        };
      }),
    );

  const sourceSystems: EntityCollection = {
    what: 'source system',
    type: sourceSystemType,
    columns: {
      id: key,
      displayName: text('display_name'),
      vendor: { column: 'vendor' },
      userMatchingSettings: {
        column: 'user_matching_settings',
        read: (row) =>
          (row as SourceSystemRow).user_matching_settings.map((s) => ({ matchTarget: s.matchTarget, priorityOrder: s.priorityOrder, sourceIdentifier: s.sourceIdentifier })),
      },
    },
    rows: (s) => sourceSystemRows(s.tenantId),
    permissions: { read: permissions.sourceSystemsRead, write: permissions.sourceSystemsWrite },
    validate(values) {
      ((values.userMatchingSettings ?? []) as Values[]).forEach((setting, i) => {
        const group = setting.roleGroup as string | undefined;
        if (group !== undefined && !ROLE_GROUP_IDS.includes(group)) {
          const target = `userMatchingSettings[${i}].roleGroup@odata.bind`;
          throw badRequest(`The role group '${group}' bound by '${target}' does not exist; the role groups are ${ROLE_GROUP_IDS.map((g) => `'${g}'`).join(', ')}.`, target);
        }
      });
    },
    create: async ({ scope: s }, v) =>
      insertSourceSystem(s.db, s.tenantId, {
        displayName: v.displayName as string,
        vendor: (v.vendor as string | null | undefined) ?? null,
        userMatchingSettings: v.userMatchingSettings ? await matchingSettings(s, v.userMatchingSettings) : [],
      }),
    async update({ scope: s }, row, v) {
      const fields = {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string }),
        ...(v.vendor === undefined ? {} : { vendor: v.vendor as string | null }),
        ...(v.userMatchingSettings === undefined ? {} : { userMatchingSettings: await matchingSettings(s, v.userMatchingSettings ?? []) }),
      };
      if (!(await updateSourceSystem(s.db, s.tenantId, String(row.id), fields))) return { notFound: true };
    },
    remove: async ({ scope: s }, row) => {
      const outcome = await deleteSourceSystem(s.db, s.tenantId, String(row.id));
      return deleted(outcome, () => inUse('source system', String(row.id), outcome, 'data connectors', 'Delete them or bind them to another source system first.'));
    },
  };

  const unboundSourceSystem = (id: string) =>
    unbound('source system', id, 'sourceSystem@odata.bind', '; create it first (POST …/external/industryData/sourceSystems)');

  const connectors: EntityCollection = {
    what: 'data connector',
    type: connectorType,
    types: [azureDataLakeConnectorType],
    columns: {
      id: key,
      displayName: text('display_name'),
      fileFormat: {
        column: 'file_format_code',
        read: (row) => (row.file_format_code === null ? null : { '@odata.type': `#${qualifiedName(fileFormatReferenceValueType)}`, code: row.file_format_code }),
      },
      // `$filter=fileFormat/code eq 'schoolDataSyncV2Rev1'`
      'fileFormat/code': { column: 'file_format_code', caseSensitive: true },
    },
    rows: (s) => connectorRows(s.tenantId),
    navigations: { sourceSystem: { target: () => sourceSystems, key: (row) => (row as ConnectorRow).source_system_id } },
    permissions: { read: permissions.connectorsRead, write: permissions.connectorsWrite },
    bodyType: { create: 'required' },
    unsupportedTypes: OTHER_CONNECTOR_TYPES,
    async create({ scope: s }, v) {
      const fields = { displayName: v.displayName as string, fileFormat: await optionalCode(s, v.fileFormat, 'fileFormat', FILE_FORMAT), sourceSystemId: v.sourceSystem as string };
      return (await insertConnector(s.db, s.tenantId, fields)) ?? { error: unboundSourceSystem(fields.sourceSystemId) };
    },
    async update({ scope: s }, row, v) {
      const fields = {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string }),
        ...(v.fileFormat === undefined ? {} : { fileFormat: await optionalCode(s, v.fileFormat, 'fileFormat', FILE_FORMAT) }),
        ...(v.sourceSystem === undefined ? {} : { sourceSystemId: v.sourceSystem as string }),
      };
      const outcome = await updateConnector(s.db, s.tenantId, String(row.id), fields);
      if (outcome === 'missing') return { notFound: true };
      if (outcome === 'noSourceSystem') return { error: unboundSourceSystem(fields.sourceSystemId!) };
    },
    async remove({ scope: s }, row) {
      const id = String(row.id);
      const outcome = await deleteConnector(s.db, s.tenantId, id);
      if (!outcome.deleted) return deleted(outcome, () => inUse('data connector', id, outcome, 'inbound flows', 'Delete them first.'));
      for (const session of outcome.sessions) {
        await store.deleteContainer(session).catch((err: unknown) => log?.warn({ err, container: session }, "could not empty a deleted connector's container"));
      }
    },
  };

  const years: EntityCollection = {
    what: 'year',
    type: yearType,
    columns: {
      id: key,
      displayName: text('display_name'),
      startDate: { column: 'start_date' },
      endDate: { column: 'end_date' },
      year: { column: 'year_code', read: (row) => ({ code: row.year_code }) },
    },
    rows: (s) => yearRows(s.tenantId),
    permissions: { read: permissions.yearsRead, write: permissions.yearsWrite },
    validate(values, _method, row) {
      const start = (values.startDate ?? row?.start_date) as string | undefined;
      const end = (values.endDate ?? row?.end_date) as string | undefined;
      if (start !== undefined && end !== undefined && end < start) throw badRequest(`'endDate' must not be before 'startDate'.`, 'endDate');
    },
    create: async ({ scope: s }, v) =>
      insertYear(s.db, s.tenantId, {
        displayName: v.displayName as string,
        startDate: v.startDate as string,
        endDate: v.endDate as string,
        yearCode: await code(s, v.year, 'year', YEAR),
      }),
    async update({ scope: s }, row, v) {
      const fields = {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string }),
        ...(v.startDate === undefined ? {} : { startDate: v.startDate as string }),
        ...(v.endDate === undefined ? {} : { endDate: v.endDate as string }),
        ...(v.year === undefined ? {} : { yearCode: await code(s, v.year, 'year', YEAR) }),
      };
      if (!(await updateYear(s.db, s.tenantId, String(row.id), fields))) return { notFound: true };
    },
    remove: async ({ scope: s }, row) => {
      const outcome = await deleteYear(s.db, s.tenantId, String(row.id));
      return deleted(outcome, () => inUse('year', String(row.id), outcome, 'inbound flows', 'Delete them or bind them to another year first.'));
    },
  };

  const unboundConnector = (id: string) => unbound('data connector', id, 'dataConnector@odata.bind', '; create it first');
  const unboundYear = (id: string) => unbound('year', id, 'year@odata.bind', '; create it first (POST …/external/industryData/years)');
  /** Which binding of a flow named nothing, as the 400 that says so. */
  const unboundFlow = (outcome: 'noConnector' | 'noYear', fields: { connectorId?: string; yearId?: string | null }) => ({
    error: outcome === 'noYear' ? unboundYear(fields.yearId!) : unboundConnector(fields.connectorId!),
  });

  const inboundFlows: EntityCollection = {
    what: 'inbound flow',
    type: inboundFlowType,
    types: [inboundFileFlowType],
    columns: {
      id: key,
      displayName: text('display_name'),
      readinessStatus: { read: (row) => readiness(row as InboundFlowRow) },
      dataDomain: text('data_domain'),
      effectiveDateTime: text('effective_at'),
      expirationDateTime: { column: 'expires_at' },
    },
    rows: (s) => inboundFlowRows(s.tenantId),
    navigations: {
      dataConnector: { target: () => connectors, key: (row) => (row as InboundFlowRow).connector_id },
      year: { target: () => years, key: (row) => (row as InboundFlowRow).year_id },
    },
    permissions: { read: permissions.inboundFlowsRead, write: permissions.inboundFlowsWrite },
    bodyType: { create: 'required' },
    unsupportedTypes: [`${NS}.inboundApiFlow`, `${NS}.inboundFlow`],
    validate(values, _method, row?: Row) {
      const effective = (values.effectiveDateTime ?? row?.effective_at) as string;
      const expiration = values.expirationDateTime === undefined ? (row?.expires_at as string | null | undefined) : (values.expirationDateTime as string | null);
      if (expiration && Date.parse(expiration) <= Date.parse(effective)) throw badRequest(`'expirationDateTime' must be after 'effectiveDateTime'.`, 'expirationDateTime');
    },
    async create({ scope: s }, v) {
      const fields = {
        displayName: v.displayName as string,
        dataDomain: v.dataDomain as string,
        effectiveDateTime: v.effectiveDateTime as string,
        expirationDateTime: (v.expirationDateTime as string | null | undefined) ?? null,
        connectorId: v.dataConnector as string,
        yearId: (v.year as string | undefined) ?? null,
      };
      const outcome = await insertInboundFlow(s.db, s.tenantId, fields);
      return typeof outcome === 'string' ? unboundFlow(outcome, fields) : outcome;
    },
    async update({ scope: s }, row, v) {
      const fields = {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string }),
        ...(v.dataDomain === undefined ? {} : { dataDomain: v.dataDomain as string }),
        ...(v.effectiveDateTime === undefined ? {} : { effectiveDateTime: v.effectiveDateTime as string }),
        ...(v.expirationDateTime === undefined ? {} : { expirationDateTime: v.expirationDateTime as string | null }),
        ...(v.dataConnector === undefined ? {} : { connectorId: v.dataConnector as string }),
        ...(v.year === undefined ? {} : { yearId: v.year as string }),
      };
      const outcome = await updateInboundFlow(s.db, s.tenantId, String(row.id), fields);
      if (outcome === 'missing') return { notFound: true };
      if (outcome !== 'updated') return unboundFlow(outcome, fields);
    },
    remove: async ({ scope: s }, row) => ((await deleteInboundFlow(s.db, s.tenantId, String(row.id))) ? undefined : { notFound: true }),
  };

  const referenceDefinitions: EntityCollection = {
    what: 'reference definition',
    type: referenceDefinitionType,
    columns: {
      id: key,
      code: { column: 'code', notNull: true, caseSensitive: true },
      createdDateTime: text('created_at'),
      displayName: { column: 'display_name' },
      isDisabled: text('is_disabled'),
      lastModifiedDateTime: text('last_modified_at'),
      referenceType: { column: 'reference_type', notNull: true, caseSensitive: true },
      sortIndex: text('sort_index'),
      source: text('source'),
    },
    rows: (s) => referenceDefinitionRows(s.tenantId),
    permissions: { read: permissions.referenceDefinitionsRead, write: permissions.referenceDefinitionsWrite },
    validate(values, method) {
      if (method === 'update') {
        for (const name of ['code', 'referenceType']) {
          if (values[name] !== undefined) throw badRequest(`'${name}' cannot be changed: it is part of the definition's id. Create another definition instead.`, name);
        }
      } else if (!EXTENDABLE_TYPES.includes(values.referenceType as string)) {
        throw badRequest(`Codes can be added to these reference types only: ${EXTENDABLE_TYPES.map((t) => `'${t}'`).join(', ')}.`, 'referenceType');
      }
    },
    async create({ scope: s }, v) {
      const fields = {
        referenceType: v.referenceType as string,
        code: v.code as string,
        displayName: (v.displayName as string | null | undefined) ?? null,
        isDisabled: v.isDisabled as boolean,
        sortIndex: v.sortIndex as number,
      };
      const id = `${fields.referenceType}-${fields.code}`;
      if (isBuiltInDefinition(id) || !(await insertReferenceDefinition(s.db, s.tenantId, fields, TENANT_SOURCE))) {
        return { error: new GraphError(409, 'Conflict', `The reference definition '${id}' already exists; change it with PATCH.`) };
      }
      return (await rowByKey(s, referenceDefinitions, id))!;
    },
    async update({ scope: s }, row, v) {
      await updateReferenceDefinition(s.db, s.tenantId, row as ReferenceDefinitionRow, {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string | null }),
        ...(v.isDisabled === undefined ? {} : { isDisabled: v.isDisabled as boolean }),
        ...(v.sortIndex === undefined ? {} : { sortIndex: v.sortIndex as number }),
      });
    },
    // Graph's delete is a soft delete: the definition stays, disabled (data that uses it keeps its meaning).
    remove: ({ scope: s }, row) => updateReferenceDefinition(s.db, s.tenantId, row as ReferenceDefinitionRow, { isDisabled: true }),
  };

  const roleGroups: EntityCollection = {
    what: 'role group',
    type: roleGroupType,
    columns: {
      id: key,
      displayName: text('display_name'),
      roles: { read: (row) => (row as RoleGroupRow).roles.map((role) => ({ code: role })) },
    },
    rows: () => roleGroupRows(),
    permissions: { read: permissions.roleGroupsRead },
  };

  return { sourceSystems, connectors, inboundFlows, years, referenceDefinitions, roleGroups };
}
