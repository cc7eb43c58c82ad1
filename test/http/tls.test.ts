// HTTPS out of the box: `serve --tls` makes a local CA and a leaf for localhost, 127.0.0.1 and ::1
// in the data directory, and the CA alone is enough for a client to verify the server; later starts
// reuse them and renew the leaf when it nears its end or the names change. The user's own
// certificate and key work too, and wrong files stop the start with a sentence and exit code 2.
// Everything the service writes as a URL is https, and the raw-socket answers and deadlines of
// the HTTP server hold over TLS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DirectoryRoles } from '../../src/auth/index.js';
import { seedDemoTenant } from '../../src/directory/index.js';
import type { LocalTls } from '../../src/http/localCa.js';
import { canonicalHost, LEAF_LIFETIME_MS, loadOrCreateLocalTls, RENEW_BEFORE_MS, subjectAltNames, TlsError } from '../../src/http/localCa.js';
import { startServer } from '../../src/http/server.js';
import { loadTlsFiles, localTlsHosts } from '../../src/http/tls.js';
import { postgres, sleep, TENANT } from '../support/backends.js';
import { httpsJson, httpsRequest } from '../support/https.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { RawConnection } from './raw.js';

const CLI = 'dist/src/cli/main.js';
const run = promisify(execFile);
const DAY = 86_400_000;
const ALERTS = '/beta/identityGovernance/roleManagementAlerts';
const INDUSTRY = '/beta/external/industryData';
const CSV = new URL('../../../test/fixtures/sds/v2.1/', import.meta.url);

const tempDir = () => mkdtempSync(join(tmpdir(), 'graph-lro-tls-'));
const mode = (path: string) => statSync(path).mode & 0o777;
const graphError = (body: string) => (JSON.parse(body) as { error: { code: string } }).error;

/** What a CLI run printed and how it ended. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('serve --tls: the local CA in <dataDir>/tls', { timeout: 120_000 }, () => {
  let ts: TestServer;
  let ca: string;
  let port: string;

  before(async () => {
    ts = await startTestServer(postgres, { tls: { local: true } });
    ca = readFileSync(ts.server.tls!.caFile!, 'utf8');
    port = new URL(ts.url).port;
  });
  after(() => ts?.close());

  test('a CA and a leaf it signs for localhost, 127.0.0.1 and ::1, ECDSA P-256; keys 0600 in a 0700 folder', () => {
    const dir = join(ts.dataDir, 'tls');
    assert.equal(ts.url, `https://127.0.0.1:${port}`);
    assert.equal(ts.server.tls!.caFile, join(dir, 'ca.pem'));
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'ca-key.pem')), 0o600);
    assert.equal(mode(join(dir, 'key.pem')), 0o600);
    const authority = new X509Certificate(ca);
    const leaf = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
    assert.equal(authority.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(authority) && leaf.verify(authority.publicKey), 'the leaf is signed by the CA');
    assert.ok(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(dir, 'key.pem')))));
    for (const cert of [authority, leaf]) assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.deepEqual(subjectAltNames(leaf).sort(), ['127.0.0.1', '::1', 'localhost']);
    assert.match(leaf.keyUsage?.join(' ') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/, 'extended key usage: serverAuth');
    // Node's own host check, as a client connecting to https://[::1] runs it.
    const peer = { subject: { CN: 'localhost' }, subjectaltname: leaf.subjectAltName } as unknown as PeerCertificate;
    for (const host of ['localhost', '127.0.0.1', '::1']) assert.equal(checkServerIdentity(host, peer), undefined, host);
    assert.ok(checkServerIdentity('example.com', peer) instanceof Error);
    const expected = Date.now() + LEAF_LIFETIME_MS;
    assert.ok(Math.abs(Date.parse(leaf.validTo) - expected) < DAY);
  });

  test('the CA alone verifies the served certificate at localhost and at 127.0.0.1; without it the client refuses', async () => {
    const served = new X509Certificate(readFileSync(ts.server.tls!.certFile));
    for (const host of ['localhost', '127.0.0.1']) {
      const res = await httpsRequest(`https://${host}:${port}/healthz`, { ca });
      assert.equal(res.status, 200, host);
      assert.equal(res.peer.fingerprint256, served.fingerprint256);
    }
    await assert.rejects(httpsRequest(`https://127.0.0.1:${port}/healthz`), (e: NodeJS.ErrnoException) => {
      assert.match(String(e.code), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
      return true;
    });
    // Another CA (another data directory's) does not do either.
    const otherDir = tempDir();
    const other = await loadOrCreateLocalTls(otherDir);
    await assert.rejects(httpsRequest(`https://localhost:${port}/healthz`, { ca: other.ca }));
    rmSync(otherDir, { recursive: true, force: true });
  });

  test('a second start on the same data directory reuses the CA and the leaf', async () => {
    const dir = join(ts.dataDir, 'tls');
    const names = ['ca.pem', 'ca-key.pem', 'cert.pem', 'key.pem'];
    const before = names.map((n) => readFileSync(join(dir, n), 'utf8'));
    const second = await startServer({ port: 0, host: '127.0.0.1', dataDir: ts.dataDir, databaseUrl: ts.database.url, tls: { local: true }, shutdownGraceMs: 1000 });
    try {
      assert.deepEqual(
        names.map((n) => readFileSync(join(dir, n), 'utf8')),
        before,
      );
      assert.equal(second.tls!.newCa, false);
      const [a, b] = await Promise.all([httpsRequest(`${ts.url}/healthz`, { ca }), httpsRequest(`${second.url}/healthz`, { ca })]);
      assert.equal(a.peer.fingerprint256, b.peer.fingerprint256);
    } finally {
      await second.close();
    }
  });

  test('URLs written are https: Location, @odata.context, resourceLocation, nextLink, the upload sessionUrl', async () => {
    await seedDemoTenant(ts.server.db, TENANT, { users: 20 });
    const root = `https://127.0.0.1:${port}/beta`;
    const writer = await ts.token({
      scopes: ['RoleManagementAlert.ReadWrite.Directory', 'IndustryData-SourceSystem.ReadWrite.All', 'IndustryData-DataConnector.ReadWrite.All', 'IndustryData.ReadBasic.All'],
      wids: [DirectoryRoles.privilegedRoleAdministrator],
    });
    const call = (path: string, options: Parameters<typeof httpsJson>[3] = {}) => httpsJson(path.startsWith('https:') ? path : `${ts.url}${path}`, writer, ca, options);

    const alert = `DirectoryRole_${TENANT}_StaleSignInAlert`;
    const started = await call(`${ALERTS}/alerts/${alert}/refresh`, { method: 'POST' });
    assert.equal(started.status, 202, started.text);
    assert.equal(started.headers.location, `${root}/identityGovernance/roleManagementAlerts/operations/refresh:${alert}`);
    let op: Record<string, unknown> = {};
    for (let i = 0; i < 30 && op.status !== 'succeeded' && op.status !== 'failed'; i++) {
      op = (await call(started.headers.location!, { headers: { prefer: 'wait=10' } })).json();
    }
    assert.equal(op.status, 'succeeded', JSON.stringify(op));
    assert.equal(op['@odata.context'], `${root}/$metadata#identityGovernance/roleManagementAlerts/operations/$entity`);
    assert.equal(op.resourceLocation, `${root}/identityGovernance/roleManagementAlerts/alerts/${alert}`);
    const read = await call(String(op.resourceLocation));
    assert.equal(read.status, 200, read.text);

    const scope = encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'");
    const page = await call(`${ALERTS}/alerts?$filter=${scope}&$top=1`);
    assert.equal(page.status, 200, page.text);
    const next = page.json()['@odata.nextLink'] as string;
    assert.ok(next?.startsWith(`${root}/identityGovernance/roleManagementAlerts/alerts?`), next);
    assert.equal((await call(next)).status, 200);

    const system = await call(`${INDUSTRY}/sourceSystems`, { method: 'POST', body: { displayName: 'SIS', vendor: 'Contoso' } });
    assert.equal(system.status, 201, system.text);
    assert.equal(system.json()['@odata.context'], `${root}/$metadata#external/industryData/sourceSystems/$entity`);
    const connector = await call(`${INDUSTRY}/dataConnectors`, {
      method: 'POST',
      body: {
        '@odata.type': '#microsoft.graph.industryData.azureDataLakeConnector',
        displayName: 'CSV',
        'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/external/industryData/sourceSystems('${String(system.json().id)}')`,
        fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: 'schoolDataSyncV2Rev1' },
      },
    });
    assert.equal(connector.status, 201, connector.text);
    const id = String(connector.json().id);
    const session = await call(`${INDUSTRY}/dataConnectors/${id}/microsoft.graph.industryData.azureDataLakeConnector/getUploadSession`);
    assert.equal(session.status, 200, session.text);
    const sessionUrl = new URL(session.json().sessionUrl as string);
    assert.equal(sessionUrl.origin, `https://127.0.0.1:${port}`);
    // The blob endpoint takes a Put Blob over TLS, as @azure/storage-blob sends it.
    const blob = new URL(sessionUrl);
    blob.pathname = `${sessionUrl.pathname}/orgs.csv`;
    const put = await httpsRequest(blob.href, { ca, method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': 'text/csv' }, body: readFileSync(new URL('orgs.csv', CSV)) });
    assert.equal(put.status, 201, put.text);
  });
});

describe('the local CA over restarts: reuse and renewal', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const signedBy = (t: LocalTls) => {
    const leaf = new X509Certificate(t.cert);
    const authority = new X509Certificate(t.ca);
    return leaf.checkIssued(authority) && leaf.verify(authority.publicKey) && leaf.checkPrivateKey(createPrivateKey(t.key));
  };

  test('the same names and a leaf far from its end: everything reused', async () => {
    const dir = fresh();
    const first = await loadOrCreateLocalTls(dir);
    assert.deepEqual(first.made, { ca: true, leaf: true });
    const again = await loadOrCreateLocalTls(dir);
    assert.deepEqual(again.made, { ca: false, leaf: false });
    assert.equal(again.cert, first.cert);
    assert.equal(again.key, first.key);
    assert.equal(again.ca, first.ca);
  });

  test('a leaf near its end (or past it) is made anew by the same CA', async () => {
    for (const late of [-RENEW_BEFORE_MS + DAY, DAY]) {
      const dir = fresh();
      const first = await loadOrCreateLocalTls(dir);
      const end = Date.parse(new X509Certificate(first.cert).validTo);
      const still = await loadOrCreateLocalTls(dir, undefined, new Date(end - RENEW_BEFORE_MS - DAY));
      assert.equal(still.made.leaf, false);
      const when = end + late;
      const renewed = await loadOrCreateLocalTls(dir, undefined, new Date(when));
      assert.deepEqual(renewed.made, { ca: false, leaf: true }, new Date(when).toISOString());
      assert.equal(renewed.ca, first.ca);
      assert.ok(signedBy(renewed));
      assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > when + LEAF_LIFETIME_MS - DAY);
      // What was made is on disk: the next start at that time reuses it.
      assert.equal((await loadOrCreateLocalTls(dir, undefined, new Date(when))).made.leaf, false);
    }
  });

  test('other names asked for: a new leaf for exactly those (and the loopback ones)', async () => {
    const dir = fresh();
    const first = await loadOrCreateLocalTls(dir);
    const more = await loadOrCreateLocalTls(dir, ['lro.example.test', '10.1.2.3', '[fd00::1]']);
    assert.deepEqual(more.made, { ca: false, leaf: true });
    assert.deepEqual(subjectAltNames(new X509Certificate(more.cert)).sort(), ['10.1.2.3', '127.0.0.1', '::1', 'fd00::1', 'localhost', 'lro.example.test']);
    assert.equal(more.ca, first.ca);
    assert.ok(signedBy(more));
    // The same names, another spelling and order: reused.
    assert.equal((await loadOrCreateLocalTls(dir, ['fd00:0::1', '10.1.2.3', 'LRO.example.test.'])).made.leaf, false);
    assert.equal((await loadOrCreateLocalTls(dir)).made.leaf, true, 'back to the loopback names only');
  });

  test('a leaf whose key does not match, or that another CA signed, is made anew; a lost CA key makes a new CA', async () => {
    const dir = fresh();
    const first = await loadOrCreateLocalTls(dir);
    writeFileSync(first.files.keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const rekeyed = await loadOrCreateLocalTls(dir);
    assert.deepEqual(rekeyed.made, { ca: false, leaf: true });
    assert.ok(signedBy(rekeyed));

    writeFileSync(first.files.certFile, 'not a certificate');
    assert.equal((await loadOrCreateLocalTls(dir)).made.leaf, true);

    unlinkSync(first.files.caKeyFile);
    const newCa = await loadOrCreateLocalTls(dir);
    assert.deepEqual(newCa.made, { ca: true, leaf: true });
    assert.notEqual(newCa.ca, first.ca);
    assert.ok(signedBy(newCa));
    assert.equal(mode(newCa.files.caKeyFile), 0o600);
  });

  test('a CA key that is not a key stops the start with what to do', async () => {
    const dir = fresh();
    const first = await loadOrCreateLocalTls(dir);
    writeFileSync(first.files.caKeyFile, 'garbage');
    await assert.rejects(loadOrCreateLocalTls(dir), (e: Error) => e instanceof TlsError && /ca-key\.pem is not a PEM private key; remove the folder/.test(e.message));
  });

  test('several processes starting at once on one data directory agree on one CA', async () => {
    const dir = fresh();
    const all = await Promise.all(Array.from({ length: 4 }, () => loadOrCreateLocalTls(dir)));
    assert.equal(new Set(all.map((t) => t.ca)).size, 1);
    for (const t of all) assert.ok(signedBy(t), 'each serves a pair the CA signed');
    assert.ok(signedBy(await loadOrCreateLocalTls(dir)), 'what is left on disk serves');
  });

  test('the names a served leaf is made for: loopback, a specific --host, the --public-url host, --tls-hosts', () => {
    assert.deepEqual(localTlsHosts({ host: '0.0.0.0' }), ['localhost', '127.0.0.1', '::1']);
    assert.deepEqual(localTlsHosts({ host: '192.168.1.20', publicUrl: 'https://LRO.example.test:8443/graph', hosts: ['lan.test', '127.0.0.1'] }), [
      'localhost',
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      'lro.example.test',
      'lan.test',
    ]);
  });

  test('host names: canonical forms, and what a certificate cannot name', () => {
    assert.equal(canonicalHost('LocalHost.'), 'localhost');
    assert.equal(canonicalHost('[0:0:0:0:0:0:0:1]'), '::1');
    assert.equal(canonicalHost('*.lan.test'), '*.lan.test');
    for (const bad of ['https://x.test', 'x.test:443', 'a b', '', 'under_score.test']) assert.throws(() => canonicalHost(bad), TlsError, bad);
  });
});

describe('serve --tls-cert/--tls-key: the user’s own certificate', { timeout: 120_000 }, () => {
  let theirs: LocalTls;
  let dir: string;
  let otherKey: string;
  before(async () => {
    dir = tempDir();
    // A certificate from another CA, as the user would have made it (the one in tls/ stands in).
    theirs = await loadOrCreateLocalTls(join(dir, 'theirs'), ['lro.example.test']);
    otherKey = join(dir, 'other-key.pem');
    writeFileSync(otherKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('served as given; its CA verifies it; nothing is made in the data directory', async () => {
    const ts = await startTestServer(postgres, { tls: { certFile: theirs.files.certFile, keyFile: theirs.files.keyFile } });
    try {
      assert.equal(ts.server.tls!.caFile, undefined);
      assert.equal(ts.server.tls!.certFile, theirs.files.certFile);
      assert.ok(ts.url.startsWith('https://127.0.0.1:'));
      const res = await httpsRequest(`https://localhost:${new URL(ts.url).port}/healthz`, { ca: theirs.ca });
      assert.equal(res.status, 200);
      assert.equal(res.peer.fingerprint256, new X509Certificate(theirs.cert).fingerprint256);
      assert.throws(() => statSync(join(ts.dataDir, 'tls')), /ENOENT/);
    } finally {
      await ts.close();
    }
  });

  test('a key that does not match, a missing file, no PEM, an encrypted key: TlsError naming the file', () => {
    const { certFile, keyFile } = theirs.files;
    const encrypted = join(dir, 'encrypted.pem');
    writeFileSync(encrypted, createPrivateKey(theirs.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }));
    const cases: [string, string, RegExp][] = [
      [certFile, otherKey, /^--tls-key .*other-key\.pem does not match the certificate in --tls-cert .*cert\.pem/],
      [join(dir, 'nope.pem'), keyFile, /^--tls-cert .*nope\.pem cannot be read: no such file\.$/],
      [certFile, dir, /^--tls-key .* cannot be read: it is a folder\.$/],
      [keyFile, keyFile, /^--tls-cert .*key\.pem holds no PEM certificate/],
      [certFile, certFile, /^--tls-key .*cert\.pem holds no PEM private key/],
      [certFile, encrypted, /^--tls-key .*encrypted\.pem is encrypted; give the key without a passphrase/],
    ];
    for (const [cert, key, message] of cases) {
      assert.throws(() => loadTlsFiles(cert, key), (e: Error) => e instanceof TlsError && message.test(e.message), `${cert} ${key}`);
    }
  });

  test('the CLI: a clear line and exit code 2, never a stack, from flags and from environment variables', async () => {
    const data = join(dir, 'data');
    const { certFile, keyFile } = theirs.files;
    const mismatch = await cli(['serve', '--port', '0', '--data-dir', data, '--tls-cert', certFile, '--tls-key', otherKey]);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /^graph-lro: --tls-key \S+other-key\.pem does not match the certificate in --tls-cert \S+cert\.pem/);
    assert.doesNotMatch(mismatch.stderr, /\n\s+at /, 'no stack');
    const fromEnv = await cli(['serve', '--port', '0', '--data-dir', data], { GRAPH_LRO_TLS_CERT: certFile, GRAPH_LRO_TLS_KEY: otherKey });
    assert.equal(fromEnv.code, 2);
    assert.match(fromEnv.stderr, /does not match the certificate/);
    const alone = await cli(['serve', '--port', '0', '--data-dir', data, '--tls-cert', certFile]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--tls-cert and --tls-key go together/);
    const badPem = await cli(['serve', '--port', '0', '--data-dir', data, '--tls-cert', keyFile, '--tls-key', keyFile]);
    assert.equal(badPem.code, 2);
    assert.match(badPem.stderr, /^graph-lro: --tls-cert \S+ holds no PEM certificate/);
    const badHost = await cli(['serve', '--port', '0', '--data-dir', data, '--tls', '--tls-hosts', 'https://x.test']);
    assert.equal(badHost.code, 2);
    assert.match(badHost.stderr, /^graph-lro: "https:\/\/x\.test" is not a host name or an IP address/);
    const help = await cli(['serve', '--help']);
    for (const flag of ['--tls ', '--tls-cert <file>', '--tls-key <file>', '--tls-hosts <list>', 'GRAPH_LRO_TLS)', 'GRAPH_LRO_TLS_CERT', 'GRAPH_LRO_TLS_KEY', 'GRAPH_LRO_TLS_HOSTS']) {
      assert.ok(help.stdout.replace(/\s+/g, ' ').includes(flag), flag);
    }
  });
});

describe('the HTTP server’s deadlines and raw answers over TLS', { timeout: 60_000 }, () => {
  let ts: TestServer;
  let ca: string;
  before(async () => {
    ts = await startTestServer(postgres, { tls: { local: true }, timeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 300, idleMs: 30_000 } });
    ca = readFileSync(ts.server.tls!.caFile!, 'utf8');
  });
  after(() => ts?.close());
  const open = () => RawConnection.open(ts.url, { ca });

  test('headers that trickle in past the headers timeout: 408 as a Graph error, connection closed', async () => {
    const conn = await open();
    await conn.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n');
    let n = 0;
    let written = 0;
    while (written < 400 && (await conn.write(`x-slow-${n++}: 1\r\n`))) {
      written++;
      await sleep(50);
    }
    assert.ok(written < 400, 'the server closed the connection while headers kept coming');
    const res = await conn.response();
    assert.equal(res.status, 408);
    assert.equal(graphError(res.body).code, 'RequestTimeout');
  });

  test('a kept-alive connection left idle is closed; one that never starts its handshake too', async () => {
    const conn = await open();
    await conn.write('GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n');
    assert.equal((await conn.response()).status, 200);
    await Promise.race([conn.closed, sleep(5000).then(() => assert.fail('the idle kept-alive connection stayed open'))]);

    const { port } = new URL(ts.url);
    const silent = connect(Number(port), '127.0.0.1');
    silent.on('error', () => {});
    const closed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    await Promise.race([closed, sleep(5000).then(() => assert.fail('a connection with no TLS handshake stayed open'))]);
  });

  test('a malformed request: 400 as a Graph error; CONNECT: 405', async () => {
    const token = await ts.token();
    const bad = await open();
    await bad.write(`GET /beta/% HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${token}\r\n\r\n`);
    const res = await bad.response();
    assert.equal(res.status, 400);
    assert.equal(graphError(res.body).code, 'BadRequest');
    const tunnel = await open();
    await tunnel.write('CONNECT 127.0.0.1:1 HTTP/1.1\r\nhost: 127.0.0.1:1\r\n\r\n');
    const refused = await tunnel.response();
    assert.equal(refused.status, 405);
    assert.equal(graphError(refused.body).code, 'MethodNotAllowed');
    await tunnel.closed;
  });

  test('Expect: 100-continue on a Graph URL: 100 Continue, then the answer', async () => {
    const token = await ts.token({ scopes: ['IndustryData-SourceSystem.ReadWrite.All'], wids: [] });
    const body = JSON.stringify({ displayName: 'SIS', vendor: 'Contoso' });
    const conn = await open();
    await conn.write(`POST ${INDUSTRY}/sourceSystems HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nexpect: 100-continue\r\n\r\n`);
    assert.equal((await conn.response()).status, 100);
    await conn.write(body);
    const res = await conn.response();
    assert.equal(res.status, 201, res.body);
    conn.destroy();
  });
});
