// graph-lro runs start [--wait] | list | get <id> | stats <id>: industry data runs, their
// activities and statistics.
import { Command } from 'commander';
import type { GraphLroClient, IndustryDataRunStatistics } from '../../packages/client/src/index.js';
import { printJson, renderOperation, table } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, clientOf, EXIT, follow, remote } from './remote.js';

/** The run an operation's resourceLocation names. */
const runIdOf = (resourceLocation: string | null | undefined) => resourceLocation?.split('/').pop();

function renderStatistics(stats: IndustryDataRunStatistics): void {
  const t = stats.inboundTotals;
  process.stdout.write(`run ${stats.runId}: ${stats.status}\n\n`);
  process.stdout.write(
    table(
      ['people', 'organizations', 'groups', 'memberships', 'errors', 'warnings'],
      [[t.people, t.organizations, t.groups, t.memberships, t.errors, t.warnings]],
    ),
  );
  const roles = [...new Set([...t.matchedPeopleByRole, ...t.unmatchedPeopleByRole].map((r) => r.role))].sort();
  if (roles.length) {
    const count = (list: { role: string; count: number }[], role: string) => list.find((r) => r.role === role)?.count ?? 0;
    process.stdout.write(`\n${table(['role', 'matched', 'unmatched'], roles.map((r) => [r, count(t.matchedPeopleByRole, r), count(t.unmatchedPeopleByRole, r)]))}`);
  }
  if (stats.activityStatistics.length) {
    process.stdout.write(
      `\n${table(
        ['activity', 'status', 'people (active/inactive)', 'errors', 'warnings'],
        stats.activityStatistics.map((a) => [a.displayName, a.status, `${a.people.active}/${a.people.inactive}`, a.errors, a.warnings]),
      )}`,
    );
  }
}

async function showRun(client: GraphLroClient, runId: string, json: boolean | undefined): Promise<void> {
  const [run, activities] = await Promise.all([client.runs.get(runId), client.runs.activities(runId)]);
  if (json) return printJson({ ...run, activities });
  process.stdout.write(`${table(['id', 'name', 'status', 'started', 'ended'], [[run.id, run.displayName, run.status, run.startDateTime, run.endDateTime]])}\n`);
  if (run.blockingError) process.stdout.write(`blocking error: ${run.blockingError.code}: ${run.blockingError.message}\n\n`);
  process.stdout.write(table(['activity', 'kind', 'status'], activities.map((a) => [a.displayName, a['@odata.type'].replace(/^#microsoft\.graph\.industryData\./, ''), a.status])));
}

export function runsCommand(): Command {
  const runs = new Command('runs').description('Industry data runs: start one, list them, read one and its statistics.').addHelpText(
    'after',
    `
Examples:
  $ export GRAPH_LRO_TOKEN="$(graph-lro token --scopes IndustryData-Run.Start,IndustryData-Run.Read.All)"
  $ graph-lro runs start --wait
  $ graph-lro runs list
  $ graph-lro runs stats <runId>`,
  );

  runs.addCommand(
    remote(new Command('start'))
      .description('Start a run of every inbound flow in effect; --wait follows it, then shows its statistics. At most five runs succeed in 12 hours (429).')
      .option('--wait', 'follow the run until it ends, with live progress')
      .addHelpText('after', `\nExit codes with --wait: 0 the run completed (with warnings or errors in the data too), 1 it failed.\n\nExamples:\n  $ graph-lro runs start --wait\n  $ graph-lro runs start --json`)
      .action(
        action(async (opts: RemoteOptions & { wait?: boolean }) => {
          const { client } = clientOf(opts);
          const started = await client.runs.startRun();
          if (!opts.wait) {
            if (opts.json) printJson({ url: started.url, retryAfterSeconds: started.retryAfterSeconds });
            else process.stdout.write(`${started.url}\n`);
            return EXIT.ok;
          }
          let runId: string | undefined;
          const code = await follow(client, started.url, { ...opts, json: opts.json }, (op) => {
            renderOperation(op);
            runId = runIdOf(op.resourceLocation);
          });
          if (!opts.json && runId) {
            process.stdout.write('\n');
            renderStatistics(await client.runs.statistics(runId));
          }
          return code;
        }),
      ),
  );

  runs.addCommand(
    remote(new Command('list'))
      .description('List the runs, newest first.')
      .addHelpText('after', `\nExamples:\n  $ graph-lro runs list\n  $ graph-lro runs list --json | jq '.[0].status'`)
      .action(
        action(async (opts: RemoteOptions) => {
          const { client } = clientOf(opts);
          const list = await client.runs.list();
          if (opts.json) printJson(list);
          else process.stdout.write(table(['id', 'name', 'status', 'started', 'ended'], list.map((r) => [r.id, r.displayName, r.status, r.startDateTime, r.endDateTime])));
        }),
      ),
  );

  runs.addCommand(
    remote(new Command('get'))
      .description('Show a run and its activities.')
      .argument('<runId>', 'run id')
      .addHelpText('after', `\nExamples:\n  $ graph-lro runs get 171bf0b4-14e9-408f-71dd-08dcd2a15d23\n  $ graph-lro runs get "$id" --json`)
      .action(action(async (runId: string, opts: RemoteOptions) => showRun(clientOf(opts).client, runId, opts.json))),
  );

  runs.addCommand(
    remote(new Command('stats'))
      .description("Show a run's statistics: people, organizations, groups, memberships, matched and unmatched people by role.")
      .argument('<runId>', 'run id')
      .addHelpText('after', `\nExamples:\n  $ graph-lro runs stats "$id"\n  $ graph-lro runs stats "$id" --json | jq .inboundTotals`)
      .action(
        action(async (runId: string, opts: RemoteOptions) => {
          const stats = await clientOf(opts).client.runs.statistics(runId);
          if (opts.json) printJson(stats);
          else renderStatistics(stats);
        }),
      ),
  );
  return runs;
}
