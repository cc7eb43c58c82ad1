// The fuzz suite's HTTP: requests through node:http on keep-alive sockets (paths and header values
// sent byte for byte, as latin1 of their UTF-8), and raw requests written to a socket of their own
// for what node:http refuses to send. An outcome records whether an answer came at all.
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Outcome {
  status?: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** No answer: the connection ended (`dropped`) or nothing came within the bound (`timeout`). */
  failure?: 'dropped' | 'timeout';
  detail?: string;
  ms: number;
}

/** Bodies are kept up to this size for the oracle; the rest is read and discarded. */
const KEEP = 1 << 20;

/** Characters node:http refuses in a request target or header value, percent-encoded or replaced. */
const wire = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
// eslint-disable-next-line no-control-regex -- the controls are what must be escaped
export const wirePath = (path: string) => wire(path).replace(/[\x00-\x20\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
const wireHeader = (value: string) => wire(value).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

export class Client {
  private readonly agent: http.Agent;
  constructor(
    readonly origin: string,
    private readonly timeoutMs: number,
    sockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  async send(request: FuzzRequest): Promise<Outcome> {
    const first = await this.once(request);
    // A keep-alive socket the server closed while idle fails the next request before the server
    // saw it; node's documentation says to retry that once. A second failure is a finding.
    return first.failure === 'dropped' && first.detail?.startsWith('reused') ? this.once(request) : first;
  }

  private once(request: FuzzRequest): Promise<Outcome> {
    const started = performance.now();
    const url = new URL(this.origin);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = wireHeader(value);
    if (request.body) headers['content-length'] ??= String(request.body.length);
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: Omit<Outcome, 'ms'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...outcome, ms: performance.now() - started });
      };
      const req = http.request({ host: url.hostname, port: url.port, method: request.method, path: wirePath(request.path), headers, agent: this.agent });
      const timer = setTimeout(() => {
        finish({ failure: 'timeout', headers: {}, body: Buffer.alloc(0) });
        req.destroy();
      }, this.timeoutMs);
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < KEEP) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('end', () => finish({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => finish({ failure: 'dropped', detail: `mid-body: ${err.message}`, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // EPIPE/ECONNRESET while writing a body the server already answered is not a drop.
        if (answered) return;
        finish({ failure: 'dropped', detail: `${req.reusedSocket ? 'reused ' : ''}${err.code ?? err.message}`, headers: {}, body: Buffer.alloc(0) });
      });
      req.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Writes `bytes` on a new connection and half-closes it, so that the server's parser sees the
 * end of input; reads until the server closes or `timeoutMs`. Parses the first response.
 */
export function sendRaw(origin: string, bytes: Buffer, timeoutMs: number): Promise<Outcome> {
  const url = new URL(origin);
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    let done = false;
    const finish = (failure?: 'dropped' | 'timeout', detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(chunks);
      const parsed = parseResponse(data);
      resolve(parsed ? { ...parsed, ms: performance.now() - started } : { failure: failure ?? 'dropped', detail: detail ?? (data.length ? `unparsable answer: ${data.subarray(0, 80).toString('latin1')}` : 'closed without an answer'), headers: {}, body: data, ms: performance.now() - started });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish());
    socket.on('error', (err: NodeJS.ErrnoException) => finish('dropped', err.code ?? err.message));
    socket.end(bytes);
  });
}

/** The first HTTP/1.x response in `data` (Content-Length or chunked), or undefined. */
export function parseResponse(data: Buffer): Omit<Outcome, 'ms'> | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!match) return undefined;
  const headers: IncomingHttpHeaders = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = data.subarray(end + 4);
  const length = headers['content-length'];
  if (length !== undefined) body = body.subarray(0, Number(length));
  else if (/chunked/i.test(String(headers['transfer-encoding'] ?? ''))) body = unchunk(body);
  return { status: Number(match[1]), headers, body };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
