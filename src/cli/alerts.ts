// graph-lro alerts list | get | refresh [--wait]: role management alerts of the directory scope.
import { Command } from 'commander';
import type { UnifiedRoleManagementAlert } from '../../packages/client/src/index.js';
import { printJson, renderOperation, table } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, clientOf, EXIT, follow, remote, tenantOf } from './remote.js';

/** `StaleSignInAlert` from `DirectoryRole_{tid}_StaleSignInAlert`. */
export const alertName = (id: string): string => id.replace(/^DirectoryRole_[^_]*_/, '');

/** An alert id, or a short alert name expanded with the token's tenant. */
export function alertIdOf(idOrName: string, token: string): string {
  if (idOrName.includes('_')) return idOrName;
  const tid = tenantOf(token);
  return tid ? `DirectoryRole_${tid}_${idOrName}` : idOrName;
}

function alertsTable(alerts: UnifiedRoleManagementAlert[]): string {
  return table(
    ['ALERT', 'SEVERITY', 'ACTIVE', 'INCIDENTS', 'LAST SCANNED'],
    alerts.map((a) => [alertName(a.id), a.alertDefinition?.severityLevel ?? '', a.isActive ? 'yes' : 'no', a.incidentCount, a.lastScannedDateTime ?? 'never']),
  );
}

export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('Role management alerts of the directory scope: list, get, refresh.').addHelpText(
    'after',
    `
Examples:
  $ export GRAPH_LRO_TOKEN="$(graph-lro token --scopes RoleManagementAlert.ReadWrite.Directory --wids privilegedRoleAdministrator)"
  $ graph-lro alerts list
  $ graph-lro alerts refresh --wait
  $ graph-lro alerts get StaleSignInAlert --json`,
  );

  alerts.addCommand(
    remote(new Command('list'))
      .description('List the alerts: name, severity, whether active, incident count, last scan.')
      .addHelpText('after', `\nExamples:\n  $ graph-lro alerts list\n  $ graph-lro alerts list --json | jq '.[] | {id, incidentCount}'`)
      .action(
        action(async (opts: RemoteOptions) => {
          const { client } = clientOf(opts);
          const list = await client.alerts.list({ expand: ['alertDefinition'] });
          if (opts.json) printJson(list);
          else process.stdout.write(alertsTable(list));
        }),
      ),
  );

  alerts.addCommand(
    remote(new Command('get'))
      .description('Show one alert (its id, or its short name such as StaleSignInAlert) with its definition.')
      .argument('<alert>', 'alert id or name')
      .addHelpText('after', `\nExamples:\n  $ graph-lro alerts get StaleSignInAlert\n  $ graph-lro alerts get DirectoryRole_4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f_TooManyGlobalAdminsAssignedToTenantAlert --json`)
      .action(
        action(async (idOrName: string, opts: RemoteOptions) => {
          const { client, token } = clientOf(opts);
          const alert = await client.alerts.get(alertIdOf(idOrName, token), { expand: ['alertDefinition', 'alertConfiguration'] });
          if (opts.json) return printJson(alert);
          process.stdout.write(alertsTable([alert]));
          const def = alert.alertDefinition;
          if (def) process.stdout.write(`\n${def.displayName}\n${def.description}\n\nSecurity impact: ${def.securityImpact}\nMitigation: ${def.mitigationSteps}\n`);
        }),
      ),
  );

  alerts.addCommand(
    remote(new Command('refresh'))
      .description('Rescan one alert, or all alerts when none is named; --wait follows the operation to its end.')
      .argument('[alert]', 'alert id or name (default: all alerts)')
      .option('--wait', 'follow the operation until it ends, with live progress')
      .addHelpText(
        'after',
        `\nWithout --wait the operation URL is printed (follow it with \`graph-lro operations watch <url>\`).\n\nExamples:\n  $ graph-lro alerts refresh --wait\n  $ graph-lro alerts refresh StaleSignInAlert --wait --json\n  $ graph-lro operations watch "$(graph-lro alerts refresh)"`,
      )
      .action(
        action(async (idOrName: string | undefined, opts: RemoteOptions & { wait?: boolean }) => {
          const { client, token } = clientOf(opts);
          const started = idOrName ? await client.alerts.startRefresh(alertIdOf(idOrName, token)) : await client.alerts.startRefreshAll();
          if (!opts.wait) {
            if (opts.json) printJson({ url: started.url, retryAfterSeconds: started.retryAfterSeconds });
            else process.stdout.write(`${started.url}\n`);
            return EXIT.ok;
          }
          return follow(client, started.url, opts, renderOperation);
        }),
      ),
  );
  return alerts;
}
