// Every route of the family (spec §4): source systems, data connectors (with getUploadSession
// and validate), inbound flows, and the operations validate creates.
import { industryDataOperationsRead } from '../../auth/index.js';
import { operationRoutes } from '../../graph/operations.js';
import type { GraphRoute } from '../../graph/route.js';
import type { Services } from '../../graph/services.js';
import { FAMILY, FILE_VALIDATE_PROPERTIES, OPERATIONS_PATH } from './model.js';
import { connectorRoutes } from './routes/dataConnectors.js';
import { inboundFlowRoutes } from './routes/inboundFlows.js';
import { sourceSystemRoutes } from './routes/sourceSystems.js';
import { bindBlobStore, startSweeping } from './storage.js';

export function routes(services: Services): GraphRoute[] {
  // The store is chosen here, where the data directory is known; the handlers find it by database.
  const store = bindBlobStore(services.engine.db, services.dataDir);
  startSweeping(services.engine.db, store, services.shutdown, () => undefined);
  return [
    ...operationRoutes(services, {
      family: FAMILY,
      path: OPERATIONS_PATH,
      permission: industryDataOperationsRead,
      derivedProperties: FILE_VALIDATE_PROPERTIES,
    }),
    ...sourceSystemRoutes(services),
    ...connectorRoutes(services),
    ...inboundFlowRoutes(services),
  ];
}
