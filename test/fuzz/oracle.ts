// The oracle: every answer is a success, or a 4xx whose body is a Graph error (on the blob
// endpoint, Azure's XML error). Never a 5xx, never a connection that ends without an answer,
// never no answer at all. Returns what is wrong, or undefined.
import type { FuzzRequest, Outcome } from './client.js';

/** Azure answers comp values it has but this service does not implement with 501 (documented). */
const documented501 = (o: Outcome) => o.status === 501 && o.headers['x-ms-error-code'] === 'NotImplemented';

const isBlob = (path: string) => /^\/blob(\/|\?|$)/i.test(path);

export function judge(request: FuzzRequest | undefined, outcome: Outcome): string | undefined {
  if (outcome.failure) return `${outcome.failure === 'dropped' ? 'connection ended without an answer' : 'no answer in time'}${outcome.detail ? ` (${outcome.detail})` : ''}`;
  const status = outcome.status!;
  const blob = request ? isBlob(request.path) : undefined;
  if (status >= 500) {
    if (blob !== false && documented501(outcome)) return undefined;
    return `status ${status}: ${preview(outcome.body)}`;
  }
  if (status < 400) return undefined;
  if (request?.method === 'HEAD') return outcome.body.length ? `HEAD ${status} with a body` : undefined;
  const graph = graphError(outcome);
  const azure = azureError(outcome);
  // Raw requests (request undefined) may be answered in either shape: the path is unknown.
  if (blob === undefined ? graph || azure : blob ? azure || graph : graph) return undefined;
  return `status ${status} is not a ${blob ? 'Azure XML' : 'Graph'} error: ${preview(outcome.body)}`;
}

function graphError(o: Outcome): boolean {
  if (!String(o.headers['content-type'] ?? '').startsWith('application/json')) return false;
  try {
    const body = JSON.parse(o.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown; innerError?: unknown } };
    const e = body.error;
    return typeof e?.code === 'string' && e.code !== '' && typeof e.message === 'string' && typeof e.innerError === 'object' && e.innerError !== null;
  } catch {
    return false;
  }
}

function azureError(o: Outcome): boolean {
  const code = o.headers['x-ms-error-code'];
  return typeof code === 'string' && /^(\uFEFF)?<\?xml[^>]*\?>\s*<Error>\s*<Code>([^<]+)<\/Code>\s*<Message>/.test(o.body.toString('utf8'));
}

export const preview = (body: Buffer) => JSON.stringify(body.subarray(0, 160).toString('utf8'));
