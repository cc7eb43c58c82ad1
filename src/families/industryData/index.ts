import type { Family } from '../family.js';
import { FAMILY } from './model.js';
import { routes } from './routes.js';

export const industryData: Family = { name: FAMILY, handlers: {}, routes };
