// The remote commands as a user runs them against a real server: alerts, incidents, operations and
// connectors, on a terminal-less stdout (plain lines, tables) and with --json; exit codes 0/1/2/3.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DirectoryRoles } from '../../src/auth/index.js';
import { seedDemoTenant } from '../../src/directory/index.js';
import { ALERT_NAMES } from '../../src/families/roleManagementAlerts/model.js';
import { pglite, TENANT } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const CLI = 'dist/src/cli/main.js';
const SAMPLES = fileURLToPath(new URL('../../../test/fixtures/sds/v2.1/', import.meta.url));
// Neither the suite's DATABASE_URL nor a developer's GRAPH_LRO_* settings reach the CLI.
const { DATABASE_URL: _d, GRAPH_LRO_URL: _u, GRAPH_LRO_TOKEN: _t, ...baseEnv } = process.env;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...baseEnv, ...env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('graph-lro remote commands', () => {
  let ts: TestServer;
  let env: Record<string, string>;

  before(async () => {
    ts = await startTestServer(pglite);
    await seedDemoTenant(ts.server.db, TENANT, { users: 50 });
    const token = await ts.token({
      scopes: [
        'RoleManagementAlert.ReadWrite.Directory',
        'IndustryData.ReadBasic.All',
        'IndustryData-DataConnector.ReadWrite.All',
        'IndustryData-DataConnector.Upload',
        'IndustryData-SourceSystem.ReadWrite.All',
        'IndustryData-InboundFlow.ReadWrite.All',
        'IndustryData-Run.Start',
      ],
      wids: [DirectoryRoles.privilegedRoleAdministrator],
    });
    env = { GRAPH_LRO_URL: ts.url, GRAPH_LRO_TOKEN: token };
  });
  after(() => ts.close());

  test('alerts refresh --wait succeeds; alerts list shows the seven alerts as a table and as JSON', async () => {
    const refresh = await cli(['alerts', 'refresh', '--wait'], env);
    assert.equal(refresh.code, 0, refresh.stderr);
    assert.match(refresh.stdout, /status +succeeded/);

    const json = await cli(['alerts', 'refresh', '--wait', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const op = JSON.parse(json.stdout) as { status: string };
    assert.equal(op.status, 'succeeded');

    const list = await cli(['alerts', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ALERT +SEVERITY +ACTIVE +INCIDENTS +LAST SCANNED/);
    const rows = list.stdout.trim().split('\n').slice(2);
    assert.equal(ALERT_NAMES.length, 7);
    assert.equal(rows.length, 7, list.stdout);
    for (const name of ALERT_NAMES) assert.ok(rows.some((r) => r.startsWith(name)), `${name} in\n${list.stdout}`);
    assert.ok(rows.every((r) => /\b(low|medium|high|unknown)\b/.test(r)), list.stdout);

    const parsed = JSON.parse((await cli(['alerts', 'list', '--json'], env)).stdout) as { id: string; incidentCount: number; alertDefinition: { severityLevel: string } }[];
    assert.equal(parsed.length, 7);
    assert.ok(parsed.every((a) => a.alertDefinition.severityLevel && a.incidentCount > 0));
  });

  test('alerts get and incidents list take the short alert name; refresh of one alert without --wait prints its URL', async () => {
    const get = await cli(['alerts', 'get', 'StaleSignInAlert', '--json'], env);
    assert.equal(get.code, 0, get.stderr);
    assert.equal((JSON.parse(get.stdout) as { id: string }).id, `DirectoryRole_${TENANT}_StaleSignInAlert`);

    const incidents = await cli(['incidents', 'list', 'StaleSignInAlert'], env);
    assert.equal(incidents.code, 0, incidents.stderr);
    assert.match(incidents.stdout, /\d+ incident\(s\)/);

    const started = await cli(['alerts', 'refresh', 'StaleSignInAlert'], env);
    assert.equal(started.code, 0, started.stderr);
    const url = started.stdout.trim();
    assert.match(url, /\/operations\/.*StaleSignInAlert/);

    const watch = await cli(['operations', 'watch', url, '--json'], env);
    assert.equal(watch.code, 0, watch.stderr);
    const op = JSON.parse(watch.stdout) as { id: string; status: string };
    assert.equal(op.status, 'succeeded');

    const get2 = await cli(['operations', 'get', op.id], env);
    assert.equal(get2.code, 0, get2.stderr);
    assert.match(get2.stdout, /status +succeeded/);

    const list = await cli(['operations', 'list', '--json'], env);
    assert.ok((JSON.parse(list.stdout) as { id: string }[]).some((o) => o.id === op.id));
  });

  test('a failed operation exits 1 (get and watch); a missing one exits 1 with the Graph error', async () => {
    const id = 'cli-failed-fixture';
    await ts.server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'test.cli-fixture', id, resourceLocation: '', statusDetail: '' });
    await ts.server.db.query(
      `UPDATE operations SET status = 'failed', status_detail = $3, lease_owner = NULL, last_action_at = now() WHERE tenant_id = $1 AND id = $2`,
      [TENANT, id, 'The scan broke.'],
    );
    const get = await cli(['operations', 'get', id], env);
    assert.equal(get.code, 1, get.stderr);
    assert.match(get.stdout, /status +failed/);
    const watch = await cli(['operations', 'watch', id, '--json'], env);
    assert.equal(watch.code, 1, watch.stderr);
    assert.equal((JSON.parse(watch.stdout) as { statusDetail: string }).statusDetail, 'The scan broke.');
    const missing = await cli(['operations', 'get', 'no-such-operation'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /404/);
    const refused = await cli(['alerts', 'list', '--token', 'not-a-jwt'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /401[\s\S]*graph-lro token/);
  });

  test('no token: exit 2 with the graph-lro token command to run; usage errors exit 2', async () => {
    const none = await cli(['alerts', 'list', '--url', ts.url]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /graph-lro token --scopes/);
    assert.match(none.stderr, /GRAPH_LRO_TOKEN/);
    assert.equal((await cli(['operations', 'list', '--family', 'nope'], env)).code, 2);
    assert.equal((await cli(['alerts', 'nope'], env)).code, 2);
    assert.equal((await cli(['connectors', 'create'], env)).code, 2); // --name is required
  });

  test('connectors create, upload the samples, validate --wait: a table of issues or none; a connector with nothing uploaded exits 3', async () => {
    const created = await cli(['connectors', 'create', '--name', 'CLI SIS'], env);
    assert.equal(created.code, 0, created.stderr);
    const connectorId = created.stdout.trim();
    assert.ok(connectorId);

    const upload = await cli(['connectors', 'upload', connectorId, SAMPLES], env);
    assert.equal(upload.code, 0, upload.stderr);
    assert.match(upload.stdout, /orgs\.csv .* uploaded/);
    assert.match(upload.stdout, /Uploaded 10 file\(s\)/);

    const validate = await cli(['connectors', 'validate', connectorId, '--wait'], env);
    assert.ok(validate.code === 0 || validate.code === 3, validate.stderr);
    assert.match(validate.stdout, /status +succeeded/);
    assert.match(validate.stdout, /\d+ error\(s\), \d+ warning\(s\)/);
    if (validate.code === 3) assert.match(validate.stdout, /FILE +KIND +CODE +COUNT/);

    const json = await cli(['connectors', 'validate', connectorId, '--wait', '--json'], env);
    const op = JSON.parse(json.stdout) as { status: string; errors: unknown[]; validatedFiles: string[] };
    assert.equal(op.status, 'succeeded');
    assert.equal(json.code, op.errors.length ? 3 : 0);

    const empty = JSON.parse((await cli(['connectors', 'create', '--name', 'Empty', '--json'], env)).stdout) as { id: string; sourceSystemId: string };
    assert.ok(empty.sourceSystemId);
    await cli(['connectors', 'upload', empty.id, SAMPLES, '--json'], env).then((r) => assert.equal(r.code, 0, r.stderr));
    const reset = await cli(['connectors', 'create', '--name', 'Reused system', '--source-system', empty.sourceSystemId], env);
    assert.equal(reset.code, 0, reset.stderr);
    const nothing = await cli(['connectors', 'validate', reset.stdout.trim(), '--wait'], env);
    assert.equal(nothing.code, 3, nothing.stdout + nothing.stderr);
    assert.match(nothing.stdout, /UploadSessionNotFound|RequiredFileNotFound/);
    assert.match(nothing.stdout, /FILE +KIND +CODE +COUNT/);
  });

  test('runs start --wait follows the run and shows its statistics; runs list, get and stats', async () => {
    const created = await cli(['connectors', 'create', '--name', 'Run SIS', '--flow', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { id, inboundFlowId } = JSON.parse(created.stdout) as { id: string; inboundFlowId: string };
    assert.ok(inboundFlowId);
    assert.equal((await cli(['connectors', 'upload', id, SAMPLES, '--json'], env)).code, 0);
    const started = await cli(['runs', 'start', '--wait'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /status +succeeded/);
    assert.match(started.stdout, /people +organizations +groups +memberships +errors +warnings\n[- ]+\n8 +4 +2 +6 +0 +0/);
    assert.match(started.stdout, /Run SIS +completed +8\/0/);
    const list = JSON.parse((await cli(['runs', 'list', '--json'], env)).stdout) as { id: string; status: string }[];
    assert.equal(list[0]!.status, 'completed');
    const get = await cli(['runs', 'get', list[0]!.id], env);
    assert.match(get.stdout, /Run SIS +inboundFlowActivity +completed/);
    const stats = JSON.parse((await cli(['runs', 'stats', list[0]!.id, '--json'], env)).stdout) as { inboundTotals: { people: number } };
    assert.equal(stats.inboundTotals.people, 8);
    const denied = await cli(['runs', 'list'], { ...env, GRAPH_LRO_TOKEN: await ts.token({ scopes: ['IndustryData.ReadBasic.All'] }) });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /403 Authorization_RequestDenied/);
  });

  test('--help of every command has examples', async () => {
    const commands = [[], ['alerts'], ['alerts', 'list'], ['alerts', 'get'], ['alerts', 'refresh'], ['incidents'], ['incidents', 'list'], ['operations'], ['operations', 'list'], ['operations', 'get'], ['operations', 'watch'], ['connectors'], ['connectors', 'create'], ['connectors', 'upload'], ['connectors', 'validate'], ['runs'], ['runs', 'start'], ['runs', 'list'], ['runs', 'get'], ['runs', 'stats']];
    for (const c of commands) {
      const help = await cli([...c, '--help']);
      assert.equal(help.code, 0, c.join(' '));
      assert.match(help.stdout, /Examples:/, c.join(' '));
    }
    assert.match((await cli(['--help'])).stdout, /Exit codes:[\s\S]*2 +usage error/);
  });
});
