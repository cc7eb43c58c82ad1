// graph-lro incidents list <alert>: an alert's incidents with their typed properties.
import { Command } from 'commander';
import { alertIdOf } from './alerts.js';
import { printJson, table } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, clientOf, remote } from './remote.js';

export function incidentsCommand(): Command {
  const incidents = new Command('incidents').description("An alert's incidents.").addHelpText('after', `\nExamples:\n  $ graph-lro incidents list StaleSignInAlert`);
  incidents.addCommand(
    remote(new Command('list'))
      .description("List an alert's incidents (id or short alert name) as a table of their properties.")
      .argument('<alert>', 'alert id or name')
      .addHelpText('after', `\nExamples:\n  $ graph-lro incidents list StaleSignInAlert\n  $ graph-lro incidents list TooManyGlobalAdminsAssignedToTenantAlert --json`)
      .action(
        action(async (idOrName: string, opts: RemoteOptions) => {
          const { client, token } = clientOf(opts);
          const alert = await client.alerts.get(alertIdOf(idOrName, token), { expand: ['alertIncidents'] });
          const list = alert.alertIncidents ?? [];
          if (opts.json) return printJson(list);
          if (!list.length) return void process.stdout.write('No incidents.\n');
          const columns = [...new Set(list.flatMap((i) => Object.keys(i)))].filter((k) => !k.startsWith('@odata') && k !== 'id');
          process.stdout.write(table(columns, list.map((i) => columns.map((c) => i[c]))));
          process.stdout.write(`${list.length} incident(s)\n`);
        }),
      ),
  );
  return incidents;
}
