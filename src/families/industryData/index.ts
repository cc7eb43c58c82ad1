// Industry data (spec §4): the family as the server starts it. It opens the blob store of upload
// sessions (files in the data directory, or the database) and sweeps it until stopped.
import type { BlobStore } from '../../storage/index.js';
import type { Family, FamilyInstance } from '../family.js';
import { actions } from './actions.js';
import { registerBlobEndpoint } from './blob/endpoint.js';
import { blobEndpoint } from './blob/refusals.js';
import { collections } from './collections.js';
import { handlers } from './handlers.js';
import { migrations } from './migrations.js';
import { CONNECTORS_PATH, FAMILY, FLOW_SETS_PATH, RUNS_PATH, INBOUND_FLOWS_PATH, OPERATIONS_PATH, REFERENCE_DEFINITIONS_PATH, ROLE_GROUPS_PATH, SOURCE_SYSTEMS_PATH, YEARS_PATH } from './model.js';
import { outboundCollections } from './outbound.js';
import { runCollections, startScheduling } from './runs.js';
import { operationsRead } from './permissions.js';
import { uploadSessionRoutes } from './routes.js';
import { externalType, fileValidateOperationType } from './schema.js';
import { openBlobStore, startSweeping } from './storage.js';

/** The family in a server, with the blob store it opened. */
export interface IndustryDataInstance extends FamilyInstance {
  store: BlobStore;
}

/** The blob store of the industry data family running in `server`. */
export function blobStoreOf(server: { families: readonly FamilyInstance[] }): BlobStore {
  return (server.families.find((f) => f.name === FAMILY) as IndustryDataInstance).store;
}

export const industryData: Family = {
  name: FAMILY,
  migrations,
  endpoint: blobEndpoint,
  start(services): IndustryDataInstance {
    const db = services.engine.db;
    const store = openBlobStore(db, services.dataDir);
    const stopSweeping = startSweeping(db, store, (err) => services.logger?.warn({ err }, 'industry data: sweeping upload containers failed'));
    const c = collections(store, services.logger);
    const outbound = outboundCollections(() => c.referenceDefinitions);
    const r = runCollections(() => c.inboundFlows);
    const stopScheduling = startScheduling(db, services.engine, services.publicUrl ? `${services.publicUrl.replace(/\/+$/, '')}/beta` : null, services.logger);
    return {
      name: FAMILY,
      store,
      singletons: [{ name: 'external', type: externalType }],
      sets: [
        { path: SOURCE_SYSTEMS_PATH, collection: c.sourceSystems },
        { path: CONNECTORS_PATH, collection: c.connectors },
        { path: INBOUND_FLOWS_PATH, collection: c.inboundFlows },
        { path: YEARS_PATH, collection: c.years },
        { path: REFERENCE_DEFINITIONS_PATH, collection: c.referenceDefinitions },
        { path: ROLE_GROUPS_PATH, collection: c.roleGroups },
        { path: FLOW_SETS_PATH, collection: outbound.flowSets },
        { path: RUNS_PATH, collection: r.runs },
      ],
      actions: [...actions, ...outbound.actions, ...r.actions],
      operations: { family: FAMILY, path: OPERATIONS_PATH, permission: operationsRead, types: [fileValidateOperationType] },
      handlers: handlers(store),
      routes: uploadSessionRoutes(services, store),
      register: (app) => registerBlobEndpoint(app, services, store),
      stop: async () => {
        stopSweeping();
        stopScheduling();
      },
    };
  },
};
