import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { DirectoryRoles } from '../../src/auth/index.js';
import { Engine } from '../../src/engine/index.js';
import { backends, OTHER_TENANT, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { instant } from '../support/time.js';

const ALERTS_OPS = '/beta/identityGovernance/roleManagementAlerts/operations';
const INDUSTRY_OPS = '/beta/external/industryData/operations';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALERT_ID = `DirectoryRole_${TENANT}_StaleSignInAlert`;
const REFRESH_ID = `refresh:${ALERT_ID}`;

const body = async (res: Response) => (await res.json()) as Record<string, unknown>;

/** Drives `test.remote` operations from another process (PostgreSQL) or another engine (PGlite). */
async function remoteWorker(ts: TestServer) {
  if (ts.database.url) {
    const child = spawn(process.execPath, ['dist/test/fixtures/remote-worker.js', ts.database.url], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    assert.equal((await out.next()).value, 'ready');
    return {
      started: async () => (await out.next()).value as string,
      step: () => child.stdin!.write('go\n'),
      stop: async () => {
        child.kill();
        await once(child, 'exit');
      },
    };
  }
  let started!: (line: string) => void;
  const startedP = new Promise<string>((r) => (started = r));
  // Steps given before the handler waits for them are kept, as lines on a pipe would be.
  let given = 0;
  let waiter: (() => void) | undefined;
  const next = () => (given > 0 ? (given--, Promise.resolve()) : new Promise<void>((r) => (waiter = r)));
  const engine = new Engine(ts.server.db, { pollIntervalMs: 50 });
  engine.register('test.remote', {
    async handle(ctx) {
      started(`started ${ctx.operation.id}`);
      await next();
      await ctx.progress('halfway there');
      await next();
      return { statusDetail: 'all done' };
    },
  });
  await engine.start();
  return {
    started: () => startedP,
    step: () => {
      if (waiter) {
        const wake = waiter;
        waiter = undefined;
        wake();
      } else given++;
    },
    stop: () => engine.stop(0),
  };
}

for (const backend of backends) {
  describe(`operations API on ${backend.name}`, () => {
    let ts: TestServer;
    const create = (spec: Parameters<Engine['create']>[0]) => ts.server.engine.create(spec);
    const setStatus = (id: string, status: string, tenant = TENANT) =>
      ts.server.db.query('UPDATE operations SET status = $3, last_action_at = now() WHERE tenant_id = $1 AND id = $2', [tenant, id, status]);

    before(async () => {
      ts = await startTestServer(backend);
      await create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: REFRESH_ID, resourceLocation: '', statusDetail: '' });
      await setStatus(REFRESH_ID, 'running');
    });
    after(() => ts.close());

    test('a running role management alert operation, field by field (spec §2.4 a)', async () => {
      const res = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^application\/json;odata\.metadata=minimal/);
      assert.match(res.headers.get('retry-after')!, /^\d+$/);
      assert.ok(Number(res.headers.get('retry-after')) >= 1 && Number(res.headers.get('retry-after')) <= 10);
      assert.match(res.headers.get('request-id')!, GUID);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const json = await body(res);
      assert.deepEqual(Object.keys(json), ['@odata.context', 'id', 'createdDateTime', 'lastActionDateTime', 'resourceLocation', 'status', 'statusDetail']);
      assert.equal(json['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`);
      assert.equal(json.id, REFRESH_ID);
      assert.match(json.createdDateTime as string, ISO);
      assert.match(json.lastActionDateTime as string, ISO);
      assert.ok(instant(json.lastActionDateTime as string) >= instant(json.createdDateTime as string));
      assert.equal(json.resourceLocation, '');
      assert.equal(json.status, 'running');
      assert.equal(json.statusDetail, '');
    });

    test('the id is accepted as a plain segment, percent-encoded, and in OData key syntax', async () => {
      const expected = await body(await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`));
      for (const path of [
        `${ALERTS_OPS}/${encodeURIComponent(REFRESH_ID)}`,
        `${ALERTS_OPS}('${REFRESH_ID}')`,
        `${ALERTS_OPS}(%27${encodeURIComponent(REFRESH_ID)}%27)`,
      ]) {
        const res = await ts.get(path);
        assert.equal(res.status, 200, path);
        assert.deepEqual(await body(res), expected, path);
      }
    });

    test('a finished industry data validation: derived type, arrays, no Retry-After (spec §4.6)', async () => {
      const result = {
        validatedFiles: [],
        errors: [{ code: 'RequiredFileNotFound', message: 'orgs.csv is required.', target: 'orgs.csv', innerError: null, details: [] }],
        warnings: [{ code: 'OptionalFileNotFound', message: 'classes.csv is missing.', target: 'classes.csv', innerError: null, details: [] }],
      };
      const { operation } = await create({
        tenantId: TENANT,
        family: 'industryData',
        kind: 'test.fixture', // no handler: the test sets its state
        odataType: 'microsoft.graph.industryData.fileValidateOperation',
        resourceLocation: `${ts.url}/beta/external/industryData/dataConnectors/022da4a0-c239-4b07-abed-08dad8e7a07a`,
        result,
      });
      await setStatus(operation.id, 'succeeded');
      const res = await ts.get(`${INDUSTRY_OPS}/${operation.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('retry-after'), null);
      const json = await body(res);
      assert.equal(json['@odata.type'], '#microsoft.graph.industryData.fileValidateOperation');
      assert.equal(json['@odata.context'], `${ts.url}/beta/$metadata#external/industryData/operations/$entity`);
      assert.match(json.id as string, GUID);
      assert.equal(json.status, 'succeeded');
      assert.equal(json.statusDetail, null);
      assert.deepEqual(json.validatedFiles, []);
      assert.deepEqual(json.errors, result.errors);
      assert.deepEqual(json.warnings, result.warnings);
      // Each family serves only its own operations.
      assert.equal((await ts.get(`${ALERTS_OPS}/${operation.id}`)).status, 404);
      const selected = await body(await ts.get(`${INDUSTRY_OPS}/${operation.id}?$select=status,errors`));
      assert.deepEqual(Object.keys(selected), ['@odata.context', '@odata.type', 'status', 'errors']);
      assert.equal(selected['@odata.context'], `${ts.url}/beta/$metadata#external/industryData/operations(status,errors)/$entity`);
    });

    test('$select on one operation; bad options are 400s that name what is wrong', async () => {
      const json = await body(await ts.get(`${ALERTS_OPS}/${REFRESH_ID}?$select=status,id`));
      assert.deepEqual(json, {
        '@odata.context': `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations(status,id)/$entity`,
        status: 'running',
        id: REFRESH_ID,
      });
      assert.equal((await body(await ts.get(`${ALERTS_OPS}/${REFRESH_ID}?select=status`))).status, 'running', '$ is optional on beta');
      for (const [query, named] of [
        ['$select=nope', 'nope'],
        ['$top=2', '$top'],
        ['$filter=status eq \'running\'', '$filter'],
      ] as const) {
        const res = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}?${query}`);
        assert.equal(res.status, 400, query);
        const error = (await body(res)).error as Record<string, unknown>;
        assert.equal(error.code, 'BadRequest');
        assert.ok((error.message as string).includes(named), `${error.message} names ${named}`);
      }
    });

    test('lists: $filter, $orderby, $count, $top paging through @odata.nextLink with no gaps or repeats', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { operation } = await create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: `list-${i}`, resourceLocation: '' });
        ids.push(operation.id);
        if (i % 2) await setStatus(operation.id, 'failed');
      }
      await create({ tenantId: OTHER_TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: 'list-other-tenant' });
      const filter = encodeURIComponent("startswith(id,'list-')");
      const all = await body(await ts.get(`${ALERTS_OPS}?$filter=${filter}&$count=true`));
      assert.equal(all['@odata.context'], `${ts.url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations`);
      assert.equal(all['@odata.count'], 7, 'the other tenant’s operation is not counted');
      assert.deepEqual((all.value as { id: string }[]).map((o) => o.id), ids);

      const failed = await body(await ts.get(`${ALERTS_OPS}?$filter=${encodeURIComponent("status eq 'failed' and startswith(id,'list-')")}`));
      assert.deepEqual((failed.value as { id: string }[]).map((o) => o.id), ['list-1', 'list-3', 'list-5']);

      const third = (all.value as { createdDateTime: string }[])[3]!.createdDateTime;
      const later = await body(await ts.get(`${ALERTS_OPS}?$filter=${encodeURIComponent(`createdDateTime gt ${third} and startswith(id,'list-')`)}`));
      assert.deepEqual((later.value as { id: string }[]).map((o) => o.id), ids.slice(4));

      // Three at a time, newest first, following nextLink verbatim.
      const seen: string[] = [];
      let next: string | undefined = `${ts.url}${ALERTS_OPS}?$filter=${filter}&$orderby=createdDateTime desc&$top=3&$select=id,status`;
      let pages = 0;
      while (next) {
        const res: Response = await fetch(next, { headers: { authorization: `Bearer ${await ts.token()}` } });
        assert.equal(res.status, 200);
        const page = await body(res);
        pages++;
        for (const op of page.value as Record<string, unknown>[]) {
          assert.deepEqual(Object.keys(op), ['id', 'status']);
          seen.push(op.id as string);
        }
        next = page['@odata.nextLink'] as string | undefined;
        if (next) assert.ok(next.startsWith(`${ts.url}${ALERTS_OPS}?`) && next.includes('$skiptoken='), next);
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse());

      const counted = await ts.get(`${ALERTS_OPS}/$count?$filter=${encodeURIComponent("status eq 'failed' and startswith(id,'list-')")}`);
      assert.match(counted.headers.get('content-type')!, /^text\/plain/);
      assert.equal(await counted.text(), '3');

      const skipped = await body(await ts.get(`${ALERTS_OPS}?$filter=${filter}&$skip=5`));
      assert.deepEqual((skipped.value as { id: string }[]).map((o) => o.id), ids.slice(5));
    });

    test('bad list options are 400s naming the option or property', async () => {
      for (const [query, named] of [
        ['$filter=color eq 1', 'color'],
        ["$filter=status eq 'paused'", 'paused'],
        ['$filter=status eq', '$filter'],
        ['$orderby=color', 'color'],
        ['$top=-1', '$top'],
        ['$top=abc', '$top'],
        ['$count=maybe', '$count'],
        ['$skiptoken=garbage', '$skiptoken'],
        ['$search=x', '$search'],
        ['$top=1&$top=2', '$top'],
      ] as const) {
        const res = await ts.get(`${ALERTS_OPS}?${query}`);
        assert.equal(res.status, 400, query);
        const error = (await body(res)).error as Record<string, unknown>;
        assert.equal(error.code, 'BadRequest', query);
        assert.ok((error.message as string).includes(named), `${query}: '${error.message}' names ${named}`);
      }
    });

    test('401 for every kind of bad token, with WWW-Authenticate and a Graph error body', async () => {
      const key = ts.server.signingKey!;
      const now = Math.floor(Date.now() / 1000);
      const claims = { tid: TENANT, oid: TENANT, scp: 'RoleManagementAlert.Read.Directory', wids: [DirectoryRoles.globalReader], ver: '1.0' };
      const signed = (extra: Record<string, unknown>, iss = `https://sts.windows.net/${TENANT}/`) =>
        new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(iss).setAudience('https://graph.microsoft.com').setIssuedAt(now - 10).setExpirationTime(now + 600).sign(key.privateKey);
      const cases: [string, string | null][] = [
        ['missing', null],
        ['empty', ''],
        ['garbage', 'not-a-jwt'],
        ['expired', await ts.token({ now: new Date(Date.now() - 3 * 3600_000) })],
        ['wrong audience', await ts.token({ audience: 'api://someone-else' })],
        ['wrong issuer', await signed({}, 'https://evil.example/')],
        ['issuer of another tenant', await signed({}, `https://sts.windows.net/${OTHER_TENANT}/`)],
        ['alg none', new UnsecuredJWT({ ...claims, iss: `https://sts.windows.net/${TENANT}/`, aud: 'https://graph.microsoft.com', exp: now + 600 }).encode()],
      ];
      for (const [name, token] of cases) {
        const res = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { token });
        assert.equal(res.status, 401, name);
        assert.match(res.headers.get('www-authenticate')!, /^Bearer /, name);
        const error = (await body(res)).error as Record<string, unknown>;
        assert.equal(error.code, 'InvalidAuthenticationToken', name);
        assert.match((error.innerError as Record<string, string>).date!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      }
      assert.equal((await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { headers: { authorization: 'Basic dXNlcjpwYXNz' }, token: null })).status, 401);
    });

    test('403 Authorization_RequestDenied without the permission or, for delegated PIM reads, the directory role', async () => {
      const denied = [
        ['delegated without the scope', await ts.token({ scopes: ['User.Read'] })],
        ['delegated without a PIM reader role', await ts.token({ scopes: ['RoleManagementAlert.Read.Directory'], wids: [] })],
        ['delegated with an unrelated role', await ts.token({ scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.helpdeskAdministrator] })],
        ['application without the role', await ts.token({ app: true, roles: ['IndustryData.ReadBasic.All'] })],
      ] as const;
      for (const [name, token] of denied) {
        const res = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { token });
        assert.equal(res.status, 403, name);
        const error = (await body(res)).error as Record<string, unknown>;
        assert.equal(error.code, 'Authorization_RequestDenied', name);
        assert.equal(error.message, 'Insufficient privileges to complete the operation.');
      }
      const allowed = [
        ['app with Read', await ts.token({ app: true, roles: ['RoleManagementAlert.Read.Directory'] })],
        ['app with ReadWrite', await ts.token({ app: true, roles: ['RoleManagementAlert.ReadWrite.Directory'] })],
        ['Security Reader', await ts.token({ scopes: ['RoleManagementAlert.Read.Directory'], wids: [DirectoryRoles.securityReader] })],
        ['Privileged Role Administrator with ReadWrite', await ts.token({ scopes: ['RoleManagementAlert.ReadWrite.Directory'], wids: [DirectoryRoles.privilegedRoleAdministrator] })],
      ] as const;
      for (const [name, token] of allowed) assert.equal((await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { token })).status, 200, name);
      // Industry data needs its own permission, and no directory role.
      assert.equal((await ts.get(INDUSTRY_OPS, { token: await ts.token({ scopes: ['RoleManagementAlert.Read.Directory'] }) })).status, 403);
      assert.equal((await ts.get(INDUSTRY_OPS, { token: await ts.token({ scopes: ['IndustryData.ReadBasic.All'], wids: [] }) })).status, 200);
    });

    test('another tenant’s operation answers 404 exactly like one that does not exist', async () => {
      await create({ tenantId: OTHER_TENANT, family: 'roleManagementAlerts', kind: 'roleManagementAlerts.refresh', id: 'theirs' });
      const theirs = await ts.get(`${ALERTS_OPS}/theirs`);
      const missing = await ts.get(`${ALERTS_OPS}/nobody`);
      assert.equal(theirs.status, 404);
      assert.equal(missing.status, 404);
      const a = (await body(theirs)).error as Record<string, unknown>;
      const b = (await body(missing)).error as Record<string, unknown>;
      assert.equal(a.code, b.code);
      assert.equal((a.message as string).replace('theirs', 'X'), (b.message as string).replace('nobody', 'X'));
      const own = await ts.get(`${ALERTS_OPS}/theirs`, { token: await ts.token({ tenantId: OTHER_TENANT }) });
      assert.equal(own.status, 200);
    });

    test('Prefer: wait answers when another worker changes the operation, with Preference-Applied', async () => {
      const worker = await remoteWorker(ts);
      try {
        const { operation } = await create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'test.remote', statusDetail: '' });
        assert.equal(await worker.started(), `started ${operation.id}`);
        const before = await body(await ts.get(`${ALERTS_OPS}/${operation.id}`));
        assert.equal(before.status, 'running');
        const waiting = ts.get(`${ALERTS_OPS}/${operation.id}`, { headers: { prefer: 'wait=30' } });
        setTimeout(() => worker.step(), 300);
        const res = await waiting;
        assert.equal(res.headers.get('preference-applied'), 'wait=30');
        const during = await body(res);
        assert.equal(during.status, 'running');
        assert.equal(during.statusDetail, 'halfway there');
        assert.ok(instant(during.lastActionDateTime as string) > instant(before.lastActionDateTime as string));

        const finishing = ts.get(`${ALERTS_OPS}/${operation.id}`, { headers: { prefer: 'wait=30' } });
        setTimeout(() => worker.step(), 300);
        const done = await body(await finishing);
        assert.equal(done.status, 'succeeded');
        assert.equal(done.statusDetail, 'all done');
      } finally {
        await worker.stop();
      }
    });

    test('Prefer: wait on an operation that does not change returns it unchanged when the wait ends', async () => {
      const res = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { headers: { prefer: 'wait=1' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('preference-applied'), 'wait=1');
      assert.equal((await body(res)).status, 'running');
    });

    test('client-request-id is echoed; without it, it equals request-id; errors carry both', async () => {
      const echoed = await ts.get(`${ALERTS_OPS}/nobody`, { headers: { 'client-request-id': 'f0b1c2d3-0000-4000-8000-000000000001' } });
      assert.equal(echoed.headers.get('client-request-id'), 'f0b1c2d3-0000-4000-8000-000000000001');
      const inner = ((await body(echoed)).error as Record<string, Record<string, string>>).innerError!;
      assert.equal(inner['client-request-id'], 'f0b1c2d3-0000-4000-8000-000000000001');
      assert.equal(inner['request-id'], echoed.headers.get('request-id'));
      const plain = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`);
      assert.equal(plain.headers.get('client-request-id'), plain.headers.get('request-id'));
    });

    test('a second server process on the same PostgreSQL and data directory serves the same operations', { skip: backend.name === 'pglite' && 'PGlite is one process' }, async () => {
      const second = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', '--port', '0', '--data-dir', ts.dataDir, '--log-level', 'warn'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, DATABASE_URL: ts.database.url },
      });
      try {
        const lines = createInterface({ input: second.stdout! })[Symbol.asyncIterator]();
        const url = /listening on (\S+)/.exec((await lines.next()).value as string)![1]!;
        const viaFirst = await body(await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`));
        const viaSecond = await fetch(`${url}${ALERTS_OPS}/${REFRESH_ID}`, { headers: { authorization: `Bearer ${await ts.token()}` } });
        assert.equal(viaSecond.status, 200, 'a token of the shared key is accepted by both');
        const json = await body(viaSecond);
        assert.equal(json['@odata.context'], `${url}/beta/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`);
        assert.deepEqual({ ...json, '@odata.context': undefined }, { ...viaFirst, '@odata.context': undefined });
      } finally {
        second.kill('SIGTERM');
        await once(second, 'exit');
      }
    });

    test('unknown segments, wrong methods, CORS and health probes', async () => {
      const unknown = await ts.get('/beta/identityGovernance/roleManagementAlerts/nope');
      assert.equal(unknown.status, 400);
      assert.equal(((await body(unknown)).error as Record<string, string>).message, "Resource not found for the segment 'nope'.");
      const importer = await ts.token({ scopes: ['Directory.ReadWrite.All'], wids: [DirectoryRoles.privilegedRoleAdministrator] });
      const badJson = await fetch(`${ts.url}/admin/directory`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${importer}` }, body: '{"users": [' });
      assert.equal(badJson.status, 400);
      assert.equal(((await body(badJson)).error as Record<string, string>).code, 'BadRequest');
      const post = await fetch(`${ts.url}${ALERTS_OPS}/${REFRESH_ID}`, { method: 'DELETE' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD');
      const cors = await ts.get(`${ALERTS_OPS}/${REFRESH_ID}`, { headers: { origin: 'https://app.example' } });
      assert.equal(cors.headers.get('access-control-allow-origin'), '*');
      assert.match(cors.headers.get('access-control-expose-headers')!, /Location.*Preference-Applied.*request-id.*Retry-After/);
      assert.deepEqual(await body(await fetch(`${ts.url}/healthz`)), { status: 'ok' });
      assert.deepEqual(await body(await fetch(`${ts.url}/readyz`)), { status: 'ready' });
    });
  });
}
