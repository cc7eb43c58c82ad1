// Shared by the client tests: a fetch that records what it sent and what came back, tokens with the
// permissions the actions need, and fixture operations the test finishes with SQL.
import { DirectoryRoles } from '../../src/auth/index.js';
import type { TestServer } from '../support/server.js';
import { TENANT } from '../support/backends.js';

export interface Recorded {
  method: string;
  url: string;
  prefer: string | undefined;
  status: number;
  preferenceApplied: string | null;
  /** When the request was sent (Date.now()). */
  sentAt: number;
}

export function recordingFetch() {
  const calls: Recorded[] = [];
  const fetchImpl = async (input: string, init: RequestInit): Promise<Response> => {
    const sentAt = Date.now();
    const res = await fetch(input, init);
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ method: init.method ?? 'GET', url: input, prefer: headers.prefer, status: res.status, preferenceApplied: res.headers.get('preference-applied'), sentAt });
    return res;
  };
  return { calls, fetch: fetchImpl, gets: () => calls.filter((c) => c.method === 'GET') };
}

export const writeToken = (ts: TestServer) =>
  ts.token({
    scopes: [
      'RoleManagementAlert.ReadWrite.Directory',
      'IndustryData.ReadBasic.All',
      'IndustryData-DataConnector.ReadWrite.All',
      'IndustryData-DataConnector.Upload',
      'IndustryData-SourceSystem.ReadWrite.All',
    ],
    wids: [DirectoryRoles.privilegedRoleAdministrator],
  });

export const ALERTS_OPS = '/beta/identityGovernance/roleManagementAlerts/operations';

/** An alerts-family operation no worker runs: the test moves it with SQL. */
export async function fixtureOperation(ts: TestServer, id: string): Promise<string> {
  await ts.server.engine.create({ tenantId: TENANT, family: 'roleManagementAlerts', kind: 'test.client-fixture', id, resourceLocation: '', statusDetail: '' });
  return `${ts.url}${ALERTS_OPS}/${id}`;
}

export async function finish(ts: TestServer, id: string, status: 'succeeded' | 'failed' | 'running', detail: string) {
  await ts.server.db.query(
    `UPDATE operations SET status = $3, status_detail = $4, lease_owner = NULL, last_action_at = now() WHERE tenant_id = $1 AND id = $2`,
    [TENANT, id, status, detail],
  );
}
