// Ended sessions leave no files: an expired container is emptied by the sweep and replaced at the
// next getUploadSession; a container no session owns (a crash between the database and the
// store) is removed; live ones stay. On both stores.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import type { RestError } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { blobStoreOf } from '../../../src/families/industryData/index.js';
import { sweepContainers } from '../../../src/families/industryData/storage.js';
import { backends } from '../../support/backends.js';
import type { Suite } from './support.js';
import { startSuite } from './support.js';

const ORPHAN = '7f3e2d1c-0b9a-4f8e-a7d6-c5b4a3928170';

for (const backend of backends) {
  describe(`upload containers are swept on ${backend.name}`, () => {
    let s: Suite;
    before(async () => {
      s = await startSuite(backend);
    });
    after(() => s.close());

    test('expired and orphaned containers are emptied, live ones kept; an expired session is replaced', async () => {
      const db = s.ts.server.db;
      const store = blobStoreOf(s.ts.server);
      const system = await s.sourceSystem();
      const live = (await s.connector(system.id as string)).id as string;
      const expiring = (await s.connector(system.id as string)).id as string;
      const liveSession = await s.session(live);
      const oldSession = await s.session(expiring);
      await new ContainerClient(liveSession.sessionUrl as string).getBlockBlobClient('orgs.csv').uploadData(Buffer.from('a'));
      const old = new ContainerClient(oldSession.sessionUrl as string);
      await old.getBlockBlobClient('orgs.csv').uploadData(Buffer.from('b'));
      await store.putBlob(ORPHAN, 'left-behind.csv', Readable.from([Buffer.from('c')]), { maxBytes: 10 });

      await db.query(`UPDATE industry_data_upload_sessions SET container_expires_at = now() - interval '1 second' WHERE connector_id = $1`, [expiring]);
      // Past its container's time the URL is refused, even before the sweep.
      const refused = await old.getBlockBlobClient('orgs.csv').downloadToBuffer().catch((err: RestError) => err);
      assert.equal((refused as RestError).statusCode, 403);

      assert.equal(await sweepContainers(db, store), 2);
      const containers = await store.containers();
      assert.ok(containers.includes(liveSession.containerId as string));
      assert.ok(!containers.includes(oldSession.containerId as string));
      assert.ok(!containers.includes(ORPHAN));
      assert.equal((await store.list(liveSession.containerId as string)).blobs.length, 1);
      assert.equal(await sweepContainers(db, store), 0, 'nothing left to sweep');

      const next = await s.session(expiring);
      assert.notEqual(next.containerId, oldSession.containerId, 'an expired session is replaced, not extended');
      assert.equal((await s.session(live)).containerId, liveSession.containerId);
    });
  });
}
