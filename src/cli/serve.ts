import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { DirectoryRoles, mintToken, parseList } from '../auth/index.js';
import { startServer } from '../http/server.js';
import { DASHBOARD_SCOPES, dashboardLink } from '../http/ui.js';
import { DEFAULT_TIMEOUTS } from '../http/timeouts.js';
import type { Faults } from '../http/faults.js';
import { FaultsError, parseFaults } from '../http/faults.js';
import type { TlsConfig } from '../http/tls.js';
import { DEMO_DEFAULT_USERS } from '../directory/index.js';
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEMO_TENANT_ID, MIN_RETENTION_MS } from './defaults.js';
import { tenantId } from './directory.js';
import { parseDuration } from './duration.js';

interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  publicUrl?: string;
  trustProxy?: boolean;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsHosts?: string;
  faults?: Faults;
  metrics: boolean;
  metricsPort?: number;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  retention: number;
  lease: number;
  concurrency: number;
  workers: boolean;
  grace: number;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  idleTimeout: number;
  logLevel: string;
  demo: boolean;
  demoTenant: string;
  demoUsers: number;
}

/** A fault file, read and checked when the option is parsed: a bad one is a usage error naming each problem. */
const faultsFile = (file: string): Faults => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseFaults(JSON.parse(text));
  } catch (err) {
    throw new InvalidArgumentError(err instanceof FaultsError ? err.message : `${file} is not JSON: ${(err as Error).message}`);
  }
};

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('A port is a whole number from 0 to 65535.');
  return n;
};
const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('Expected a whole number of at least 1.');
  return n;
};
const timeout = (value: string) => {
  const ms = parseDuration(value);
  if (ms < 1) throw new InvalidArgumentError('A timeout is at least 1ms.');
  return ms;
};
const shown = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
const retention = (value: string) => {
  const ms = parseDuration(value);
  if (ms < MIN_RETENTION_MS) throw new InvalidArgumentError('Ended operations are kept at least 24h.');
  return ms;
};

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the service: the Graph API over HTTP and the workers that run operations.')
    .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(port).default(DEFAULT_PORT).env('PORT'))
    .addOption(new Option('--host <addr>', 'address to listen on (0.0.0.0 for all)').default(DEFAULT_HOST).env('HOST'))
    .addOption(new Option('--data-dir <dir>', 'embedded database and local signing key').default(DEFAULT_DATA_DIR).env('GRAPH_LRO_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'a shared PostgreSQL instead of the embedded database').env('DATABASE_URL'))
    .addOption(new Option('--public-url <url>', 'base URL clients use, for the URLs in responses (behind a proxy)').env('GRAPH_LRO_PUBLIC_URL'))
    .addOption(new Option('--trust-proxy', 'take protocol and host from X-Forwarded-* headers').env('GRAPH_LRO_TRUST_PROXY'))
    .addOption(new Option('--tls', 'serve HTTPS with a certificate from a local CA made (once) in <data-dir>/tls').env('GRAPH_LRO_TLS'))
    .addOption(new Option('--tls-hosts <list>', 'with --tls: names and addresses the certificate covers beyond localhost, 127.0.0.1, ::1, --host and --public-url').env('GRAPH_LRO_TLS_HOSTS'))
    .addOption(new Option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key').env('GRAPH_LRO_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'the unencrypted PEM private key of --tls-cert').env('GRAPH_LRO_TLS_KEY'))
    .addOption(new Option('--jwks-url <url>', 'verify tokens against this JWKS (e.g. Entra ID) instead of the local key').env('GRAPH_LRO_JWKS_URL'))
    .addOption(new Option('--issuer <list>', 'accepted issuers with --jwks-url; {tenantid} stands for the token\'s tid (default: Entra v1 and v2 issuers)').env('GRAPH_LRO_ISSUER'))
    .addOption(new Option('--audience <list>', 'accepted audiences with --jwks-url').env('GRAPH_LRO_AUDIENCE'))
    .addOption(new Option('--retention <duration>', 'how long ended operations are kept (at least 24h)').argParser(retention).default(7 * 86_400_000, '7d').env('GRAPH_LRO_RETENTION'))
    .addOption(new Option('--lease <duration>', 'lease of a running operation, renewed by heartbeat').argParser(parseDuration).default(30_000, '30s').env('GRAPH_LRO_LEASE'))
    .addOption(new Option('--concurrency <n>', 'operations run at once by this process').argParser(positive).default(32).env('GRAPH_LRO_CONCURRENCY'))
    .addOption(new Option('--no-workers', 'serve the API only; other processes run the operations'))
    .addOption(new Option('--grace <duration>', 'on SIGTERM/SIGINT, time running operations get to finish').argParser(parseDuration).default(10_000, '10s').env('GRAPH_LRO_GRACE'))
    .addOption(new Option('--headers-timeout <duration>', 'time a client has to send a request\'s headers').argParser(timeout).default(DEFAULT_TIMEOUTS.headersMs, shown(DEFAULT_TIMEOUTS.headersMs)).env('GRAPH_LRO_HEADERS_TIMEOUT'))
    .addOption(new Option('--request-timeout <duration>', 'time a client has to send a whole request, body included (uploads too)').argParser(timeout).default(DEFAULT_TIMEOUTS.requestMs, shown(DEFAULT_TIMEOUTS.requestMs)).env('GRAPH_LRO_REQUEST_TIMEOUT'))
    .addOption(new Option('--keep-alive-timeout <duration>', 'an idle kept-alive connection is closed after this').argParser(timeout).default(DEFAULT_TIMEOUTS.keepAliveMs, shown(DEFAULT_TIMEOUTS.keepAliveMs)).env('GRAPH_LRO_KEEP_ALIVE_TIMEOUT'))
    .addOption(new Option('--idle-timeout <duration>', 'a connection with no bytes moving either way is closed after this (keep it above 60s, the longest Prefer: wait)').argParser(timeout).default(DEFAULT_TIMEOUTS.idleMs, shown(DEFAULT_TIMEOUTS.idleMs)).env('GRAPH_LRO_IDLE_TIMEOUT'))
    .addOption(new Option('--faults <file>', 'inject faults from this JSON file: throttle, errors, latency, operations (docs/faults.md); change them at run time with PUT /admin/faults').argParser(faultsFile).env('GRAPH_LRO_FAULTS'))
    .addOption(new Option('--metrics-port <n>', 'serve Prometheus metrics (/metrics, no token) on this port instead of the main one (plain HTTP, same --host)').argParser(port).env('GRAPH_LRO_METRICS_PORT'))
    .addOption(new Option('--no-metrics', 'serve no Prometheus metrics (by default at /metrics on the main port, no token)').env('GRAPH_LRO_NO_METRICS'))
    .addOption(new Option('--demo-tenant <tid>', 'tenant the demo directory is seeded into (once) and whose alerts are refreshed at start').argParser(tenantId).default(DEMO_TENANT_ID).env('GRAPH_LRO_DEMO_TENANT'))
    .addOption(new Option('--demo-users <n>', 'users of a newly seeded demo directory').argParser(positive).default(DEMO_DEFAULT_USERS))
    .addOption(new Option('--no-demo', 'seed and refresh no demo tenant'))
    .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').default('info').env('LOG_LEVEL'))
    .addHelpText(
      'after',
      `
Examples:
  $ graph-lro serve                                   # embedded PGlite in ./data, http://127.0.0.1:3000
  $ graph-lro serve --port 8080 --data-dir /var/lib/graph-lro
  $ graph-lro serve --tls                             # https://127.0.0.1:3000; trust <data-dir>/tls/ca.pem
  $ graph-lro serve --tls-cert cert.pem --tls-key key.pem --host 0.0.0.0
  $ DATABASE_URL=postgres://lro@db/lro graph-lro serve --host 0.0.0.0   # run several on one PostgreSQL
  $ graph-lro serve --jwks-url https://login.microsoftonline.com/common/discovery/v2.0/keys --audience https://graph.microsoft.com`,
    )
    .action(async (opts: ServeOptions) => {
      if (opts.jwksUrl && !opts.audience) throw new InvalidArgumentError('--jwks-url needs --audience.');
      if (opts.headersTimeout > opts.requestTimeout) throw new InvalidArgumentError('--headers-timeout cannot be longer than --request-timeout.');
      if (!opts.metrics && opts.metricsPort !== undefined) throw new InvalidArgumentError('--metrics-port says where to serve metrics: it cannot go with --no-metrics.');
      if (opts.metricsPort !== undefined && opts.metricsPort !== 0 && opts.metricsPort === opts.port) throw new InvalidArgumentError('--metrics-port must differ from --port (omit it to serve /metrics on the main port).');
      if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new InvalidArgumentError('--tls-cert and --tls-key go together: give both.');
      if (opts.tlsHosts && !opts.tls) throw new InvalidArgumentError('--tls-hosts names what the local CA\'s certificate covers: it needs --tls.');
      if (opts.tlsHosts && opts.tlsCert) throw new InvalidArgumentError('--tls-hosts is for the local CA\'s certificate, not for --tls-cert.');
      const tls: TlsConfig | undefined = opts.tlsCert
        ? { certFile: opts.tlsCert, keyFile: opts.tlsKey! }
        : opts.tls
          ? { local: true, ...(opts.tlsHosts ? { hosts: parseList(opts.tlsHosts) } : {}) }
          : undefined;
      const logger = pino({ level: opts.logLevel, base: { pid: process.pid } });
      const server = await startServer({
        port: opts.port,
        host: opts.host,
        dataDir: opts.dataDir,
        databaseUrl: opts.databaseUrl,
        publicUrl: opts.publicUrl,
        trustProxy: Boolean(opts.trustProxy),
        ...(tls ? { tls } : {}),
        ...(opts.faults ? { faults: opts.faults } : {}),
        metrics: opts.metrics && (opts.metricsPort === undefined ? {} : { port: opts.metricsPort }),
        ...(opts.jwksUrl
          ? { jwks: { url: opts.jwksUrl, audience: parseList(opts.audience), ...(opts.issuer ? { issuer: parseList(opts.issuer) } : {}) } }
          : {}),
        workers: opts.workers,
        shutdownGraceMs: opts.grace,
        timeouts: { headersMs: opts.headersTimeout, requestMs: opts.requestTimeout, keepAliveMs: opts.keepAliveTimeout, idleMs: opts.idleTimeout },
        engine: { retentionMs: opts.retention, leaseMs: opts.lease, concurrency: opts.concurrency },
        ...(opts.demo ? { demo: { tenantId: opts.demoTenant, users: opts.demoUsers } } : {}),
        logger,
      });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: no new work, running operations get the grace period');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));

      const store = opts.databaseUrl ? `PostgreSQL (${new URL(opts.databaseUrl).host})` : `embedded PGlite in ${resolve(opts.dataDir, 'pglite')}`;
      const lines = [`graph-lro listening on ${server.url}`, `  database: ${store}`];
      if (server.metricsUrl) lines.push(`  metrics:  ${server.metricsUrl} (Prometheus, no token)`);
      if (opts.faults) lines.push(`  faults:   ${JSON.stringify(opts.faults)} (GET/PUT/DELETE /admin/faults)`);
      lines.push(
        server.signingKey
          ? `  tokens:   signed by the local key in ${resolve(opts.dataDir, 'keys')}; mint more with: graph-lro token --help`
          : `  tokens:   verified against ${opts.jwksUrl}`,
      );
      const demo = server.demo;
      const served = server.tls;
      // The local CA, quoted for a shell when its path needs it; curl is told it in every command below.
      const ca = served?.caFile ? (/^[\w@%+=:,./-]+$/.test(served.caFile) ? served.caFile : `'${served.caFile.replaceAll("'", "'\\''")}'`) : undefined;
      const cacert = ca ? ` --cacert ${ca}` : '';
      if (served) {
        const until = served.notAfter.toISOString().slice(0, 10);
        lines.push(
          served.caFile
            ? `  tls:      certificate for ${served.hosts!.join(', ')} until ${until}, signed by the local CA ${served.caFile}${served.newCa ? ' (made just now)' : ''}`
            : `  tls:      ${served.certFile}, valid until ${until}${served.notAfter.getTime() < Date.now() ? ' (EXPIRED: clients will refuse it)' : ''}`,
        );
      }
      if (demo) lines.push(`  demo:     tenant ${demo.tenantId}${demo.seeded ? `, seeded with ${opts.demoUsers} users` : ''}; its alerts are being refreshed`);
      if (ca) lines.push('', 'Trust the local CA in Node clients (read at process start) and in curl (--cacert):', `  export NODE_EXTRA_CA_CERTS=${ca}`);
      if (server.signingKey) {
        const tenant = demo?.tenantId ?? DEMO_TENANT_ID;
        const token = await mintToken({
          key: server.signingKey,
          tenantId: tenant,
          scopes: [...DASHBOARD_SCOPES],
          wids: [DirectoryRoles.privilegedRoleAdministrator],
        });
        const alerts = `${server.url}/beta/identityGovernance/roleManagementAlerts`;
        lines.push('', `A token for tenant ${tenant} minted just now (Privileged Role Administrator, valid 1 h):`, `  export TOKEN='${token}'`);
        lines.push('The dashboard, signed in with it (the token stays in the fragment, never sent to the server):', `  ${dashboardLink(server.url, token)}`);
        if (demo) {
          lines.push(
            'Follow the refresh of the demo alerts (the answer comes when it changes, or after 10 s):',
            `  curl -s${cacert} '${alerts}/operations/${demo.refresh.id}' -H "Authorization: Bearer $TOKEN" -H 'Prefer: wait=10'`,
            'Then the alerts and their incidents:',
            `  curl -s${cacert} "${alerts}/alerts?\\$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'&\\$expand=alertIncidents" -H "Authorization: Bearer $TOKEN"`,
          );
        } else {
          lines.push('List the operations:', `  curl -s${cacert} '${alerts}/operations' -H "Authorization: Bearer $TOKEN"`);
        }
      }
      process.stdout.write(`${lines.join('\n')}\n\n`);
    });
}
