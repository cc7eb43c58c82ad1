// graph-lro connectors create | upload <dir> | validate [--wait]: industry data connectors, their
// upload sessions and validation.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { printJson, renderOperation } from './output.js';
import type { RemoteOptions } from './remote.js';
import { action, clientOf, EXIT, follow, remote } from './remote.js';

const ROOT = 'external/industryData';
const CONNECTOR_TYPE = '#microsoft.graph.industryData.azureDataLakeConnector';
const FILE_FORMAT = 'schoolDataSyncV2Rev1';

export function connectorsCommand(): Command {
  const connectors = new Command('connectors').description('Industry data connectors: create, upload files, validate them.').addHelpText(
    'after',
    `
Examples:
  $ export GRAPH_LRO_TOKEN="$(graph-lro token --scopes IndustryData.ReadBasic.All,IndustryData-DataConnector.ReadWrite.All,IndustryData-DataConnector.Upload,IndustryData-SourceSystem.ReadWrite.All)"
  $ id=$(graph-lro connectors create --name "Contoso SIS" --json | jq -r .id)
  $ graph-lro connectors upload "$id" ./sds-csv
  $ graph-lro connectors validate "$id" --wait`,
  );

  connectors.addCommand(
    remote(new Command('create'))
      .description(`Create an azureDataLakeConnector (file format ${FILE_FORMAT}); a source system is created too unless --source-system names one.`)
      .requiredOption('--name <name>', 'display name of the connector')
      .option('--source-system <id>', 'id of an existing source system')
      .option('--flow', 'also create an inbound flow from it, in effect now, so that runs load its files')
      .addHelpText(
        'after',
        `\nPrints the connector's id (with --json, the connector).\n\nExamples:\n  $ graph-lro connectors create --name "Contoso SIS" --flow\n  $ graph-lro connectors create --name "Second feed" --source-system 3f1c… --json`,
      )
      .action(
        action(async (opts: RemoteOptions & { name: string; sourceSystem?: string; flow?: boolean }) => {
          const { client } = clientOf(opts);
          let systemId = opts.sourceSystem;
          if (!systemId) {
            const system = (await (await client.request('POST', `${ROOT}/sourceSystems`, { body: { displayName: opts.name } })).json()) as { id: string };
            systemId = system.id;
          }
          const connector = (await (
            await client.request('POST', `${ROOT}/dataConnectors`, {
              body: {
                '@odata.type': CONNECTOR_TYPE,
                displayName: opts.name,
                'sourceSystem@odata.bind': `https://graph.microsoft.com/beta/${ROOT}/sourceSystems('${systemId}')`,
                fileFormat: { '@odata.type': 'microsoft.graph.industryData.fileFormatReferenceValue', code: FILE_FORMAT },
              },
            })
          ).json()) as { id: string };
          const flow = opts.flow
            ? ((await (
                await client.request('POST', `${ROOT}/inboundFlows`, {
                  body: {
                    '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
                    displayName: opts.name,
                    dataDomain: 'educationRostering',
                    effectiveDateTime: new Date().toISOString(),
                    'dataConnector@odata.bind': `https://graph.microsoft.com/beta/${ROOT}/dataConnectors('${connector.id}')`,
                  },
                })
              ).json()) as { id: string })
            : undefined;
          if (opts.json) printJson({ ...connector, sourceSystemId: systemId, ...(flow ? { inboundFlowId: flow.id } : {}) });
          else process.stdout.write(`${connector.id}\n`);
        }),
      ),
  );

  connectors.addCommand(
    remote(new Command('upload'))
      .description("Upload every *.csv of a directory to the connector's upload session.")
      .argument('<connectorId>', 'data connector id')
      .argument('<dir>', 'directory of CSV files')
      .option('--reset', 'start a new upload session (resetSession=true)')
      .addHelpText('after', `\nExamples:\n  $ graph-lro connectors upload "$id" ./sds-csv\n  $ graph-lro connectors upload "$id" ./sds-csv --reset --json`)
      .action(
        action(async (connectorId: string, dir: string, opts: RemoteOptions & { reset?: boolean }) => {
          const root = resolve(dir);
          const names = (await readdir(root).catch(() => {
            throw new InvalidArgumentError(`Cannot read the directory ${root}.`);
          })).filter((n) => n.toLowerCase().endsWith('.csv')).sort();
          if (!names.length) throw new InvalidArgumentError(`No *.csv files in ${root}.`);
          const { client } = clientOf(opts);
          const session = await client.connectors.getUploadSession(connectorId, { reset: Boolean(opts.reset) });
          const log = opts.json ? undefined : process.stdout;
          const uploaded: { name: string; bytes: number }[] = [];
          for (const [i, name] of names.entries()) {
            const data = new Uint8Array(await readFile(join(root, name)));
            const label = `[${i + 1}/${names.length}] ${name} (${data.byteLength} bytes)`;
            if (log?.isTTY) log.write(`\r\x1b[K${label} uploading…`);
            await client.uploadFiles(session.sessionUrl, [{ name, data }]);
            if (log?.isTTY) log.write(`\r\x1b[K${label} done\n`);
            else log?.write(`${label} uploaded\n`);
            uploaded.push({ name, bytes: data.byteLength });
          }
          if (opts.json) printJson({ connectorId, containerId: session.containerId, sessionExpirationDateTime: session.sessionExpirationDateTime, files: uploaded });
          else process.stdout.write(`Uploaded ${uploaded.length} file(s). Next: graph-lro connectors validate ${connectorId} --wait\n`);
        }),
      ),
  );

  connectors.addCommand(
    remote(new Command('validate'))
      .description('Validate the uploaded files; --wait follows the validation and shows its errors and warnings grouped by file and code.')
      .argument('<connectorId>', 'data connector id')
      .option('--wait', 'follow the validation until it ends, with live progress')
      .addHelpText(
        'after',
        `\nExit codes with --wait: 0 valid (warnings allowed), 3 the validation found errors, 1 the operation failed.\n\nExamples:\n  $ graph-lro connectors validate "$id" --wait\n  $ graph-lro connectors validate "$id" --wait --json | jq '.errors'`,
      )
      .action(
        action(async (connectorId: string, opts: RemoteOptions & { wait?: boolean }) => {
          const { client } = clientOf(opts);
          const started = await client.connectors.startValidate(connectorId);
          if (!opts.wait) {
            if (opts.json) printJson({ url: started.url, retryAfterSeconds: started.retryAfterSeconds });
            else process.stdout.write(`${started.url}\n`);
            return EXIT.ok;
          }
          return follow(client, started.url, opts, renderOperation);
        }),
      ),
  );
  return connectors;
}
