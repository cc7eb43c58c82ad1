import type { Db } from './db.js';
import type { Migration } from './migrations/index.js';
import { inOrder } from './migrations/index.js';

// Any fixed number: every process that starts takes this lock before looking at the schema, so
// two processes starting at once apply each migration exactly once.
const MIGRATION_LOCK = 0x67726c72; // "grlr"

/** Applies the migrations not applied yet, in version order; answers their versions. */
export async function migrate(db: Db, migrations: readonly Migration[]): Promise<number[]> {
  const ordered = inOrder(migrations);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of ordered) {
      if (done.has(m.version)) continue;
      for (const sql of m.statements) await tx.query(sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
