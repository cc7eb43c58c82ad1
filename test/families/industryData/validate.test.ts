// validate end to end, on PGlite (files in the data directory) and PostgreSQL (blobs in the
// database): upload with the real Azure client, POST validate, poll the operation with
// `Prefer: wait`; the empty container of spec §4.6; one running validation per connector; and a
// worker that dies mid-validation, whose operation another worker finishes with the same result a
// clean run gives (replaced, never appended).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ContainerClient } from '@azure/storage-blob';
import type { HandlerContext } from '../../../src/engine/index.js';
import { Engine } from '../../../src/engine/index.js';
import { handlers } from '../../../src/families/industryData/handlers.js';
import { VALIDATE_KIND } from '../../../src/families/industryData/model.js';
import { blobStoreOf } from '../../../src/families/industryData/index.js';
import { validateUpload } from '../../../src/families/industryData/validator/index.js';
import type { ValidationResult } from '../../../src/families/industryData/validator/index.js';
import type { Readable as NodeReadable } from 'node:stream';
import { backends, TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { ALL_SCOPES, CONNECTORS, ROOT, SAMPLES, startSuite } from './support.js';

const SAMPLE_FILES = readdirSync(SAMPLES).filter((name) => name.endsWith('.csv'));
const CANONICAL = ['orgs.csv', 'users.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv', 'courses.csv', 'demographics.csv', 'userFlags.csv', 'relationships.csv'];

/** A connector with an upload session; the container client of its URL. */
async function connectorWithSession(s: Suite): Promise<{ id: string; container: ContainerClient; session: Json }> {
  const system = await s.sourceSystem();
  const id = (await s.connector(system.id as string)).id as string;
  const session = await s.session(id);
  return { id, session, container: new ContainerClient(session.sessionUrl as string) };
}

async function uploadSamples(container: ContainerClient): Promise<void> {
  for (const name of SAMPLE_FILES) await container.getBlockBlobClient(name).uploadFile(new URL(name, SAMPLES).pathname);
}

/** POST validate: the 202's Location, relative to the server. */
async function startValidate(s: Suite, connectorId: string): Promise<string> {
  const res = await s.call('POST', `${CONNECTORS}/${connectorId}/validate`);
  assert.equal(res.status, 202, await res.clone().text());
  return res.headers.get('location')!.slice(s.ts.url.length);
}

/** Polls with `Prefer: wait` until the operation ends. */
async function finished(s: Suite, location: string): Promise<Json> {
  for (let i = 0; i < 120; i++) {
    const res = await s.call('GET', location, { headers: { prefer: 'wait=5' } });
    assert.equal(res.status, 200);
    const op = (await res.json()) as Json;
    if (op.status === 'succeeded' || op.status === 'failed') return op;
  }
  assert.fail(`operation ${location} did not finish`);
}

const required = (file: string) => ({
  code: 'RequiredFileNotFound',
  message: `When trying to validate required file ${file} encountered RequiredFileNotFound error.`,
  target: file,
  details: [],
  innerError: null,
});
const optional = (file: string) => ({
  code: 'OptionalFileNotFound',
  message: `When trying to validate file ${file} encountered OptionalFileNotFound error.`,
  target: file,
  details: [],
  innerError: null,
});

for (const backend of backends) {
  describe(`validate end to end on ${backend.name}`, () => {
    let s: Suite;
    before(async () => {
      s = await startSuite(backend);
    });
    after(() => s.close());

    test("Microsoft's sample set: 202, then succeeded with all 10 files validated and nothing to report", async () => {
      const { id, container } = await connectorWithSession(s);
      await uploadSamples(container);
      const location = await startValidate(s, id);
      const op = await finished(s, location);
      assert.equal(op['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
      assert.equal(op['@odata.context'], `${s.ts.url}/beta/$metadata#external/industryData/operations/$entity`);
      assert.equal(op.status, 'succeeded', JSON.stringify(op));
      assert.deepEqual(op.validatedFiles, CANONICAL);
      assert.deepEqual(op.errors, []);
      assert.deepEqual(op.warnings, []);
      assert.equal(op.resourceLocation, `${s.ts.url}/beta/external/industryData/dataConnectors/${id}`);
      assert.equal(op.statusDetail, 'Validated 10 files: 0 errors, 0 warnings.');
      assert.ok((op.lastActionDateTime as string) >= (op.createdDateTime as string));
    });

    test('an empty container is not an HTTP error: succeeded, RequiredFileNotFound for each required file (spec §4.6)', async () => {
      const { id } = await connectorWithSession(s);
      const op = await finished(s, await startValidate(s, id));
      assert.equal(op.status, 'succeeded');
      assert.deepEqual(op.validatedFiles, []);
      assert.deepEqual(op.errors, ['orgs.csv', 'users.csv', 'roles.csv'].map(required));
      assert.deepEqual(op.warnings, ['classes.csv', 'enrollments.csv'].map(optional));
    });

    test('a connector that never asked for an upload session: UploadSessionNotFound', async () => {
      const system = await s.sourceSystem();
      const id = (await s.connector(system.id as string)).id as string;
      const op = await finished(s, await startValidate(s, id));
      assert.equal(op.status, 'succeeded');
      assert.deepEqual((op.errors as Json[]).map((e) => [e.code, e.target]), [['UploadSessionNotFound', 'uploadSession']]);
    });

    test('problems in the files are reported in errors and warnings; a later upload without an optional file is FileSetChanged', async () => {
      const { id, container } = await connectorWithSession(s);
      await uploadSamples(container);
      assert.equal((await finished(s, await startValidate(s, id))).status, 'succeeded');
      // Second upload: demographics.csv gone, a user without a username, a stray file.
      await container.getBlockBlobClient('demographics.csv').delete();
      const users = readFileSync(new URL('users.csv', SAMPLES), 'utf8').replace('114001,jcraig@classrmtest31.org', '114001,');
      await container.getBlockBlobClient('users.csv').uploadData(Buffer.from(users));
      await container.getBlockBlobClient('notes.txt').uploadData(Buffer.from('hello'));
      const op = await finished(s, await startValidate(s, id));
      assert.equal(op.status, 'succeeded');
      // The rejected user's rows elsewhere are rejected with it (docs/sds-validation.md).
      assert.deepEqual((op.errors as Json[]).map((e) => [e.code, e.target]), [
        ['RequiredValueMissing', 'users.csv:row 2:username'],
        ['ReferencedRecordRejected', 'roles.csv:row 2:userSourcedId'],
        ['ReferencedRecordRejected', 'enrollments.csv:row 4:userSourcedId'],
        ['ReferencedRecordRejected', 'userFlags.csv:row 2:userSourcedId'],
        ['ReferencedRecordRejected', 'relationships.csv:row 2:userSourcedId'],
      ]);
      assert.deepEqual((op.warnings as Json[]).map((e) => [e.code, e.target]), [
        ['FileSetChanged', 'demographics.csv'],
        ['UnrecognizedFile', 'notes.txt'],
      ]);
      assert.ok(!(op.validatedFiles as string[]).includes('demographics.csv'));
    });

    test("the tenant's reference definitions: a code it added is accepted, a code it disabled is InvalidReferenceCode", async () => {
      // A tenant of its own: its definitions change what every validation of the tenant accepts.
      const t = await s.token({ tenantId: '0c3a9d5e-7b1f-4e2a-9c8d-1f2e3d4c5b6a', scopes: [...ALL_SCOPES, 'IndustryData-ReferenceDefinition.ReadWrite.All'] });
      const id = (await s.connector((await s.sourceSystem(undefined, t)).id as string, {}, t)).id as string;
      const container = new ContainerClient((await s.session(id, undefined, t)).sessionUrl as string);
      await uploadSamples(container);
      const orgs = readFileSync(new URL('orgs.csv', SAMPLES), 'utf8').replace('110002,Computer Science Department,department', '110002,Computer Science Department,academy');
      await container.getBlockBlobClient('orgs.csv').uploadData(Buffer.from(orgs));
      const validate = async () => {
        const res = await s.call('POST', `${CONNECTORS}/${id}/validate`, { token: t });
        assert.equal(res.status, 202);
        const location = res.headers.get('location')!.slice(s.ts.url.length);
        for (let i = 0; i < 120; i++) {
          const op = (await (await s.call('GET', location, { token: t, headers: { prefer: 'wait=5' } })).json()) as Json;
          if (op.status === 'succeeded' || op.status === 'failed') return (op.errors as Json[]).map((e) => [e.code, e.target]);
        }
        assert.fail('the validation did not finish');
      };
      assert.deepEqual((await validate())[0], ['InvalidReferenceCode', 'orgs.csv:row 3:type']);
      const definitions = `${ROOT}/referenceDefinitions`;
      const added = await s.call('POST', definitions, { token: t, body: { referenceType: 'RefOrgType', code: 'academy', displayName: 'Academy', isDisabled: false, sortIndex: 900 } });
      assert.equal(added.status, 201, await added.clone().text());
      assert.deepEqual(await validate(), []);
      assert.equal((await s.call('PATCH', `${definitions}/RefOrgType-college`, { token: t, body: { isDisabled: true } })).status, 204);
      // The org is rejected, and the rows that refer to it with it.
      assert.deepEqual((await validate())[0], ['InvalidReferenceCode', 'orgs.csv:row 2:type']);
      // The default tenant never saw either change.
      assert.equal((await s.get(`${definitions}/RefOrgType-college`)).isDisabled, false);
      await s.expectError(await s.call('GET', `${definitions}/RefOrgType-academy`), 404, 'ResourceNotFound');
    });
  });

  describe(`one validation per connector at a time, and a crash mid-validation, on ${backend.name}`, () => {
    let s: Suite;
    before(async () => {
      // No workers in the server: the tests run the engines (and kill one).
      s = await startSuite(backend, { workers: false });
    });
    after(() => s.close());

    test('while a validation of a connector is running, another validate returns it; once it ended, validate starts a new one', async () => {
      const { id } = await connectorWithSession(s);
      const [a, b] = await Promise.all([startValidate(s, id), startValidate(s, id)]);
      assert.equal(a, b, 'concurrent calls share one operation');
      assert.equal(await startValidate(s, id), a);
      const other = await connectorWithSession(s);
      assert.notEqual(await startValidate(s, other.id), a, 'another connector validates on its own');
      const engine = new Engine(s.ts.server.db, { pollIntervalMs: 20 });
      engine.register(VALIDATE_KIND, handlers(blobStoreOf(s.ts.server))[VALIDATE_KIND]!);
      await engine.start();
      try {
        assert.equal((await finished(s, a)).status, 'succeeded');
        const next = await startValidate(s, id);
        assert.notEqual(next, a);
        assert.equal((await finished(s, next)).status, 'succeeded');
      } finally {
        await engine.stop(0);
      }
    });

    test('a worker dying mid-validation: another worker retries, progress shows file and rows, and the result is the clean one, once', async () => {
      const { id, container } = await connectorWithSession(s);
      await container.getBlockBlobClient('orgs.csv').uploadFile(new URL('orgs.csv', SAMPLES).pathname);
      // A bigger users.csv (two rows broken, before and after the crash point) and roles for half of it.
      const lines = ['sourcedId,username,givenName,familyName'];
      const roles = ['userSourcedId,orgSourcedId,role'];
      for (let i = 0; i < 120_000; i++) {
        const broken = i === 5 || i === 119_991;
        lines.push(`u${i},${broken ? 'not-an-address' : `user${i}@school.example`},Given${i},Family${i}`);
        if (i % 2 === 0) roles.push(`u${i},110003,student`);
      }
      const users = Buffer.from(`${lines.join('\r\n')}\r\n`);
      await container.getBlockBlobClient('users.csv').uploadData(users);
      await container.getBlockBlobClient('roles.csv').uploadData(Buffer.from(`${roles.join('\r\n')}\r\n`));

      const store = blobStoreOf(s.ts.server);
      const realOpen = store.openRead.bind(store);
      // The first worker reads slowly (4 MB/s) so that it reports rows before it "dies".
      store.openRead = async (c, name, range) => {
        const stream = await realOpen(c, name, range);
        return Readable.from(
          (async function* () {
            for await (const chunk of stream as AsyncIterable<Buffer>) {
              await new Promise((r) => setTimeout(r, Math.ceil(chunk.length / 4096)));
              yield chunk;
            }
          })(),
        );
      };
      const progress: string[] = [];
      let died!: () => void;
      const dead = new Promise<void>((resolve) => (died = resolve));
      // One slot, which the hung attempt keeps: like a dead process, it claims nothing more (with a
      // free slot it could win the retry against the healthy worker, and hang again).
      const dying = new Engine(s.ts.server.db, { pollIntervalMs: 20, leaseMs: 600, concurrency: 1 });
      dying.register(VALIDATE_KIND, {
        handle: (ctx: HandlerContext) =>
          handlers(blobStoreOf(s.ts.server))[VALIDATE_KIND]!.handle({
            ...ctx,
            progress: async (detail) => {
              progress.push(detail);
              await ctx.progress(detail);
              if (/^Validating users\.csv: [\d,]+ rows$/.test(detail)) {
                died();
                await new Promise(() => {}); // the process hangs from here on
              }
            },
          }),
      });
      await dying.start();
      const location = await startValidate(s, id);
      const opId = location.split('/').at(-1)!;
      await dead;
      const midway = await s.get(location);
      assert.equal(midway.status, 'running');
      assert.match(midway.statusDetail as string, /^Validating users\.csv: [\d,]+ rows$/);
      assert.deepEqual(midway.errors, [], 'nothing of the unfinished attempt is in the result');
      assert.ok(progress.includes('Validating orgs.csv') && progress.includes('Validating users.csv'), progress.join(' | '));
      // The worker stops responding: its lease runs out (as when its process is killed).
      await s.ts.server.db.query(`UPDATE operations SET lease_expires_at = now(), run_after = now() WHERE tenant_id = $1 AND id = $2`, [TENANT, opId]);
      await s.ts.server.db.query(`UPDATE operations SET lease_owner = 'a-worker-that-died' WHERE tenant_id = $1 AND id = $2`, [TENANT, opId]);
      store.openRead = realOpen;
      const healthy = new Engine(s.ts.server.db, { pollIntervalMs: 20 });
      healthy.register(VALIDATE_KIND, handlers(blobStoreOf(s.ts.server))[VALIDATE_KIND]!);
      await healthy.start();
      try {
        const op = await finished(s, location);
        assert.equal(op.status, 'succeeded', JSON.stringify(op).slice(0, 500));
        const [row] = await s.ts.server.db.query<{ attempts: number }>('SELECT attempts FROM operations WHERE tenant_id = $1 AND id = $2', [TENANT, opId]);
        assert.equal(row!.attempts, 2, 'the second attempt finished it');
        // The clean result of the same files, computed directly.
        const files = (await store.list(container.containerName)).blobs.map((b) => ({
          name: b.name,
          size: b.size,
          open: () =>
            (async function* () {
              yield* (await store.openRead(container.containerName, b.name)) as NodeReadable & AsyncIterable<Uint8Array>;
            })(),
        }));
        const clean: ValidationResult = await validateUpload(files, { format: 'schoolDataSyncV2Rev1', uploadSessionExists: true });
        assert.deepEqual({ validatedFiles: op.validatedFiles, errors: op.errors, warnings: op.warnings }, JSON.parse(JSON.stringify(clean)));
        assert.deepEqual((op.errors as Json[]).map((e) => e.target), ['users.csv:row 7:username', 'users.csv:row 119993:username']);
        assert.equal((op.errors as Json[]).length, new Set((op.errors as Json[]).map((e) => e.target)).size, 'no issue twice');
      } finally {
        await healthy.stop(0);
        await dying.stop(0);
      }
    });
  });
}
