#!/usr/bin/env node
import { Command } from 'commander';
import { alertsCommand } from './alerts.js';
import { connectorsCommand } from './connectors.js';
import { demoCommand } from './demo.js';
import { directoryCommand } from './directory.js';
import { incidentsCommand } from './incidents.js';
import { operationsCommand } from './operations.js';
import { runsCommand } from './runs.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';

const program = new Command('graph-lro')
  .description('Long-running operations served as Microsoft Graph (beta) serves them.')
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(tokenCommand())
  .addCommand(directoryCommand())
  .addCommand(demoCommand())
  .addCommand(alertsCommand())
  .addCommand(incidentsCommand())
  .addCommand(operationsCommand())
  .addCommand(connectorsCommand())
  .addCommand(runsCommand())
  .addHelpText(
    'after',
    `
Remote commands (alerts, incidents, operations, connectors, runs) read the server from --url or
GRAPH_LRO_URL (default http://127.0.0.1:3000) and the token from --token or GRAPH_LRO_TOKEN.

Exit codes:
  0  success
  1  the operation failed, or the server answered an error
  2  usage error (bad arguments, no token)
  3  a validation ran and found errors (connectors validate --wait, operations watch)

Examples:
  $ graph-lro serve
  $ export GRAPH_LRO_TOKEN="$(graph-lro token --scopes RoleManagementAlert.ReadWrite.Directory --wids privilegedRoleAdministrator)"
  $ graph-lro alerts refresh --wait && graph-lro alerts list`,
  );

// Commander's own usage errors exit 2 like ours; help and version exit 0.
(function usageExits(command: Command) {
  command.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
  for (const sub of command.commands) usageExits(sub);
})(program);

try {
  await program.parseAsync();
} catch (err) {
  process.stderr.write(`graph-lro: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
