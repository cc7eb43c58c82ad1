// `GET /beta/$metadata`: the CSDL of everything the started families serve, written once. Public,
// as Graph's own is: a schema holds no tenant's data.
import type { FastifyInstance } from 'fastify';
import type { FamilyInstance } from '../families/family.js';
import { API_VERSION } from '../graph/context.js';
import { metadataXml } from '../graph/model/metadata.js';

export function registerMetadata(app: FastifyInstance, families: readonly FamilyInstance[]): void {
  const xml = metadataXml({ singletons: families.flatMap((f) => f.singletons), actions: families.flatMap((f) => f.actions) });
  app.get(`/${API_VERSION}/$metadata`, async (_request, reply) => reply.type('application/xml; charset=utf-8').send(xml));
}
