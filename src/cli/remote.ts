// Shared by the commands that talk to a running server: --url and --token (flags or environment),
// the client, exit codes, and how a remote failure is reported.
import { Command, Option } from 'commander';
import type { AnyOperation, FileValidateOperation } from '../../packages/client/src/index.js';
import { GraphError, GraphLroClient, isFileValidateOperation, OperationFailedError } from '../../packages/client/src/index.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './defaults.js';
import { printJson, Progress } from './output.js';

/** Exit codes of every command (documented in the root command's --help). */
export const EXIT = { ok: 0, failed: 1, usage: 2, validationErrors: 3 } as const;

export interface RemoteOptions {
  url: string;
  token?: string;
  json?: boolean;
}

export const TOKEN_HINT = `No token: pass --token or set GRAPH_LRO_TOKEN, e.g.
  export GRAPH_LRO_TOKEN="$(graph-lro token --scopes RoleManagementAlert.ReadWrite.Directory,IndustryData.ReadBasic.All,IndustryData-DataConnector.ReadWrite.All,IndustryData-DataConnector.Upload,IndustryData-SourceSystem.ReadWrite.All --wids privilegedRoleAdministrator)"`;

/** Adds --url, --token and --json to a command that calls the server. */
export function remote(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'server URL').env('GRAPH_LRO_URL').default(`http://${DEFAULT_HOST}:${DEFAULT_PORT}`))
    .addOption(new Option('--token <jwt>', 'bearer token (the output of `graph-lro token`)').env('GRAPH_LRO_TOKEN'))
    .option('--json', 'print one JSON document on stdout and nothing else');
}

/** Thrown to end a command with an exit code after its message was printed. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function clientOf(opts: RemoteOptions): { client: GraphLroClient; token: string } {
  const token = opts.token?.trim();
  if (!token) {
    process.stderr.write(`graph-lro: ${TOKEN_HINT}\n`);
    throw new Exit(EXIT.usage);
  }
  return { client: new GraphLroClient({ baseUrl: opts.url, token: () => token }), token };
}

/** The token's tenant (tid claim), read without verification. */
export function tenantOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof payload.tid === 'string' ? payload.tid : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a remote action: server errors and failed operations exit 1, usage errors are left to main (2). */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (err) {
      if (err instanceof Exit) {
        process.exitCode = err.code;
        return;
      }
      if (err instanceof GraphError) {
        process.stderr.write(`graph-lro: ${err.status} ${err.code}: ${err.message}${err.requestId ? ` (request-id ${err.requestId})` : ''}\n`);
        if (err.status === 401) process.stderr.write(`graph-lro: the token was refused (expired, or signed by another key). ${TOKEN_HINT.replace(/^No token: /, '')}\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      if (err instanceof TypeError && /fetch failed/.test(err.message)) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        process.stderr.write(`graph-lro: cannot reach the server${cause ? `: ${cause}` : ''}\n`);
        process.exitCode = EXIT.failed;
        return;
      }
      throw err;
    }
  };
}

/** Follows an operation to its end with progress; prints it; returns the exit code it deserves. */
export async function follow(client: GraphLroClient, url: string, opts: RemoteOptions, render: (op: AnyOperation) => void): Promise<number> {
  const progress = new Progress(Boolean(opts.json));
  let op: AnyOperation;
  try {
    op = await client.poll(url, { onProgress: (o) => progress.update(o) });
  } catch (err) {
    progress.end();
    if (!(err instanceof OperationFailedError)) throw err;
    op = err.operation;
  }
  progress.end();
  if (opts.json) printJson(op);
  else render(op);
  return exitCodeOf(op);
}

export function exitCodeOf(op: AnyOperation): number {
  if (op.status === 'failed') return EXIT.failed;
  if (isFileValidateOperation(op) && (op.errors?.length ?? 0) > 0) return EXIT.validationErrors;
  return EXIT.ok;
}

export type { FileValidateOperation };
