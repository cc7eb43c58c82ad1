// The service as the industry data benchmarks measure it: in a child process of its own (the
// benchmark's own script with `--child server`), so that its peak RSS and CPU are the service's
// alone. The child prints its URL and a token, then answers commands on stdin: `reset` (peak RSS
// and CPU from now on), `report` (peak RSS, CPU), `stop`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createScratchDb, round } from './scratch-db.js';

const MB = 1024 * 1024;
export const BENCH_TENANT = '3f5d8a1c-6b2e-4c7d-9e0f-a1b2c3d4e5f6';

/** Resets the peak RSS (Linux: VmHWM) so the next reading covers what follows. */
export function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export async function peakRssMb(): Promise<number> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    if (kb) return round(kb / 1024, 1);
  } catch {
    // not Linux: the lifetime peak instead
  }
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

export const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return round((d.user + d.system) / 1e6);
};

/** The child side: the server on `backend` (a scratch database for postgres), until `stop`. */
export async function serveChild(options: { backend: string; store: string; dataRoot: string; label: string; scopes: string[] }): Promise<void> {
  const { mintToken } = await import('../../src/auth/index.js');
  const { startServer } = await import('../../src/http/server.js');
  const dataDir = join(options.dataRoot, `server-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const scratch = options.backend === 'postgres' ? await createScratchDb(options.label) : undefined;
  if (options.backend === 'postgres' && options.store === 'files') process.env.GRAPH_LRO_BLOB_DIR = join(dataDir, 'blobs');
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: scratch?.url, shutdownGraceMs: 1000 });
  const token = await mintToken({ key: server.signingKey!, tenantId: BENCH_TENANT, scopes: options.scopes });
  const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  say({ url: server.url, token, databaseUrl: scratch?.url ?? null });
  let cpu = process.cpuUsage();
  let reset = false;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'reset') {
      reset = resetPeak();
      cpu = process.cpuUsage();
      say({ rssMb: round(process.memoryUsage().rss / MB, 1) });
    } else if (line === 'report') {
      say({ peakRssMb: await peakRssMb(), peakReset: reset, cpuSeconds: cpuSeconds(cpu) });
    } else break;
  }
  await server.close();
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}

export interface Service {
  url: string;
  token: string;
  /** The scratch database the service runs on (postgres), for a baseline on the same server. */
  databaseUrl: string | null;
  /** A command to the child, and its answer. */
  command(line: 'reset' | 'report'): Promise<Record<string, unknown>>;
  /** A Graph call with the token; a status of 300 or more throws. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** Starts `script --child server <args>` and talks to it. */
export async function spawnService(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Service> {
  const child = spawn(process.execPath, [script, '--child', 'server', ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  const { url, token, databaseUrl } = (await next()) as { url: string; token: string; databaseUrl: string | null };
  return {
    url,
    token,
    databaseUrl,
    command: async (line) => {
      child.stdin!.write(`${line}\n`);
      return next();
    },
    call: async (method, path, body, headers = {}) => {
      const res = await fetch(path.startsWith('http') ? path : `${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res;
    },
    stop: async () => {
      child.stdin!.end('stop\n');
      await once(child, 'exit');
    },
  };
}

/** A connector with an upload session over HTTP, and the files of `dir` uploaded to it; the seconds the upload took. */
export async function uploadedConnector(service: Service, dir: string, files: readonly string[]): Promise<{ connectorId: string; sourceSystemId: string; uploadSeconds: number }> {
  const { ContainerClient } = await import('@azure/storage-blob');
  const system = (await (await service.call('POST', '/beta/external/industryData/sourceSystems', { displayName: 'Bench SIS' })).json()) as { id: string };
  const connector = (await (
    await service.call('POST', '/beta/external/industryData/dataConnectors', {
      '@odata.type': '#microsoft.graph.industryData.azureDataLakeConnector',
      displayName: 'Bench connector',
      'sourceSystem@odata.bind': `external/industryData/sourceSystems('${system.id}')`,
      fileFormat: { code: 'schoolDataSyncV2Rev1' },
    })
  ).json()) as { id: string };
  const session = (await (
    await service.call('GET', `/beta/external/industryData/dataConnectors/${connector.id}/microsoft.graph.industryData.azureDataLakeConnector/getUploadSession`)
  ).json()) as { sessionUrl: string };
  const container = new ContainerClient(session.sessionUrl);
  const start = performance.now();
  for (const file of files) await container.getBlockBlobClient(file).uploadFile(join(dir, file), { blockSize: 8 * MB, maxSingleShotSize: 8 * MB, concurrency: 4 });
  return { connectorId: connector.id, sourceSystemId: system.id, uploadSeconds: (performance.now() - start) / 1000 };
}
