import type { Family } from '../family.js';
import { registerBlobEndpoint } from './blob/endpoint.js';
import { blobEndpoint } from './blob/refusals.js';
import { handlers } from './handlers.js';
import { FAMILY } from './model.js';
import { routes } from './routes.js';

export const industryData: Family = { name: FAMILY, handlers, routes, register: registerBlobEndpoint, endpoint: blobEndpoint };
