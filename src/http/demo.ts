// The demo tenant a fresh server shows: seeded once (a small directory in which every PIM alert
// has incidents), and its alerts refreshed at every start, so they reflect today's date.
import type { Db } from '../db/db.js';
import { hasDirectory, seedDemoTenant } from '../directory/index.js';
import type { Operation } from '../engine/index.js';
import type { FamilyInstance } from '../families/index.js';

export interface DemoConfig {
  tenantId: string;
  /** Users of a newly seeded demo directory. */
  users: number;
}

export interface DemoState {
  tenantId: string;
  /** Whether this start seeded the directory (false: it was there already). */
  seeded: boolean;
  /** The operation started for the demo tenant (PIM alerts: refresh every alert). */
  refresh: Operation;
}

export async function startDemo(db: Db, families: readonly FamilyInstance[], config: DemoConfig, root: string): Promise<DemoState> {
  const seeded = !(await hasDirectory(db, config.tenantId));
  if (seeded) await seedDemoTenant(db, config.tenantId, { users: config.users });
  const family = families.find((f) => f.demo);
  if (!family) throw new Error('No family starts operations for a demo tenant.');
  const refresh = await family.demo!(config.tenantId, root);
  return { tenantId: config.tenantId, seeded, refresh };
}
