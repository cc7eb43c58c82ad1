// The Fastify app: Graph headers and errors, CORS, health, and every family's routes.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Db } from '../db/db.js';
import type { Family, FamilyInstance } from '../families/index.js';
import { modelRoutes } from '../graph/model/routes.js';
import { operationRoutes } from '../graph/operations.js';
import { decoratePrincipal, graphRoutes } from '../graph/route.js';
import type { Services } from '../graph/services.js';
import { registerAdmin } from './admin.js';
import { registerBatch } from './batch.js';
import { clientErrorHandler } from './clientError.js';
import { answerConnect, deferContinue, frameworkErrors, refuseNonPreflight } from './early.js';
import { registerErrorHandling } from './errors.js';
import type { FaultSettings } from './faults.js';
import { registerFaults } from './faults.js';
import { registerGraphHeaders } from './headers.js';
import { registerHealth } from './health.js';
import { registerMetadata } from './metadata.js';
import type { Metrics } from './metrics.js';
import { registerMetricsRoute, registerRecentRoute } from './metrics.js';
import { rewriteKeySegments } from './keys.js';
import { ownEndpoints, refuser } from './refusals.js';
import { registerUi } from './ui.js';
import type { HttpTimeouts, TlsKeyPair } from './timeouts.js';
import { DEFAULT_TIMEOUTS, serverTimeouts } from './timeouts.js';

export interface AppOptions {
  db: Db;
  services: Services;
  families: readonly Family[];
  /** The families as started for this server (Family.start). */
  instances: readonly FamilyInstance[];
  logger?: FastifyBaseLogger;
  /** Behind a reverse proxy: trust X-Forwarded-* for the URLs the service writes. */
  trustProxy?: boolean;
  timeouts?: HttpTimeouts;
  /** Serve HTTPS with this key and certificate (PEM); plain HTTP when absent. */
  tls?: TlsKeyPair;
  /** Faults on demand (faults.ts): applied to Graph's paths, set through /admin/faults. */
  faults?: FaultSettings;
  /** Count and time requests into these metrics; `metricsRoute` serves them at /metrics too (default true). */
  metrics?: Metrics;
  metricsRoute?: boolean;
}

/**
 * The largest JSON body a Graph request may carry (Fastify's default); beyond it, 413. Graph's own
 * bodies here are a few hundred bytes; only the directory import has a limit of its own.
 */
export const JSON_BODY_LIMIT = 1024 * 1024;

export const EXPOSED_HEADERS = ['ETag', 'Location', 'Operation-Location', 'Preference-Applied', 'request-id', 'client-request-id', 'Retry-After'];

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const endpoints = ownEndpoints(options.families);
  const refuse = refuser(endpoints);
  const app: FastifyInstance = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Per-request log lines cost throughput on the polling hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: options.trustProxy ?? false,
    rewriteUrl: (req) => rewriteKeySegments(req.url ?? '/'),
    routerOptions: { maxParamLength: 512, ignoreTrailingSlash: true },
    return503OnClosing: true,
    bodyLimit: JSON_BODY_LIMIT,
    clientErrorHandler: clientErrorHandler(refuse),
    frameworkErrors: frameworkErrors(refuse),
    ...serverTimeouts(options.timeouts ?? DEFAULT_TIMEOUTS, options.tls),
  });
  answerConnect(app.server, refuse);
  deferContinue(app.server, endpoints);
  decoratePrincipal(app);
  registerGraphHeaders(app);
  // Graph SDKs send `Content-Type: application/json` with no body on actions such as refresh.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, String(body), done),
  );
  refuseNonPreflight(app, refuse);
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'client-request-id', 'Prefer', 'ConsistencyLevel', 'If-Match', 'return-client-request-id'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // After CORS: errors answered from an onRequest hook (404) still carry its headers.
  registerErrorHandling(app);
  registerHealth(app, options.db);
  registerRecentRoute(app, options.metrics);
  if (options.metrics) {
    options.metrics.instrument(app);
    if (options.metricsRoute ?? true) registerMetricsRoute(app, options.metrics);
  }
  registerAdmin(app, options.db, options.services.verifier, options.faults);
  if (options.faults) registerFaults(app, options.faults);
  registerMetadata(app, options.instances);
  await registerBatch(app, options.services.verifier);
  // The dashboard's static files (no token: they hold no data).
  await registerUi(app);
  const { services } = options;
  for (const family of options.instances) {
    graphRoutes(app, services.verifier, [...operationRoutes(services, family.operations), ...modelRoutes(services, family.sets, family.actions), ...(family.routes ?? [])]);
  }
  for (const family of options.instances) if (family.register) await app.register((scope) => family.register!(scope));
  return app;
}
