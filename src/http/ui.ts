// The dashboard (docs/dashboard.md): the files `vite build` made in dist/ui, served at /ui/ with no
// token — they hold no data; the page reads everything from the Graph API with the bearer token it
// was given, as any client does.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** dist/ui, beside dist/src (this file is dist/src/http/ui.js once built). */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/**
 * The delegated permissions the dashboard's pages use: alerts read, refresh and remediate (with
 * the Privileged Role Administrator role), and reads of industry data operations, connectors,
 * source systems, inbound flows and runs.
 */
export const DASHBOARD_SCOPES: readonly string[] = Object.freeze([
  'RoleManagementAlert.ReadWrite.Directory',
  'IndustryData.ReadBasic.All',
  'IndustryData-DataConnector.Read.All',
  'IndustryData-SourceSystem.Read.All',
  'IndustryData-InboundFlow.Read.All',
  'IndustryData-Run.Read.All',
]);

/** The address of the dashboard carrying `token` in the fragment, which browsers never send. */
export const dashboardLink = (serviceUrl: string, token: string) => `${serviceUrl.replace(/\/+$/, '')}/ui/#token=${token}`;

// Everything the page loads is its own: scripts and styles from /ui/, requests to this origin.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export async function registerUi(app: FastifyInstance, dir: string = UI_DIR): Promise<void> {
  const built = existsSync(join(dir, 'index.html'));
  await app.register(async (scope) => {
    // The router ignores trailing slashes, so /ui would reach /ui/ and break the page's relative URLs.
    scope.addHook('onRequest', (request, reply, done) => {
      const [path, query] = splitUrl(request.url);
      if (path === '/ui') {
        void reply.redirect(`/ui/${query}`, 301);
        return;
      }
      reply.headers(SECURITY_HEADERS);
      reply.header('cache-control', 'no-cache');
      done();
    });
    // Assets have content hashes in their names: kept for good; index.html is asked for each time.
    scope.addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode === 200 && request.url.startsWith('/ui/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      done(null, payload);
    });
    if (!built) {
      const missing = { error: { code: 'ResourceNotFound', message: 'The dashboard is not built: run `npm run build:ui` (npm start and npm test do it).' } };
      scope.get('/ui/', (_request, reply) => reply.code(404).send(missing));
      scope.get('/ui/*', (_request, reply) => reply.code(404).send(missing));
      return;
    }
    await scope.register(fastifyStatic, { root: dir, prefix: '/ui/', wildcard: false, cacheControl: false, etag: true, lastModified: true });
    // Client-side routes: any other path under /ui/ is the page, unless it names a file (then 404).
    scope.get('/ui/*', (request, reply) => {
      const [path] = splitUrl(request.url);
      if (/\.[a-z0-9]+$/i.test(path) || path.startsWith('/ui/assets/')) return reply.callNotFound();
      return reply.sendFile('index.html');
    });
  });
}

function splitUrl(url: string): [string, string] {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
}
