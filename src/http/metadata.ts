// `GET /beta/$metadata`: the CSDL of everything the started families serve, written once. Public,
// as Graph's own is: a schema holds no tenant's data.
import type { FastifyInstance } from 'fastify';
import type { FamilyInstance } from '../families/family.js';
import { GraphError } from '../errors.js';
import { API_VERSION } from '../graph/context.js';
import type { EntityCollection } from '../graph/model/collection.js';
import type { NamedType } from '../graph/model/edm.js';
import { metadataXml } from '../graph/model/metadata.js';

/** The concrete types of every collection served, through its navigations too (contained collections). */
function servedTypes(families: readonly FamilyInstance[]): NamedType[] {
  const seen = new Set<EntityCollection>();
  const types: NamedType[] = [];
  const visit = (collection: EntityCollection) => {
    if (seen.has(collection)) return;
    seen.add(collection);
    types.push(collection.type, ...(collection.types ?? []));
    for (const source of Object.values(collection.navigations ?? {})) visit(source.target());
  };
  for (const family of families) {
    types.push(...(family.operations.types ?? []));
    for (const set of family.sets) visit(set.collection);
  }
  return types;
}

export function registerMetadata(app: FastifyInstance, families: readonly FamilyInstance[]): void {
  const xml = metadataXml({ singletons: families.flatMap((f) => f.singletons), actions: families.flatMap((f) => f.actions), types: servedTypes(families) });
  const url = `/${API_VERSION}/$metadata`;
  app.get(url, async (_request, reply) => reply.type('application/xml; charset=utf-8').send(xml));
  app.route({
    method: ['POST', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: async (request) => {
      throw new GraphError(405, 'MethodNotAllowed', `The HTTP method '${request.method}' is not allowed on this resource.`, { headers: { allow: 'GET, HEAD' } });
    },
  });
}
