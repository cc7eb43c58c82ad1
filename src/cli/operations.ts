// graph-lro operations list | get | watch: operations of both families.
import { Command, Option } from 'commander';
import type { AnyOperation, CollectionPage, GraphLroClient, OperationFamily } from '../../packages/client/src/index.js';
import { GraphError } from '../../packages/client/src/index.js';
import { elapsedOf, printJson, renderOperation, table } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, clientOf, exitCodeOf, follow, remote } from './remote.js';

const ROOTS: Record<string, { family: OperationFamily; path: string }> = {
  alerts: { family: 'roleManagementAlerts', path: 'identityGovernance/roleManagementAlerts/operations' },
  industryData: { family: 'industryData', path: 'external/industryData/operations' },
};

const familyOption = () => new Option('--family <family>', 'operation family').choices(['alerts', 'industryData']);

/** The operation's URL: a URL as given; an id looked up in --family, or in alerts then industry data. */
async function locate(client: GraphLroClient, urlOrId: string, family?: string): Promise<{ url: string; op: AnyOperation }> {
  if (/^https?:/i.test(urlOrId)) return { url: urlOrId, op: await client.operations.get(urlOrId) };
  const families = family ? [family] : ['alerts', 'industryData'];
  for (const [i, f] of families.entries()) {
    const url = `${client.baseUrl}/${ROOTS[f]!.path}/${encodeURIComponent(urlOrId)}`;
    try {
      return { url, op: await client.operations.get(url) };
    } catch (err) {
      if (!(err instanceof GraphError && (err.status === 404 || err.status === 403)) || i === families.length - 1) throw err;
    }
  }
  throw new Error('unreachable');
}

export function operationsCommand(): Command {
  const operations = new Command('operations').description('Long-running operations: list, get, watch.').addHelpText(
    'after',
    `\nExamples:\n  $ graph-lro operations list --family industryData\n  $ graph-lro operations watch "refresh:DirectoryRole_4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f_StaleSignInAlert"`,
  );

  operations.addCommand(
    remote(new Command('list'))
      .description('List the operations of a family (default: alerts).')
      .addOption(familyOption().default('alerts'))
      .addHelpText('after', `\nExamples:\n  $ graph-lro operations list\n  $ graph-lro operations list --family industryData --json`)
      .action(
        action(async (opts: RemoteOptions & { family: string }) => {
          const { client } = clientOf(opts);
          const items: AnyOperation[] = [];
          let next: string | undefined = ROOTS[opts.family]!.path;
          while (next) {
            const page = (await (await client.request('GET', next)).json()) as CollectionPage<AnyOperation>;
            items.push(...page.value);
            next = page['@odata.nextLink'];
          }
          if (opts.json) return printJson(items);
          process.stdout.write(table(['ID', 'STATUS', 'CREATED', 'ELAPSED', 'DETAIL'], items.map((o) => [o.id, o.status, o.createdDateTime, elapsedOf(o), (o.statusDetail ?? '').slice(0, 80)])));
        }),
      ),
  );

  operations.addCommand(
    remote(new Command('get'))
      .description('Show an operation once (its URL, or its id). Exits 1 if it failed.')
      .argument('<operation>', 'operation URL or id')
      .addOption(familyOption())
      .addHelpText('after', `\nExamples:\n  $ graph-lro operations get "refresh:DirectoryRole_4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f_StaleSignInAlert"\n  $ graph-lro operations get http://127.0.0.1:3000/beta/external/industryData/operations/<id> --json`)
      .action(
        action(async (urlOrId: string, opts: RemoteOptions & { family?: string }) => {
          const { client } = clientOf(opts);
          const { op } = await locate(client, urlOrId, opts.family);
          if (opts.json) printJson(op);
          else renderOperation(op);
          return exitCodeOf(op);
        }),
      ),
  );

  operations.addCommand(
    remote(new Command('watch'))
      .description('Follow an operation to its end with live progress. Exits 1 if it failed (3 for a validation that found errors).')
      .argument('<operation>', 'operation URL or id')
      .addOption(familyOption())
      .addHelpText('after', `\nExamples:\n  $ graph-lro operations watch "$(graph-lro alerts refresh)"\n  $ graph-lro operations watch <id> --family industryData --json`)
      .action(
        action(async (urlOrId: string, opts: RemoteOptions & { family?: string }) => {
          const { client } = clientOf(opts);
          const { url } = await locate(client, urlOrId, opts.family);
          return follow(client, url, opts, renderOperation);
        }),
      ),
  );
  return operations;
}
