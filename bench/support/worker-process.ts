// The workers of the separate deployment, in a process of their own (forked by deploy.ts): their
// own instance, pool and event loop, as a worker fleet apart from the API processes that create
// jobs. Driven over the IPC channel; times are absolute (performance.timeOrigin + now()), which
// the parent maps onto its own clock with the offset it measured by ping.
import type { Instance } from './queue-system.js';
import { systems } from './systems.js';

export type Request =
  | { op: 'start'; system: string; address: string; report: 'count' | 'each' }
  | { op: 'expect'; n: number }
  | { op: 'stop' }
  | { op: 'ping' };

export type Reply =
  | { op: 'started' }
  | { op: 'expecting' }
  | { op: 'handled' }
  | { op: 'job'; at: number }
  | { op: 'stopped'; runs: number }
  | { op: 'pong'; at: number }
  | { op: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();
const send = (reply: Reply) => process.send?.(reply);

let instance: Instance | undefined;
let report: 'count' | 'each' = 'count';
let runs = 0;
let expected = Infinity;

function onJob(): void {
  runs++;
  if (report === 'each') send({ op: 'job', at: now() });
  else if (runs === expected) send({ op: 'handled' });
}

async function handle(request: Request): Promise<void> {
  switch (request.op) {
    case 'ping':
      return void send({ op: 'pong', at: now() });
    case 'start': {
      const system = systems[request.system]?.();
      if (!system) throw new Error(`unknown system ${request.system}`);
      report = request.report;
      runs = 0;
      expected = Infinity;
      instance = await system.start(request.address, 'workers', onJob);
      return void send({ op: 'started' });
    }
    case 'expect':
      runs = 0;
      expected = request.n;
      return void send({ op: 'expecting' });
    case 'stop':
      await instance?.stop();
      instance = undefined;
      return void send({ op: 'stopped', runs });
  }
}

process.on('message', (request: Request) => {
  handle(request).catch((err: unknown) => send({ op: 'error', message: err instanceof Error ? err.message : String(err) }));
});
// The bench went away: nothing left to report to.
process.on('disconnect', () => process.exit(0));
