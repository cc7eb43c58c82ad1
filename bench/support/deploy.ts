// The two deployments every system is measured in, behind one interface for the measuring code:
// - 'one instance': producer and workers are one instance of the system in the bench's process
//   (one pool, one event loop), as a server that both serves the API and runs workers;
// - 'separate instances': the producer is an instance in the bench's process and the workers an
//   instance in a worker process (worker-process.ts) with its own pool and event loop, as API
//   processes and a worker fleet. Separate processes rather than two instances in one process,
//   so neither side's event loop delays the other's: a figure of this deployment measures the
//   system's path through the database, not two halves sharing one thread.
import { fork, type ChildProcess } from 'node:child_process';
import type { Instance, QueueSystem } from './queue-system.js';
import type { Reply, Request } from './worker-process.js';

export type Deployment = 'one instance' | 'separate instances';

export interface Deployed {
  producer: Instance;
  /** Counts handler runs from now on; `handled` resolves at the n-th. */
  countTo(n: number): Promise<{ handled: Promise<void> }>;
  /** Resolves with the time (this process's performance.now()) the next handler starts. */
  nextStart(): Promise<number>;
  /** Stops the producer and the workers (running handlers finish); returns the handler runs
   *  since the last countTo. */
  stop(): Promise<number>;
}

/**
 * Starts `system` on the store at `address`: in this process, or with its workers in `workers`.
 * `report`: whether the worker process reports every handler start (pickup, one job at a time) or
 * only the count reaching its target (many jobs: a message per job would load the workers).
 */
export async function deploy(system: QueueSystem, address: string, workers: WorkerProcess | null, report: 'each' | 'count'): Promise<Deployed> {
  if (workers) {
    await workers.start(system.name, address, report);
    const producer = await system.start(address, 'producer', () => undefined).catch(async (err: unknown) => {
      await workers.stop();
      throw err;
    });
    return {
      producer,
      countTo: (n) => workers.countTo(n),
      nextStart: () => workers.nextStart(),
      async stop() {
        await producer.stop();
        return workers.stop();
      },
    };
  }
  let runs = 0;
  let target = Infinity;
  let reached: (() => void) | undefined;
  let started: ((at: number) => void) | undefined;
  const instance = await system.start(address, 'both', () => {
    const at = performance.now();
    if (++runs === target) reached?.();
    started?.(at);
    started = undefined;
  });
  return {
    producer: instance,
    async countTo(n) {
      runs = 0;
      target = n;
      return { handled: new Promise<void>((resolve) => (reached = resolve)) };
    },
    nextStart: () => new Promise<number>((resolve) => (started = resolve)),
    async stop() {
      await instance.stop();
      return runs;
    },
  };
}

/** A worker process, forked once per system and deployment, that starts and stops instances. */
export class WorkerProcess {
  /** Its clock minus this process's, in ms (both absolute: timeOrigin + now()). */
  offsetMs = 0;
  private readonly pending = new Map<Reply['op'], { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();
  private onJob: ((at: number) => void) | undefined;
  private onHandled: (() => void) | undefined;
  private exited: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => this.receive(reply));
    child.on('exit', (code, signal) => {
      this.exited = new Error(`the worker process exited (${signal ?? code})`);
      for (const { reject } of this.pending.values()) reject(this.exited);
      this.pending.clear();
    });
  }

  static async fork(): Promise<WorkerProcess> {
    // The same Node.js binary as this process, so both sides run on the same runtime.
    const child = fork(new URL('./worker-process.js', import.meta.url), [], { execPath: process.execPath, execArgv: [], stdio: 'inherit' });
    const workers = new WorkerProcess(child);
    await workers.calibrate();
    return workers;
  }

  /** Estimates the clock offset from the ping with the shortest round trip (its midpoint). */
  private async calibrate(): Promise<void> {
    let best = Infinity;
    for (let i = 0; i < 30; i++) {
      const sent = performance.timeOrigin + performance.now();
      const { at } = (await this.request({ op: 'ping' }, 'pong')) as { at: number };
      const back = performance.timeOrigin + performance.now();
      if (back - sent < best) {
        best = back - sent;
        this.offsetMs = at - (sent + back) / 2;
      }
    }
  }

  private receive(reply: Reply): void {
    if (reply.op === 'job') return this.onJob?.(reply.at - this.offsetMs - performance.timeOrigin);
    if (reply.op === 'handled') return this.onHandled?.();
    if (reply.op === 'error') {
      const err = new Error(`worker process: ${reply.message}`);
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
      return;
    }
    const waiter = this.pending.get(reply.op);
    this.pending.delete(reply.op);
    waiter?.resolve(reply);
  }

  private request(request: Request, replyOp: Reply['op']): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(replyOp, { resolve, reject });
      this.child.send(request);
    });
  }

  async start(system: string, address: string, report: 'each' | 'count'): Promise<void> {
    this.onJob = undefined;
    await this.request({ op: 'start', system, address, report }, 'started');
  }

  async countTo(n: number): Promise<{ handled: Promise<void> }> {
    const handled = new Promise<void>((resolve) => (this.onHandled = resolve));
    await this.request({ op: 'expect', n }, 'expecting');
    return { handled };
  }

  nextStart(): Promise<number> {
    return new Promise<number>((resolve) => (this.onJob = resolve));
  }

  async stop(): Promise<number> {
    const { runs } = (await this.request({ op: 'stop' }, 'stopped')) as { runs: number };
    return runs;
  }

  /** Ends the process at once (after a cut-off run its workers may still be draining). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    await exited;
  }
}
