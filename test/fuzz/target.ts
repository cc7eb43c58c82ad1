// The server under fuzz: in this process (CI size) or a `graph-lro serve` child (the large run,
// whose RSS is read from /proc), over an embedded database in a fresh data directory; the
// demo tenant gives the alerts directory data, and tokens are minted with the server's own key.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SigningKey } from '../../src/auth/index.js';
import { DirectoryRoles, loadOrCreateSigningKey, mintToken } from '../../src/auth/index.js';
import { startServer } from '../../src/http/server.js';

export const TENANT = '4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f';
export const OTHER_TENANT = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
export const DEMO_USERS = 30;

export const PIM_SCOPES = ['RoleManagementAlert.ReadWrite.Directory', 'Directory.ReadWrite.All'];
export const INDUSTRY_SCOPES = ['IndustryData-SourceSystem.ReadWrite.All', 'IndustryData-DataConnector.ReadWrite.All', 'IndustryData-InboundFlow.ReadWrite.All', 'IndustryData.ReadBasic.All'];

export interface Target {
  url: string;
  key: SigningKey;
  /** The server's process id when it runs apart (its RSS can be read). */
  pid?: number;
  close(): Promise<void>;
}

export async function startInProcess(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-fuzz-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, shutdownGraceMs: 1000, demo: { tenantId: TENANT, users: DEMO_USERS } });
  return {
    url: server.url,
    key: server.signingKey!,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startChild(options: { databaseUrl?: string } = {}): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-fuzz-'));
  const main = new URL('../../src/cli/main.js', import.meta.url).pathname;
  const args = [main, 'serve', '--port', '0', '--data-dir', dataDir, '--demo-tenant', TENANT, '--demo-users', String(DEMO_USERS), '--log-level', 'error', '--grace', '2s'];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`graph-lro serve exited with ${code}`)));
  });
  child.stdout!.resume();
  return {
    url,
    pid: child.pid,
    key: await loadOrCreateSigningKey(dataDir),
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident set size now and at its peak (VmHWM), in MB, of a process on Linux. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

export interface Tokens {
  /** Everything the fuzzed routes need, delegated, Global Administrator. */
  admin: string;
  /** Reads only. */
  reader: string;
  app: string;
  otherTenant: string;
}

export async function tokens(key: SigningKey): Promise<Tokens> {
  const all = [...PIM_SCOPES, ...INDUSTRY_SCOPES];
  return {
    admin: await mintToken({ key, tenantId: TENANT, scopes: all, wids: [DirectoryRoles.globalAdministrator] }),
    reader: await mintToken({ key, tenantId: TENANT, scopes: ['RoleManagementAlert.Read.Directory', 'IndustryData.ReadBasic.All'], wids: [DirectoryRoles.globalReader] }),
    app: await mintToken({ key, tenantId: TENANT, app: true, roles: all }),
    otherTenant: await mintToken({ key, tenantId: OTHER_TENANT, scopes: all, wids: [DirectoryRoles.globalAdministrator] }),
  };
}
