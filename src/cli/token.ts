import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DirectoryRoles, loadOrCreateSigningKey, mintToken, parseList } from '../auth/index.js';
import { DEFAULT_DATA_DIR, DEMO_TENANT_ID } from './defaults.js';
import { parseDuration } from './duration.js';

/** A role template id, or a role's name as in DirectoryRoles (`globalReader`, `Global Reader`). */
function roleTemplateId(value: string): string {
  const byName = Object.entries(DirectoryRoles).find(([name]) => name.toLowerCase() === value.replace(/[\s-]/g, '').toLowerCase());
  return byName ? byName[1] : value;
}

export function tokenCommand(): Command {
  return new Command('token')
    .description('Mint a bearer token signed with the local key of a data directory; the token is the last line printed.')
    .option('--tenant <tid>', 'tenant id (tid)', process.env.GRAPH_LRO_TENANT ?? DEMO_TENANT_ID)
    .option('--scopes <list>', 'delegated permissions (scp), space- or comma-separated')
    .option('--roles <list>', 'application permissions (roles); implies --app')
    .option('--wids <list>', `directory roles (wids): template ids or names such as ${Object.keys(DirectoryRoles).slice(0, 3).join(', ')}`)
    .option('--app', 'an application (client credentials) token instead of a delegated one')
    .option('--oid <guid>', 'object id of the caller (default: derived from tenant and kind)')
    .option('--lifetime <duration>', 'validity, e.g. 1h, 30m (at most 24h)', parseDuration, 3_600_000)
    .option('--v2', 'a v2.0 token (login.microsoftonline.com issuer) instead of v1.0')
    .option('--data-dir <dir>', 'data directory whose key signs the token', process.env.GRAPH_LRO_DATA_DIR ?? DEFAULT_DATA_DIR)
    .addHelpText(
      'after',
      `
Examples:
  $ graph-lro token --scopes RoleManagementAlert.Read.Directory --wids globalReader
  $ graph-lro token --tenant 4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f --app --roles "RoleManagementAlert.ReadWrite.Directory,IndustryData.ReadBasic.All"
  $ curl -H "Authorization: Bearer $(graph-lro token --scopes IndustryData.ReadBasic.All)" http://127.0.0.1:3000/beta/external/industryData/operations`,
    )
    .action(async (opts: { tenant: string; scopes?: string; roles?: string; wids?: string; app?: boolean; oid?: string; lifetime: number; v2?: boolean; dataDir: string }) => {
      const roles = parseList(opts.roles);
      const app = Boolean(opts.app || roles.length);
      const scopes = parseList(opts.scopes);
      if (app && scopes.length) throw new InvalidArgumentError('An application token carries --roles, not --scopes.');
      if (!app && !scopes.length) throw new InvalidArgumentError('A delegated token needs --scopes (or use --app with --roles).');
      const key = await loadOrCreateSigningKey(resolve(opts.dataDir));
      const token = await mintToken({
        key,
        tenantId: opts.tenant,
        app,
        ...(app ? { roles } : { scopes, wids: parseList(opts.wids).map(roleTemplateId) }),
        ...(opts.oid ? { oid: opts.oid } : {}),
        lifetimeSeconds: Math.round(opts.lifetime / 1000),
        version: opts.v2 ? '2.0' : '1.0',
      });
      process.stdout.write(`${token}\n`);
    });
}
