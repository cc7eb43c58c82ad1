// A real server on a loopback port over a fresh database of the given backend, and real tokens
// signed by its key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MintOptions } from '../../src/auth/index.js';
import { DirectoryRoles, mintToken } from '../../src/auth/index.js';
import type { RunningServer, ServerConfig } from '../../src/http/server.js';
import { startServer } from '../../src/http/server.js';
import type { Backend, TestDatabase } from './backends.js';
import { TENANT } from './backends.js';

export interface TestServer {
  server: RunningServer;
  url: string;
  database: TestDatabase;
  dataDir: string;
  token(options?: Partial<Omit<MintOptions, 'key'>>): Promise<string>;
  get(path: string, options?: { token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(backend: Backend, config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const database = await backend.create();
  if (backend.name === 'pglite') await database.drop(); // the server opens its own PGlite in dataDir
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-lro-test-'));
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, databaseUrl: database.url, shutdownGraceMs: 1000, ...config });
  const token = (options: Partial<Omit<MintOptions, 'key'>> = {}) =>
    mintToken({
      key: server.signingKey!,
      tenantId: TENANT,
      ...(options.app ? {} : { scopes: ['RoleManagementAlert.Read.Directory', 'IndustryData.ReadBasic.All'], wids: [DirectoryRoles.globalReader] }),
      ...options,
    });
  const defaultToken = await token();
  return {
    server,
    url: server.url,
    database,
    dataDir,
    token,
    get: (path, options = {}) =>
      fetch(`${server.url}${path}`, {
        headers: {
          ...(options.token === null ? {} : { authorization: `Bearer ${options.token ?? defaultToken}` }),
          ...options.headers,
        },
      }),
    async close() {
      await server.close();
      if (backend.name === 'postgres') await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
