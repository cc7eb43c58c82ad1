// A raw HTTP/1.1 connection for tests that fetch cannot express: requests written byte by byte or
// never finished, malformed requests, several responses on one connection, and whether the server
// closed the connection.
import { once } from 'node:events';
import { connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private received = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  /** Resolves when the server has closed (or reset) the connection. */
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake?.();
    });
    socket.on('error', () => {}); // a reset is one way of being closed
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  /** Over TLS when `url` is https (`ca`: the certificate authority to trust). */
  static async open(url: string, options: { ca?: string } = {}): Promise<RawConnection> {
    const { protocol, hostname, port } = new URL(url);
    if (protocol === 'https:') {
      const host = hostname.replace(/^\[(.*)\]$/, '$1');
      const socket = tlsConnect({ host, port: Number(port), ca: options.ca, ...(isIP(host) ? {} : { servername: host }) });
      await once(socket, 'secureConnect');
      return new RawConnection(socket);
    }
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    return new RawConnection(socket);
  }

  /** Writes unless the server has closed the connection; false when it had. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.isClosed || this.socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(data, (err) => resolve(!err)));
  }

  /** The next whole response (a HEAD's has no body whatever its Content-Length). */
  async response(options: { head?: boolean } = {}): Promise<RawResponse> {
    for (;;) {
      const parsed = this.parse(options.head ?? false);
      if (parsed) return parsed;
      if (this.isClosed) throw new Error(`connection closed before a whole response; received: ${JSON.stringify(this.received.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Bytes received and not consumed by a response, after the connection closed. */
  async rest(): Promise<string> {
    await this.closed;
    return this.received.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(head: boolean): RawResponse | undefined {
    const end = this.received.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.received.toString('latin1', 0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (headers['transfer-encoding']) throw new Error('chunked responses are not parsed here');
    const length = head ? 0 : Number(headers['content-length'] ?? 0);
    if (this.received.length < end + 4 + length) return undefined;
    const body = this.received.toString('utf8', end + 4, end + 4 + length);
    this.received = this.received.subarray(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  }
}
