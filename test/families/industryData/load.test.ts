// The load's staging on both backends (COPY on PostgreSQL, batched inserts on PGlite): values with
// the characters COPY's text format escapes arrive as they were, and rows the validator took back
// are not loaded.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadFlow, RecordSpool } from '../../../src/families/industryData/load.js';
import { backends, TENANT } from '../../support/backends.js';
import type { TestServer } from '../../support/server.js';
import { startTestServer } from '../../support/server.js';

const TRICKY = 'O\'Brien "Jr" \\ back\tslash\nnew\rline é';

for (const backend of backends) {
  describe(`the load's staging on ${backend.name}`, () => {
    let ts: TestServer;
    before(async () => {
      ts = await startTestServer(backend);
    });
    after(() => ts.close());

    test('escaped characters arrive intact; a taken-back row is not loaded', async () => {
      const spool = new RecordSpool();
      try {
        // users.csv columns: sourcedId, username, familyName, givenName, activeDirectoryMatchId, email, phone, sms, password, userNumber
        spool.accept('users.csv', 2, ['u\t1', 'a@b.example', TRICKY, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
        spool.accept('users.csv', 3, ['u2', 'c@d.example', 'Plain', undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
        spool.accept('orgs.csv', 2, ['o1', TRICKY, 'school', undefined]);
        spool.reject('users.csv', 3);
        const counts = await loadFlow(ts.server.db, spool, { tenantId: TENANT, flowId: 'flow-1', yearId: null, runId: 'run-1', uploaded: ['users.csv', 'orgs.csv'], matching: [] });
        assert.deepEqual([counts.people, counts.organizations], [
          { active: 1, inactive: 0, total: 1 },
          { active: 1, inactive: 0, total: 1 },
        ]);
        const rows = await ts.server.db.query<{ file: string; record_key: string; data: Record<string, string> }>(
          `SELECT file, record_key, data FROM industry_data_records WHERE tenant_id = $1 ORDER BY file`,
          [TENANT],
        );
        assert.deepEqual(
          rows.map((r) => [r.file, r.record_key, r.data]),
          [
            ['orgs.csv', 'o1', { sourcedId: 'o1', name: TRICKY, type: 'school' }],
            ['users.csv', 'u\t1', { sourcedId: 'u\t1', username: 'a@b.example', familyName: TRICKY }],
          ],
        );
      } finally {
        spool.close();
      }
    });
  });
}
