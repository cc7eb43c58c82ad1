import type { Migration } from '../db/migrations/index.js';
import { coreMigrations, inOrder } from '../db/migrations/index.js';
import type { Family } from './family.js';
import { industryData } from './industryData/index.js';
import { roleManagementAlerts } from './roleManagementAlerts/index.js';

export const families: readonly Family[] = [roleManagementAlerts, industryData];

/** The core's migrations and each of `list`'s, in one version sequence. */
export const migrationsOf = (list: readonly Family[]): readonly Migration[] => inOrder([...coreMigrations, ...list.flatMap((f) => f.migrations)]);

/** Every migration of the service. */
export const migrations: readonly Migration[] = migrationsOf(families);
export type { Family, FamilyInstance } from './family.js';
