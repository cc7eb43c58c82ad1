// Composes the service: database, engine with every family's handlers, token verifier, HTTP.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SigningKey, Verifier } from '../auth/index.js';
import { createVerifier, loadOrCreateSigningKey } from '../auth/index.js';
import type { Db } from '../db/db.js';
import { openDb } from '../db/open.js';
import type { EngineOptions } from '../engine/index.js';
import { Engine } from '../engine/index.js';
import type { Family, FamilyInstance } from '../families/index.js';
import { families as allFamilies, migrationsOf } from '../families/index.js';
import type { Services } from '../graph/services.js';
import { buildApp } from './app.js';
import type { DemoConfig, DemoState } from './demo.js';
import type { Faults } from './faults.js';
import { FaultSettings } from './faults.js';
import { startDemo } from './demo.js';
import { Metrics, startMetricsServer } from './metrics.js';
import type { HttpTimeouts } from './timeouts.js';
import type { ServedTls, TlsConfig } from './tls.js';
import { loadTls, localTlsHosts } from './tls.js';

export interface ServerConfig {
  port: number;
  host: string;
  /** Holds the embedded database (without DATABASE_URL) and the local signing key. */
  dataDir: string;
  databaseUrl?: string;
  publicUrl?: string;
  trustProxy?: boolean;
  /**
   * Serve HTTPS: the local CA's certificate (made in dataDir/tls for the loopback names, `host`,
   * the public URL's host and `hosts`), or the user's own files. Plain HTTP when absent.
   */
  tls?: TlsConfig;
  /** How long clients may take to send requests and stay idle (DEFAULT_TIMEOUTS when absent). */
  timeouts?: HttpTimeouts;
  /** Faults to inject from the start (faults.ts); none when absent. */
  faults?: Faults;
  /**
   * Prometheus metrics (docs/metrics.md): at /metrics on the main port, no token (the default), on a
   * port of their own (`{ port }`, same host, plain HTTP; then not on the main port), or none (false).
   */
  metrics?: false | { port?: number };
  /** Production: verify tokens against this JWKS instead of the local key. */
  jwks?: { url: string; issuer?: string[]; audience: string[] };
  engine?: EngineOptions;
  /** Run operations in this process (default true). */
  workers?: boolean;
  /** Time running handlers get to finish on shutdown. */
  shutdownGraceMs?: number;
  /** Seed (once) and refresh (every start) a demo tenant; none when absent. */
  demo?: DemoConfig;
  /** Shared by HTTP and the engine; silent when absent. */
  logger?: Logger;
  /** The families served (default: all of families/index.ts). */
  families?: readonly Family[];
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  engine: Engine;
  db: Db;
  verifier: Verifier;
  /** The local signing key (absent when tokens are verified against a JWKS). */
  signingKey?: SigningKey;
  /** What HTTPS is served with (absent over plain HTTP). */
  tls?: ServedTls;
  /** The faults injected now (also set through /admin/faults). */
  faults: FaultSettings;
  demo?: DemoState;
  /** The families as started for this server. */
  families: readonly FamilyInstance[];
  /** Where Prometheus scrapes this server (absent when metrics are off). */
  metricsUrl?: string;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // First, before anything is opened: a bad certificate or key ends the start with its reason.
  const tls = config.tls
    ? await loadTls(config.tls.local ? { local: true, hosts: localTlsHosts({ host: config.host, publicUrl: config.publicUrl, hosts: config.tls.hosts }) } : config.tls, dataDir)
    : undefined;
  const signingKey = config.jwks ? undefined : await loadOrCreateSigningKey(dataDir);
  const verifier = config.jwks
    ? createVerifier({ mode: 'jwks', jwksUrl: config.jwks.url, issuer: config.jwks.issuer, audience: config.jwks.audience })
    : createVerifier({ mode: 'local', key: signingKey! });

  // A shared PostgreSQL that is not up yet is waited for, as it would be once the server runs.
  const onUnavailable = (err: unknown, retryInMs: number) =>
    config.logger?.warn({ err: String(err), retryInMs }, 'the database does not answer yet; trying again');
  const families = config.families ?? allFamilies;
  const migrations = migrationsOf(families);
  const db = await openDb({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl, onUnavailable } : { dataDir: resolve(dataDir, 'pglite') }), migrations });
  const shutdown = new AbortController();
  let app: FastifyInstance | undefined;
  const metrics: Metrics | undefined = config.metrics === false ? undefined : new Metrics({ queueDepth: () => engine.queueDepth(), pools: () => db.pools?.() });
  const engine = new Engine(db, { ...config.engine, ...(config.logger ? { logger: config.logger } : {}), ...(metrics ? { observer: metrics.observer } : {}) });
  const faults = new FaultSettings(engine, config.faults);
  let url: string;
  let demo: DemoState | undefined;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  const services: Services = { engine, verifier, publicUrl: config.publicUrl, shutdown: shutdown.signal, dataDir, logger: config.logger, ...(metrics ? { holdLongPoll: metrics.holdLongPoll } : {}) };
  const metricsPort = config.metrics ? config.metrics.port : undefined;
  const instances: FamilyInstance[] = [];
  const stopFamilies = () => Promise.all(instances.map((f) => f.stop()));
  try {
    for (const family of families) instances.push(family.start(services));
    for (const family of instances) for (const [kind, handler] of Object.entries(family.handlers)) engine.register(kind, handler);
    const metricsOptions = metrics ? { metrics, metricsRoute: metricsPort === undefined } : {};
    app = await buildApp({ db, families, instances, logger: config.logger, trustProxy: config.trustProxy, timeouts: config.timeouts, services, faults, ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}), ...metricsOptions });
    await engine.start({ workers: config.workers ?? true });
    await app.listen({ port: config.port, host: config.host });
    url = listeningUrl(app, config, tls !== undefined);
    if (metrics && metricsPort !== undefined) metricsServer = await startMetricsServer(metrics, config.host, metricsPort);
    if (config.demo) demo = await startDemo(db, instances, config.demo, `${(config.publicUrl ?? url).replace(/\/+$/, '')}/beta`);
  } catch (err) {
    shutdown.abort();
    await app?.close();
    await metricsServer?.close();
    await stopFamilies();
    await engine.stop(0);
    await db.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    demo,
    families: instances,
    app,
    engine,
    db,
    verifier,
    signingKey,
    tls,
    faults,
    ...(metrics ? { metricsUrl: metricsServer?.url ?? `${url}/metrics` } : {}),
    close() {
      // Stop taking requests and answer long-polls now; let handlers finish; then the database.
      closing ??= (async () => {
        shutdown.abort();
        await app.close();
        await metricsServer?.close();
        await engine.stop(config.shutdownGraceMs ?? 10_000);
        await stopFamilies();
        await db.close();
      })();
      return closing;
    },
  };
}

function listeningUrl(app: FastifyInstance, config: ServerConfig, secure: boolean): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
