// The demo tenant a fresh server shows: seeded once (a small directory in which every PIM alert
// has incidents), and its alerts refreshed at every start, so they reflect today's date.
import type { Db } from '../db/db.js';
import { hasDirectory, seedDemoTenant } from '../directory/index.js';
import type { Engine, Operation } from '../engine/index.js';
import { startRefreshAll } from '../families/roleManagementAlerts/index.js';

export interface DemoConfig {
  tenantId: string;
  /** Users of a newly seeded demo directory. */
  users: number;
}

export interface DemoState {
  tenantId: string;
  /** Whether this start seeded the directory (false: it was there already). */
  seeded: boolean;
  /** The refresh-all operation started for the demo tenant. */
  refresh: Operation;
}

export async function startDemo(db: Db, engine: Engine, config: DemoConfig, root: string): Promise<DemoState> {
  const seeded = !(await hasDirectory(db, config.tenantId));
  if (seeded) await seedDemoTenant(db, config.tenantId, { users: config.users });
  const { operation } = await startRefreshAll(engine, config.tenantId, root);
  return { tenantId: config.tenantId, seeded, refresh: operation };
}
