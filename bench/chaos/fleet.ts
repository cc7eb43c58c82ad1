// The three `graph-lro serve` processes of scenarios a and b, supervised: a process that exits
// without the harness asking is recorded and started again (as a process manager would), and the
// kill loop picks its victims among the live ones.
import type { Clock } from './util.js';
import { sleep } from './util.js';
import type { ServerSpec, UnexpectedExit } from './processes.js';
import { ServerProcess } from './processes.js';

export interface StartFailure {
  server: string;
  atSec: number;
  phase: string;
  message: string;
}

export class Fleet {
  readonly servers: ServerProcess[];
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly startFailures: StartFailure[] = [];
  private supervising = true;
  private readonly restarting = new Set<string>();

  constructor(
    specs: ServerSpec[],
    private readonly clock: Clock,
  ) {
    this.servers = specs.map(
      (spec) =>
        new ServerProcess(
          spec,
          (exit) => {
            // A start that fails is recorded by startUntilUp (it throws there); a crash here.
            if (exit.duringStart) return;
            this.unexpectedExits.push(exit);
            void this.revive(this.servers.find((s) => s.spec.name === exit.server)!);
          },
          clock,
        ),
    );
  }

  /** Starts every server (the first alone: it applies the migrations). */
  async start(): Promise<void> {
    await this.servers[0]!.start();
    await Promise.all(this.servers.slice(1).map((s) => s.start()));
  }

  /** Starts `server` until it is up (retrying every 2 s while supervising); ms to ready, or null. */
  async startUntilUp(server: ServerProcess): Promise<number | null> {
    const began = this.clock.ms();
    this.restarting.add(server.spec.name);
    try {
      while (this.supervising) {
        try {
          await server.start();
          return this.clock.ms() - began;
        } catch (err) {
          this.startFailures.push({ server: server.spec.name, atSec: this.clock.sec(), phase: this.clock.phase(), message: (err as Error).message.slice(0, 1500) });
          await server.kill();
          await sleep(2000);
        }
      }
      return null;
    } finally {
      this.restarting.delete(server.spec.name);
    }
  }

  private async revive(server: ServerProcess): Promise<void> {
    if (!this.supervising || this.restarting.has(server.spec.name)) return;
    await sleep(1000);
    if (!this.supervising || server.alive) return;
    await this.startUntilUp(server);
  }

  /** Live servers the kill loop may pick (not being restarted). */
  killable(): ServerProcess[] {
    return this.servers.filter((s) => s.alive && !this.restarting.has(s.spec.name));
  }

  aliveCount(): number {
    return this.servers.filter((s) => s.alive).length;
  }

  /** Graceful stop of every server: seconds each took, and whether SIGKILL was needed. */
  async stop(graceMs = 20_000): Promise<{ server: string; seconds: number; killed: boolean }[]> {
    this.supervising = false;
    return Promise.all(
      this.servers.map(async (s) => {
        const began = performance.now();
        const killed = await s.stop(graceMs);
        return { server: s.spec.name, seconds: Math.round((performance.now() - began) / 100) / 10, killed };
      }),
    );
  }

  /** Kill everything now (cleanup after a failure). */
  async killAll(): Promise<void> {
    this.supervising = false;
    await Promise.all(this.servers.map((s) => s.kill()));
  }
}
