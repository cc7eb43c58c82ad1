// Outbound provisioning flow sets and the provisioning flows they contain (at most one of each of
// the four types per set), served from store.ts. A flow's own properties are kept as the body gave
// them, once checked: section role codes resolved against the tenant's RefSectionRole definitions,
// user configurations' role groups by key. Written back as Graph writes them: derived complex
// values with their `@odata.type`, passwords masked, role groups expanded.
import { badRequest, GraphError } from '../../errors.js';
import type { BoundAction } from '../../graph/model/action.js';
import type { EntityCollection, Scope, Values } from '../../graph/model/collection.js';
import { rowByKey } from '../../graph/model/rows.js';
import { ROLE_GROUPS } from './catalogue.js';
import * as permissions from './permissions.js';
import { unprovisionFlow } from './provision.js';
import { NS, outboundFlowSetType, PROVISIONING_FLOW_TYPES, provisioningFlowType } from './schema.js';
import type { ReferenceRule } from './references.js';
import { referenceCode } from './references.js';
import type { FlowSetRow, ProvisioningFlowRow } from './store.js';
import {
  deleteFlowSet,
  deleteProvisioningFlow,
  flowSetRows,
  insertFlowSet,
  insertProvisioningFlow,
  provisioningFlowRows,
  resetProvisioningFlow,
  updateFlowSet,
  updateProvisioningFlow,
} from './store.js';

/** How Graph writes a stored password: never the password. */
const MASKED_PASSWORD = '***************';
const SECTION_ROLE: ReferenceRule = { referenceType: 'RefSectionRole' };

/** A stored value as Graph writes it: `@odata.type` with `#`, passwords masked, role groups expanded. */
function written(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(written);
  if (value === null || typeof value !== 'object') return value;
  const { '@odata.type': type, ...members } = value as Record<string, unknown>;
  const json: Record<string, unknown> = type === undefined ? {} : { '@odata.type': `#${type as string}` };
  for (const [key, member] of Object.entries(members)) {
    if (key === 'password') json[key] = MASKED_PASSWORD;
    else if (key === 'roleGroup') {
      const group = ROLE_GROUPS.find((g) => g.id === member);
      json[key] = group ? { id: group.id, displayName: group.displayName, roles: group.roles.map((code) => ({ code })) } : null;
    } else json[key] = written(member);
  }
  return json;
}

/** Checks what the schema cannot say, and resolves codes: the stored form of a flow's properties. */
async function storedOptions(values: Values, code: (value: unknown, target: string) => Promise<string>): Promise<Values> {
  const options: Values = { ...values };
  const mappings = (options.configuration as Values | null | undefined)?.enrollmentMappings as Values | null | undefined;
  if (mappings) {
    for (const side of ['memberEnrollmentMappings', 'ownerEnrollmentMappings']) {
      const refs = mappings[side] as Values[] | null | undefined;
      if (refs) mappings[side] = await Promise.all(refs.map(async (ref, i) => ({ code: await code(ref, `configuration.enrollmentMappings.${side}[${i}]`) })));
    }
  }
  const configurations = ((options.creationOptions as Values | null | undefined)?.configurations ?? []) as Values[];
  configurations.forEach((c, i) => {
    const target = `creationOptions.configurations[${i}].roleGroup@odata.bind`;
    if (c.roleGroup === undefined) throw badRequest(`Each user configuration names its role group with '${target.slice(target.lastIndexOf('.') + 1)}'.`, target);
    if (!ROLE_GROUPS.some((g) => g.id === c.roleGroup)) throw badRequest(`The role group '${c.roleGroup as string}' bound by '${target}' does not exist.`, target);
  });
  return options;
}

const typeByName = new Map(PROVISIONING_FLOW_TYPES.map((t) => [t.name, t]));

export interface OutboundCollections {
  flowSets: EntityCollection;
  provisioningFlows: EntityCollection;
  actions: readonly BoundAction[];
}

export function outboundCollections(referenceDefinitions: () => EntityCollection): OutboundCollections {
  const code = (scope: Scope) => (value: unknown, target: string) => referenceCode(scope, referenceDefinitions(), value as Values, target, SECTION_ROLE);
  const own = (row: ProvisioningFlowRow, name: string) => (name in row.options ? written(row.options[name]) : null);

  const provisioningFlows: EntityCollection = {
    what: 'provisioning flow',
    type: provisioningFlowType,
    types: PROVISIONING_FLOW_TYPES,
    typeOf: (row) => typeByName.get((row as ProvisioningFlowRow).flow_type)!,
    columns: {
      id: { column: 'id', notNull: true },
      createdDateTime: { column: 'created_at', notNull: true },
      lastModifiedDateTime: { column: 'last_modified_at', notNull: true },
      readinessStatus: { column: 'readiness', notNull: true },
      creationOptions: { read: (row) => own(row as ProvisioningFlowRow, 'creationOptions') },
      configuration: { read: (row) => own(row as ProvisioningFlowRow, 'configuration') },
      createUnmatchedUsers: { read: (row) => (row as ProvisioningFlowRow).options.createUnmatchedUsers ?? false },
      managementOptions: { read: (row) => own(row as ProvisioningFlowRow, 'managementOptions') },
    },
    rows: (s, parent) => provisioningFlowRows(s.tenantId, String(parent!.id)),
    permissions: { read: permissions.outboundFlowsRead, write: permissions.outboundFlowsWrite },
    bodyType: { create: 'required' },
    async create({ scope: s, type: concrete }, values, parent) {
      const type = concrete!.name;
      const flowSet = String(parent!.id);
      const id = await insertProvisioningFlow(s.db, s.tenantId, flowSet, type, await storedOptions(values, code(s)));
      if (id === undefined) return { error: new GraphError(409, 'Conflict', `The flow set '${flowSet}' already has a ${type}; change it with PATCH or delete it first.`) };
      return (await rowByKey(s, provisioningFlows, id, parent)) ?? { notFound: true };
    },
    async update({ scope: s }, row, values) {
      if (!(await updateProvisioningFlow(s.db, s.tenantId, String(row.id), await storedOptions(values, code(s))))) return { notFound: true };
    },
    remove: async ({ scope: s }, row) => ((await deleteProvisioningFlow(s.db, s.tenantId, String(row.id))) ? undefined : { notFound: true }),
  };

  const flowSets: EntityCollection = {
    what: 'outbound provisioning flow set',
    type: outboundFlowSetType,
    columns: {
      id: { column: 'id', notNull: true },
      createdDateTime: { column: 'created_at', notNull: true },
      displayName: { column: 'display_name', notNull: true },
      filter: { read: (row) => written((row as FlowSetRow).filter) },
      lastModifiedDateTime: { column: 'last_modified_at', notNull: true },
    },
    rows: (s) => flowSetRows(s.tenantId),
    navigations: { provisioningFlows: { target: () => provisioningFlows, contained: true } },
    permissions: { read: permissions.outboundFlowsRead, write: permissions.outboundFlowsWrite },
    create: ({ scope: s }, v) => insertFlowSet(s.db, s.tenantId, { displayName: v.displayName as string, filter: (v.filter as Values | null | undefined) ?? null }),
    async update({ scope: s }, row, v) {
      const fields = {
        ...(v.displayName === undefined ? {} : { displayName: v.displayName as string }),
        ...(v.filter === undefined ? {} : { filter: v.filter as Values | null }),
      };
      if (!(await updateFlowSet(s.db, s.tenantId, String(row.id), fields))) return { notFound: true };
    },
    remove: async ({ scope: s }, row) => ((await deleteFlowSet(s.db, s.tenantId, String(row.id))) ? undefined : { notFound: true }),
  };

  const actions: BoundAction[] = [
    {
      kind: 'action',
      namespace: NS,
      name: 'reset',
      binding: provisioningFlowType,
      permission: permissions.outboundFlowsWrite,
      async invoke({ scope, row, reply }) {
        const id = String(row!.id);
        // What it provisioned goes now; the next run provisions the current data as its first did.
        const found = await scope.db.transaction(async (tx) => (await resetProvisioningFlow(tx, scope.tenantId, id)) && (await unprovisionFlow(tx, scope.tenantId, id), true));
        if (!found) throw new GraphError(404, 'ResourceNotFound', `No provisioning flow with id '${id}' was found.`);
        return reply.code(202).send();
      },
    },
  ];

  return { flowSets, provisioningFlows, actions };
}
