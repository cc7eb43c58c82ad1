// `graph-lro serve` child processes: each in a process group of its own (killed whole, also by the
// cleanup), its output in a log file and its last lines kept for the report; an exit the harness
// did not cause is recorded with its code and those lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { sleep } from './util.js';

export interface UnexpectedExit {
  server: string;
  pid: number;
  code: number | null;
  signal: string | null;
  atSec: number;
  phase: string;
  uptimeSec: number;
  /** Exited before it answered /healthz (a failed start, e.g. with the database down). */
  duringStart: boolean;
  lastLines: string[];
}

export interface ServerSpec {
  name: string;
  /** dist/src/cli/main.js of the (snapshotted) build. */
  cli: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  lease?: string;
  logDir: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

const TAIL = 40;

export class ServerProcess {
  child: ChildProcess | undefined;
  pid = 0;
  private expectExit = false;
  private ready = false;
  private startedAt = 0;
  private tail: string[] = [];
  private log: WriteStream | undefined;
  private errLog: WriteStream | undefined;
  private generation = 0;
  private exited: Promise<void> = Promise.resolve();
  readonly url: string;

  constructor(
    readonly spec: ServerSpec,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
    private readonly clock: { sec(): number; phase(): string },
  ) {
    this.url = `http://127.0.0.1:${spec.port}`;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  lastLines(n = 15): string[] {
    return this.tail.slice(-n);
  }

  /** The last stderr lines that say something (no stack frames, no `field: undefined` of an error dump); stdout's when stderr is empty. */
  crashLines(n = 14): string[] {
    const useful = this.tail.filter((l) => !/^std(out|err):\s+at /.test(l) && !/:\s+undefined,?$/.test(l));
    const stderr = useful.filter((l) => l.startsWith('stderr:'));
    return (stderr.length ? stderr : useful).slice(-n);
  }

  /** Spawns the server and waits until /healthz answers; returns milliseconds to ready. */
  async start(readyTimeoutMs = 60_000): Promise<number> {
    const began = performance.now();
    this.generation++;
    this.expectExit = false;
    this.ready = false;
    this.tail = [];
    const args = [this.spec.cli, 'serve', '--port', String(this.spec.port), '--host', '127.0.0.1', '--no-demo', '--data-dir', this.spec.dataDir, ...(this.spec.lease ? ['--lease', this.spec.lease] : []), ...(this.spec.extraArgs ?? [])];
    const env: Record<string, string | undefined> = { ...process.env, ...this.spec.env, LOG_LEVEL: process.env.CHAOS_SERVER_LOG_LEVEL ?? 'warn' };
    if (this.spec.databaseUrl) env.DATABASE_URL = this.spec.databaseUrl;
    else delete env.DATABASE_URL;
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    this.pid = child.pid!;
    this.startedAt = performance.now();
    // stdout (pino's JSON and the start banner) and stderr (Node's own crash output) apart.
    this.log = createWriteStream(join(this.spec.logDir, `${this.spec.name}.log`), { flags: 'a' });
    this.errLog = createWriteStream(join(this.spec.logDir, `${this.spec.name}.stderr.log`), { flags: 'a' });
    for (const log of [this.log, this.errLog]) log.write(`--- start #${this.generation} pid ${this.pid} at ${this.clock.sec()} s (${this.clock.phase()})\n`);
    const removeCleanup = onCleanup(() => killGroup(child.pid!, 'SIGKILL'));
    const out = this.log;
    const err = this.errLog;
    const take = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      (stream === 'stdout' ? out : err).write(chunk);
      for (const line of chunk.toString().split('\n')) if (line.trim()) this.tail.push(`${stream}: ${line.slice(0, 2000)}`);
      if (this.tail.length > TAIL * 2) this.tail = this.tail.slice(-TAIL);
    };
    child.stdout!.on('data', take('stdout'));
    child.stderr!.on('data', take('stderr'));
    this.exited = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        removeCleanup();
        for (const log of [out, err]) log.write(`--- exit pid ${child.pid} code ${code} signal ${signal} at ${this.clock.sec()} s\n`);
        if (!this.expectExit) {
          this.onUnexpectedExit({
            server: this.spec.name,
            pid: child.pid!,
            code,
            signal,
            atSec: this.clock.sec(),
            phase: this.clock.phase(),
            uptimeSec: Math.round((performance.now() - this.startedAt) / 100) / 10,
            duringStart: !this.ready,
            lastLines: this.crashLines(),
          });
        }
        resolve();
      });
    });
    const deadline = performance.now() + readyTimeoutMs;
    while (performance.now() < deadline) {
      if (!this.alive) throw new Error(`${this.spec.name} exited while starting: ${this.lastLines(8).join(' | ')}`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          this.ready = true;
          return performance.now() - began;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.spec.name} did not answer /healthz within ${readyTimeoutMs / 1000} s: ${this.lastLines(8).join(' | ')}`);
  }

  /** kill -9 of the whole process group; resolves once it exited. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.expectExit = true;
    killGroup(this.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful), then SIGKILL after `ms`; true when SIGKILL was needed. */
  async stop(ms = 15_000): Promise<boolean> {
    if (!this.alive) return false;
    this.expectExit = true;
    killGroup(this.pid, 'SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      killGroup(this.pid, 'SIGKILL');
    }, ms);
    await this.exited;
    clearTimeout(timer);
    return killed;
  }

  /** Resolves when the current process exits (for whatever reason). */
  waitExit(): Promise<void> {
    return this.exited;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Runs the CLI (token, demo, …) to completion; returns stdout; throws with stderr on failure. */
export function runCli(cli: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 300_000): string {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const res = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: merged as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`graph-lro ${args.slice(0, 2).join(' ')} exited with ${res.status}: ${(res.stderr || res.stdout).trim().slice(-2000)}`);
  return res.stdout;
}
