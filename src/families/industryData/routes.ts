// getUploadSession in every form of spec §4.2 (the model's function routes know one): one, two or
// three segments after the connector's id, parsed by uploadSession.ts.
import { badRequest, notFound } from '../../errors.js';
import type { GraphRoute } from '../../graph/route.js';
import { serviceRoot } from '../../graph/context.js';
import type { Services } from '../../graph/services.js';
import type { BlobStore } from '../../storage/index.js';
import { CONNECTORS_PATH } from './model.js';
import { connectorsUpload } from './permissions.js';
import { parseGetUploadSession, uploadSession } from './uploadSession.js';

export function uploadSessionRoutes(services: Services, store: BlobStore): GraphRoute[] {
  return [':a', ':a/:b', ':a/:b/:c'].map(
    (segments): GraphRoute => ({
      method: 'GET',
      url: `/beta/${CONNECTORS_PATH}/:id/${segments}`,
      permission: connectorsUpload,
      async handler({ request, principal }) {
        const params = request.params as Record<string, string>;
        const call = parseGetUploadSession([params.a, params.b, params.c].filter((s): s is string => s !== undefined), request.query as Record<string, unknown>);
        if (!call) throw badRequest(`Resource not found for the segment '${params.c ?? params.b ?? params.a ?? ''}'.`);
        const id = params.id ?? '';
        const scope = { db: services.engine.db, tenantId: principal.tenantId };
        const session = await uploadSession(scope, store, serviceRoot(request, services.publicUrl), id, call.reset, request.log);
        if (!session) throw notFound(`No data connector with id '${id}' was found.`);
        return session;
      },
    }),
  );
}
