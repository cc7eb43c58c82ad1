// The harness's own PostgreSQL cluster: initdb into a temporary directory, pg_ctl on a free
// loopback port, stopped and deleted at the end whatever happens. The shared server on 5432 is
// never touched. As root (initdb refuses root) the binaries run as the `postgres` user through
// runuser, on a directory owned by that user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../src/db/lock.js';
import pg from 'pg';
import { onCleanup } from './cleanup.js';

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PREFIX = 'graph-lro-chaos-pg-';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ids(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', user]).toString().trim()),
  };
}

export class PgCluster {
  readonly root: string;
  readonly pgdata: string;
  readonly log: string;
  private readonly owner: { uid: number; gid: number } | undefined;
  private running = false;
  private readonly removeCleanup: () => void;

  private constructor(readonly port: number) {
    this.root = mkdtempSync(join(tmpdir(), PREFIX));
    this.pgdata = join(this.root, 'pgdata');
    this.log = join(this.root, 'postgres.log');
    writeFileSync(join(this.root, 'harness.pid'), `${process.pid}\n`);
    this.owner = process.getuid?.() === 0 ? ids(process.env.PG_USER ?? 'postgres') : undefined;
    if (this.owner) chownSync(this.root, this.owner.uid, this.owner.gid);
    this.removeCleanup = onCleanup(() => this.destroySync());
  }

  /** Removes clusters left by harness runs that were killed outright (their harness pid is gone). */
  static removeStale(): string[] {
    const removed: string[] = [];
    for (const name of readdirSync(tmpdir())) {
      if (!name.startsWith(PREFIX)) continue;
      const root = join(tmpdir(), name);
      try {
        const pid = Number.parseInt(readFileSync(join(root, 'harness.pid'), 'utf8'), 10);
        if (Number.isInteger(pid) && isProcessAlive(pid)) continue;
      } catch {
        // no pid file: an unfinished cluster of a dead run
      }
      stopImmediately(join(root, 'pgdata'));
      rmSync(root, { recursive: true, force: true });
      removed.push(root);
    }
    return removed;
  }

  static async create(): Promise<PgCluster> {
    const cluster = new PgCluster(await freePort());
    cluster.run(['initdb', '-D', cluster.pgdata, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // Settings in the file (not `-o`), so `pg_ctl restart` keeps them. fsync off: the harness
    // only ever stops PostgreSQL cleanly (fast/smart), and the machine's disk is shared.
    appendFileSync(
      join(cluster.pgdata, 'postgresql.conf'),
      [
        '',
        '# graph-lro chaos harness',
        `port = ${cluster.port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${cluster.root}'`,
        'max_connections = 300',
        'shared_buffers = 128MB',
        'fsync = off',
        'full_page_writes = off',
        'synchronous_commit = on',
        `log_line_prefix = '%m [%p] %a '`,
        '',
      ].join('\n'),
    );
    await cluster.start();
    return cluster;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private run(args: string[], timeoutMs = 120_000): string {
    const [bin, ...rest] = args;
    const cmd = join(BIN, bin!);
    const res = this.owner
      ? spawnSync('runuser', ['-u', process.env.PG_USER ?? 'postgres', '--', cmd, ...rest], { encoding: 'utf8', timeout: timeoutMs, cwd: this.root })
      : spawnSync(cmd, rest, { encoding: 'utf8', timeout: timeoutMs, cwd: this.root });
    if (res.error) throw res.error;
    if (res.status !== 0) throw new Error(`${bin} ${rest.join(' ')} exited with ${res.status}: ${res.stderr || res.stdout}`);
    return res.stdout;
  }

  /** pg_ctl with a wait; returns after the server accepts connections (or is stopped). */
  private async pgCtl(action: 'start' | 'stop' | 'restart', extra: string[] = []): Promise<void> {
    // spawnSync would block the event loop (and the load) for the whole restart: run it async.
    const { spawn } = await import('node:child_process');
    const cmd = join(BIN, 'pg_ctl');
    const args = ['-D', this.pgdata, '-l', this.log, '-w', '-t', '60', ...extra, action];
    const child = this.owner ? spawn('runuser', ['-u', process.env.PG_USER ?? 'postgres', '--', cmd, ...args], { cwd: this.root }) : spawn(cmd, args, { cwd: this.root });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`pg_ctl ${action} exited with ${code}: ${out.trim()}`);
  }

  async start(): Promise<void> {
    await this.pgCtl('start');
    this.running = true;
  }

  async stop(mode: 'fast' | 'smart' | 'immediate' = 'fast'): Promise<void> {
    await this.pgCtl('stop', ['-m', mode]);
    this.running = false;
  }

  async restart(mode: 'fast' | 'smart' = 'fast'): Promise<void> {
    this.running = false;
    await this.pgCtl('restart', ['-m', mode]);
    this.running = true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  async query<T extends pg.QueryResultRow = Record<string, unknown>>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url(database), application_name: 'chaos-harness' });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async createDatabase(name: string): Promise<string> {
    await this.query('postgres', `CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Stops the cluster (immediate) and deletes its directory; synchronous, for exit handlers. */
  destroySync(): void {
    stopImmediately(this.pgdata, this.owner);
    rmSync(this.root, { recursive: true, force: true });
    this.running = false;
  }

  async destroy(): Promise<void> {
    if (this.running) await this.stop('fast').catch(() => undefined);
    this.destroySync();
    this.removeCleanup();
  }
}

function stopImmediately(pgdata: string, owner?: { uid: number; gid: number }): void {
  if (!existsSync(join(pgdata, 'postmaster.pid'))) return;
  const cmd = join(BIN, 'pg_ctl');
  const args = ['-D', pgdata, '-m', 'immediate', '-w', '-t', '20', 'stop'];
  const asRoot = process.getuid?.() === 0;
  const res = asRoot || owner ? spawnSync('runuser', ['-u', process.env.PG_USER ?? 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.status === 0) return;
  // pg_ctl failed (a half-deleted directory?): kill the postmaster by its pid file.
  try {
    const pid = Number.parseInt(readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]!, 10);
    if (Number.isInteger(pid)) process.kill(pid, 'SIGQUIT');
  } catch {
    // already gone
  }
}
