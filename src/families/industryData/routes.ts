import { industryDataOperationsRead } from '../../auth/index.js';
import { operationRoutes } from '../../graph/operations.js';
import type { GraphRoute } from '../../graph/route.js';
import type { Services } from '../../graph/services.js';
import { FAMILY, FILE_VALIDATE_PROPERTIES } from './model.js';

export function routes(services: Services): GraphRoute[] {
  return operationRoutes(services, {
    family: FAMILY,
    path: 'external/industryData/operations',
    permission: industryDataOperationsRead,
    derivedProperties: FILE_VALIDATE_PROPERTIES,
  });
}
