#!/usr/bin/env node
import { Command } from 'commander';
import { demoCommand } from './demo.js';
import { directoryCommand } from './directory.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';

const program = new Command('graph-lro')
  .description('Long-running operations served as Microsoft Graph (beta) serves them.')
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(tokenCommand())
  .addCommand(directoryCommand())
  .addCommand(demoCommand());

try {
  await program.parseAsync();
} catch (err) {
  process.stderr.write(`graph-lro: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
