// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a real
// server over the demo directory: the operations list follows a refresh started from the Alerts
// page without a reload, a validation with errors shows its counts per rule, remediating an
// incident removes it, a bad or expired token says so, and no page logs a console error.
// Screenshots of every page go to test-artifacts/ui/ (the path is printed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { DirectoryRoles } from '../../src/auth/index.js';
import { parseFaults } from '../../src/http/faults.js';
import { DASHBOARD_SCOPES, UI_DIR } from '../../src/http/ui.js';
import type { ClientSuite, Json } from '../interop/support.js';
import { ALERTS_ROOT, INDUSTRY_ROOT, alertId, createConnector, refreshAll, startClientSuite, uploadSessionPath } from '../interop/support.js';
import { pglite, TENANT } from '../support/backends.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve('test-artifacts/ui');
const SAMPLES = new URL('../../../test/fixtures/sds/v2.1/', import.meta.url);
const LONG = 60_000;

/** Console errors and uncaught exceptions of a page; `allow` lists messages a test expects. */
function watchConsole(page: Page, allow: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allow.some((a) => a.test(m.text()))) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

describe('dashboard', { timeout: 10 * 60_000 }, () => {
  let s: ClientSuite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let token: string;

  const shot = async (name: string, p: Page = page) => {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const go = async (hash: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
  };

  before(async () => {
    assert.ok(existsSync(join(UI_DIR, 'index.html')), `the dashboard is not built in ${UI_DIR}: run npm run build:ui (npm test does)`);
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    mkdirSync(SHOTS, { recursive: true });
    // Refreshes of every alert last 4 s at least, so the list is seen following one while it runs.
    s = await startClientSuite(pglite, { users: 1000, config: { faults: parseFaults({ operations: { minRunMs: { 'roleManagementAlerts.refreshAll': 4000 } } }) } });
    await refreshAll(s);
    token = await s.ts.token({ scopes: [...DASHBOARD_SCOPES], wids: [DirectoryRoles.privilegedRoleAdministrator] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(LONG);
    page = await context.newPage();
    errors = watchConsole(page);
    process.stdout.write(`# dashboard screenshots: ${SHOTS}\n`);
  });

  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('the link carries the token in the fragment; the page keeps it and clears the address bar', async () => {
    await page.goto(`${s.ts.url}/ui/#token=${token}`);
    await page.waitForSelector('table[data-testid=operations] tbody tr[data-id]');
    assert.doesNotMatch(page.url(), /token=/);
    assert.equal(new URL(page.url()).hash, '#/operations');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('graph-lro.token')), token);
    // A reload keeps the session; /ui redirects to /ui/; an unknown path under /ui/ is the page.
    await page.reload();
    await page.waitForSelector(`tr[data-id="refresh:DirectoryRole_${TENANT}"]`);
    assert.equal((await fetch(`${s.ts.url}/ui`, { redirect: 'manual' })).headers.get('location'), '/ui/');
    const deep = await fetch(`${s.ts.url}/ui/some/route`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<div id="app">/);
    assert.deepEqual(errors, []);
  });

  test('the operations list follows a refresh started from the Alerts page to succeeded, without a reload', async () => {
    await go('#/alerts');
    await page.waitForSelector('table[data-testid=alerts] tbody tr');
    assert.equal(await page.locator('table[data-testid=alerts] tbody tr').count(), 7);
    await shot('alerts');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.click('[data-testid=refresh-all]');
    await page.waitForSelector('[data-testid=refresh-progress][data-status=running]');
    await shot('alerts-refreshing');
    await page.click('header nav a[href="#/operations"]');
    const row = `table[data-testid=operations] tr[data-id="refresh:DirectoryRole_${TENANT}"]`;
    await page.waitForSelector(`${row}[data-status=running]`);
    await shot('operations-running');
    await page.waitForSelector(`${row}[data-status=succeeded]`, { timeout: LONG });
    assert.match(await page.locator(`${row} td.detail`).innerText(), /Scanned 7 of 7 alerts/);
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded');
    // Filters.
    await page.selectOption('[data-testid=filter-status]', 'failed');
    await page.waitForSelector('table[data-testid=operations] td.empty');
    await page.selectOption('[data-testid=filter-status]', '');
    await page.selectOption('[data-testid=filter-family]', 'industryData');
    assert.equal(await page.locator(row).count(), 0);
    await page.selectOption('[data-testid=filter-family]', '');
    await shot('operations');
    // The operation's own page shows every property.
    await page.click(`${row} td.id a`);
    await page.waitForSelector('[data-testid=properties]');
    for (const name of ['id', 'createdDateTime', 'lastActionDateTime', 'status', 'statusDetail', 'resourceLocation']) {
      assert.equal(await page.locator('[data-testid=properties] dt', { hasText: new RegExp(`^${name}$`) }).count(), 1, name);
    }
    await shot('operation');
    assert.deepEqual(errors, []);
  });

  test('remediating an incident (after confirming) removes it from the list', async () => {
    await go(`#/alerts/${alertId('StaleSignInAlert')}`);
    await page.waitForSelector('table[data-testid=incidents] tbody tr[data-id]');
    const before = Number(await page.locator('[data-testid=incident-count]').innerText());
    const rows = page.locator('table[data-testid=incidents] tbody tr[data-id]');
    const id = (await rows.first().getAttribute('data-id'))!;
    await shot('alert');
    await rows.first().getByRole('button', { name: 'Remediate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remediate this incident?' });
    await dialog.waitFor();
    await shot('alert-confirm');
    // Escape cancels: nothing is remediated.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator(`tr[data-id="${id}"]`).count(), 1);
    await rows.first().getByRole('button', { name: 'Remediate' }).click();
    await dialog.getByRole('button', { name: 'Remediate' }).click();
    await page.locator(`table[data-testid=incidents] tr[data-id="${id}"]`).waitFor({ state: 'detached' });
    assert.equal(Number(await page.locator('[data-testid=incident-count]').innerText()), before - 1);
    const gone = await s.call('GET', `${ALERTS_ROOT}/alerts/${alertId('StaleSignInAlert')}/alertIncidents/${id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(errors, []);
  });

  test('a validation with errors shows its errors and warnings per rule and file; data health and throughput chart them', async () => {
    const connector = await createConnector(s);
    const session = JSON.parse(await s.text(uploadSessionPath(String(connector.id)))) as Json;
    // The sample set, with users.csv broken: two e-mails that are not (warnings), one username missing (an error).
    const lines = readFileSync(new URL('users.csv', SAMPLES), 'utf8').trimEnd().split('\n');
    const cells = (i: number) => lines[i]!.split(',');
    const edit = (i: number, column: number, value: string) => {
      const c = cells(i);
      c[column] = value;
      lines[i] = c.join(',');
    };
    edit(1, 6, 'not-an-email');
    edit(2, 6, 'also@not@an-email');
    edit(3, 1, '');
    const files: Record<string, string> = { 'users.csv': `${lines.join('\n')}\n` };
    for (const name of ['orgs.csv', 'roles.csv', 'classes.csv', 'enrollments.csv', 'academicSessions.csv']) files[name] = readFileSync(new URL(name, SAMPLES), 'utf8');
    const base = new URL(String(session.sessionUrl));
    for (const [name, body] of Object.entries(files)) {
      const url = new URL(base);
      url.pathname = `${base.pathname.replace(/\/$/, '')}/${name}`;
      const res = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/csv' }, body });
      assert.equal(res.status, 201, await res.text());
    }
    const started = await s.call('POST', `${INDUSTRY_ROOT}/dataConnectors/${String(connector.id)}/validate`, { body: {} });
    assert.equal(started.status, 202, await started.text());
    const op = await s.finish(started.headers.get('location')!);
    assert.equal(op.status, 'succeeded');
    // What the table must say: the report's issues counted per (file, rule), none past the cap here.
    const expected = new Map<string, number>();
    for (const e of [...(op.errors as Json[]), ...(op.warnings as Json[])]) {
      assert.notEqual(e.code, 'IssueLimitReached');
      const k = `${String(e.target).split(':')[0]}|${String(e.code)}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    assert.equal(expected.get('users.csv|InvalidEmail'), 2, JSON.stringify(op));
    assert.equal(expected.get('users.csv|RequiredValueMissing'), 1, JSON.stringify(op));

    await go(`#/operations/industryData/${String(op.id)}`);
    const table = page.locator('table[data-testid=validation]');
    await table.locator('tbody tr').first().waitFor();
    const shown = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ file: tr.querySelector('[data-col=file]')!.textContent, code: tr.querySelector('[data-col=code]')!.textContent, count: tr.querySelector('[data-col=count]')!.textContent })),
    );
    assert.deepEqual(new Map(shown.map((r) => [`${r.file}|${r.code}`, Number(r.count)])), expected);
    const errorsTotal = (op.errors as Json[]).length;
    assert.match(await page.locator('[data-testid=validation-summary]').innerText(), new RegExp(`${errorsTotal} errors`));
    // Sorting by rule: the header button orders the rows by code.
    await table.getByRole('button', { name: /^Rule/ }).click();
    const codes = await table.locator('tbody td[data-col=code]').allInnerTexts();
    assert.deepEqual(codes, [...codes].sort((a, b) => a.localeCompare(b)));
    await shot('validation');

    // A run over that upload: an inbound flow in effect, runs/start, followed to its end.
    const flow = await s.call('POST', `${INDUSTRY_ROOT}/inboundFlows`, {
      body: {
        '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
        'dataConnector@odata.bind': `external/industryData/dataConnectors/${String(connector.id)}`,
        displayName: 'Rostering flow',
        dataDomain: 'educationRostering',
        effectiveDateTime: '2021-08-01T00:00:00Z',
      },
    });
    assert.equal(flow.status, 201, await flow.text());
    const starter = await s.ts.token({ scopes: ['IndustryData-Run.Start', 'IndustryData-Run.Read.All'] });
    const start = await fetch(`${s.ts.url}${INDUSTRY_ROOT}/runs/start`, { method: 'POST', headers: { authorization: `Bearer ${starter}` } });
    assert.equal(start.status, 202, await start.text());
    const runOp = await s.finish(start.headers.get('location')!);
    assert.equal(runOp.status, 'succeeded', JSON.stringify(runOp));
    const runPath = new URL(String(runOp.resourceLocation)).pathname;
    const run = (await (await fetch(`${s.ts.url}${runPath}`, { headers: { authorization: `Bearer ${starter}` } })).json()) as Json;
    const runStats = (await (await fetch(`${s.ts.url}${runPath}/getStatistics`, { headers: { authorization: `Bearer ${starter}` } })).json()) as Json;

    await go('#/data');
    const shownRun = page.locator('[data-testid=run]', { hasText: String(run.displayName) });
    await shownRun.waitFor();
    assert.match(await shownRun.innerText(), new RegExp(String(run.status)));
    assert.match(await shownRun.innerText(), /Rostering flow/);
    await shownRun.locator('summary', { hasText: 'Statistics' }).click();
    const people = shownRun.locator('dt', { hasText: /^people$/ }).locator('xpath=following-sibling::dd');
    assert.equal((await people.innerText()).replace(/\D/g, ''), String((runStats.inboundTotals as Json).people));
    const connectorRow = page.locator('table[data-testid=connectors] tbody tr', { hasText: 'CSV connector' });
    await connectorRow.waitFor();
    assert.equal(await connectorRow.locator('td[data-col=errors]').innerText(), String(errorsTotal));
    await page.locator('[data-testid=rules-chart] canvas').waitFor();
    await shot('data-health');

    await go('#/throughput');
    await page.locator('[data-testid=throughput-chart] canvas').waitFor();
    const succeeded = page.locator('[data-testid=throughput-summary] td[data-col=succeeded]');
    await succeeded.waitFor();
    // The refresh of every alert (run twice under one id: the list holds the last) and the validation.
    assert.ok(Number(await succeeded.innerText()) >= 2, await succeeded.innerText());
    // The same hour from this process's metrics: every operation it ran (two refreshes, the validation), and their pickup.
    await page.locator('[data-testid=outcomes-chart] canvas').waitFor();
    await page.locator('[data-testid=pickup-chart] canvas').waitFor();
    const fromMetrics = page.locator('[data-testid=metrics-summary] td[data-col=succeeded]');
    assert.ok(Number(await fromMetrics.innerText()) >= 3, await fromMetrics.innerText());
    assert.match(await page.locator('[data-testid=metrics-summary] td[data-col=pickup]').innerText(), /^\d+ ms$/);
    await shot('throughput');
    assert.deepEqual(errors, []);
  });

  test('readable in a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await go('#/operations');
    await page.waitForSelector('table[data-testid=operations] tbody tr[data-id]');
    // The page itself does not scroll sideways: wide tables scroll in their own box.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await shot('operations-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(errors, []);
  });

  test('a bad, expired or refused token shows a clear message, not a blank page', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    other.setDefaultTimeout(LONG);
    try {
      const p = await other.newPage();
      // The refused token's requests are logged by the browser as failed loads (401): expected here.
      const consoleErrors = watchConsole(p, [/status of 401/]);
      await p.goto(`${s.ts.url}/ui/#token=not-a-token`);
      await p.getByTestId('auth-problem').waitFor();
      assert.match(await p.getByTestId('auth-problem').innerText(), /not a token/);

      const expired = await s.ts.token({ scopes: [...DASHBOARD_SCOPES], wids: [DirectoryRoles.privilegedRoleAdministrator], now: new Date(Date.now() - 3 * 3600_000) });
      await p.goto(`${s.ts.url}/ui/#token=${expired}`);
      await p.getByTestId('auth-problem').waitFor();
      assert.match(await p.getByTestId('auth-problem').innerText(), /expired/);
      await shot('token-expired', p);

      // Well-formed and unexpired, but its signature is not the server's: the server refuses it.
      const [h, b, sig] = token.split('.');
      const forged = `${h}.${b}.${sig!.slice(0, -6)}AAAAAA`;
      await p.evaluate((t) => (location.hash = `#token=${t}`), forged);
      await p.getByTestId('auth-problem').filter({ hasText: /refused the token/ }).waitFor();
      await shot('token-refused', p);

      // Pasting a good token recovers without a reload.
      await p.getByLabel('Bearer token').fill(token);
      await p.getByRole('button', { name: 'Use token' }).click();
      await p.waitForSelector('table[data-testid=operations] tbody tr[data-id]');
      assert.equal(await p.getByTestId('auth-problem').count(), 0);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await other.close();
    }
  });

  test('graph-lro serve prints a dashboard link that opens signed in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-ui-'));
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', '--port', '0', '--no-demo', '--no-metrics', '--log-level', 'warn', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'], env });
    try {
      let link: string | undefined;
      for await (const line of createInterface({ input: child.stdout! })) {
        link = /(http:\/\/\S+\/ui\/#token=\S+)/.exec(line)?.[1];
        if (link) break;
      }
      assert.ok(link, 'serve prints the dashboard link');
      const p = await context.newPage();
      const consoleErrors = watchConsole(p);
      await p.goto(link);
      await p.locator('table[data-testid=operations] td.empty', { hasText: 'No operations.' }).waitFor();
      assert.doesNotMatch(p.url(), /token=/);
      for (const hash of ['#/alerts', '#/data', '#/throughput']) {
        await p.evaluate((h) => (location.hash = h), hash);
        await p.locator('main h1').waitFor();
        await p.waitForLoadState('networkidle');
      }
      await p.locator('[data-testid=throughput-summary]').waitFor();
      assert.equal(await p.getByTestId('auth-problem').count(), 0, 'the printed token carries what every page reads');
      assert.deepEqual(consoleErrors, []);
      await p.close();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
