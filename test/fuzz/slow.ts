// Large and slow requests (the large run only): unauthenticated bodies of hundreds of MB, sent as
// fast as the server reads them, and connections that trickle their headers or their body. Each
// connection records when it was answered and how long the server held it.
import net from 'node:net';
import { parseResponse } from './client.js';

export interface Held {
  target: string;
  /** The answer's status, or how the connection ended without one (closed, or reset under the client's writes). */
  status: number | 'closed' | 'reset' | 'open at cap';
  /** From connecting until the server answered or closed, or the cap, ms. */
  heldMs: number;
  /** Body bytes written before the answer came, MB. */
  sentMb?: number;
}

interface Exchange {
  origin: string;
  head: string;
  /** Writes the rest through `send`; resolves when it stops (answered, closed, or done). */
  feed(send: (bytes: Buffer | string) => void, socket: net.Socket, answered: () => boolean): Promise<void>;
  capMs: number;
}

function exchange(target: string, x: Exchange): Promise<Held> {
  const url = new URL(x.origin);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    const data: Buffer[] = [];
    let sent = 0;
    let result: Held | undefined;
    const finish = (status: Held['status']) => {
      if (result) return;
      result = { target, status, heldMs: Math.round(performance.now() - started), sentMb: Math.round(sent / 2 ** 20) };
      clearTimeout(cap);
      socket.destroy();
      resolve(result);
    };
    const cap = setTimeout(() => finish('open at cap'), x.capMs);
    socket.on('data', (chunk: Buffer) => {
      data.push(chunk);
      const parsed = parseResponse(Buffer.concat(data));
      if (parsed && parsed.status! >= 200) finish(parsed.status!);
    });
    socket.on('close', () => finish('closed'));
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'closed'));
    socket.on('connect', () => {
      socket.write(x.head);
      // Bytes are counted as written, so an early answer reports what had been sent.
      const send = (bytes: Buffer | string) => {
        sent += bytes.length;
        socket.write(bytes);
      };
      void x.feed(send, socket, () => result !== undefined);
    });
  });
}

const drain = (socket: net.Socket) => new Promise<void>((resolve) => (socket.writableNeedDrain ? socket.once('drain', resolve).once('close', resolve) : resolve()));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body of `mb` MB written as fast as the socket takes it, stopping at the answer. */
export function bigBody(origin: string, method: string, path: string, mb: number, chunked: boolean, capMs: number, headers = ''): Promise<Held> {
  const piece = Buffer.alloc(1 << 20, '{"users":[ ');
  const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${mb * 2 ** 20}`;
  return exchange(`${method} ${path.split('?')[0]} ${mb} MB${chunked ? ' chunked' : ''}`, {
    origin,
    capMs,
    head: `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-ms-blob-type: BlockBlob\r\n${headers}${framing}\r\n\r\n`,
    async feed(send, socket, answered) {
      for (let i = 0; i < mb && !answered() && !socket.destroyed; i++) {
        send(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece);
        await drain(socket);
      }
      if (chunked && !answered() && !socket.destroyed) send('0\r\n\r\n');
    },
  });
}

/** Headers (or, after complete headers, a body) written one byte every `everyMs`, never finished. */
export function trickle(origin: string, mode: 'headers' | 'body', token: string | undefined, everyMs: number, capMs: number): Promise<Held> {
  const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
  const head =
    mode === 'headers'
      ? `GET /beta/external/industryData/operations HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}X-Slow: `
      : `POST /beta/external/industryData/sourceSystems HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"displayName":"`;
  return exchange(`trickled ${mode}${token ? ' (token)' : ''}`, {
    origin,
    capMs,
    head,
    async feed(send, socket, answered) {
      while (!answered() && !socket.destroyed) {
        await sleep(everyMs);
        if (!answered() && !socket.destroyed) send('a');
      }
    },
  });
}

/** min, median, p95 and max of held times, and counts by status. */
export function summary(held: Held[]) {
  const ms = held.map((h) => h.heldMs).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  const byStatus: Record<string, number> = {};
  for (const h of held) byStatus[String(h.status)] = (byStatus[String(h.status)] ?? 0) + 1;
  return { connections: held.length, byStatus, heldMs: { min: ms[0] ?? 0, median: at(0.5), p95: at(0.95), max: ms[ms.length - 1] ?? 0 } };
}
