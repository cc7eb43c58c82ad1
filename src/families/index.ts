import type { Family } from './family.js';
import { industryData } from './industryData/index.js';
import { roleManagementAlerts } from './roleManagementAlerts/index.js';

export const families: readonly Family[] = [roleManagementAlerts, industryData];
export type { Family, FamilyInstance } from './family.js';
