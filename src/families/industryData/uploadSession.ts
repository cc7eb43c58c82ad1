// The connector's function and action: getUploadSession (a container URL signed like an Azure
// SAS, spec §4.3), answered in every URL form clients use, and validate (a fileValidateOperation,
// spec §4.4).
import type { FastifyBaseLogger } from 'fastify';
import type { Operation } from '../../engine/index.js';
import { badRequest } from '../../errors.js';
import type { Scope } from '../../graph/model/collection.js';
import type { Services } from '../../graph/services.js';
import type { BlobStore } from '../../storage/index.js';
import type { ValidateInput } from './handlers.js';
import { qualifiedName } from '../../graph/model/edm.js';
import { BLOB_PREFIX, FAMILY, SESSION_TTL_MS, VALIDATE_KIND, validateDedupeKey } from './model.js';
import { fileUploadSessionType, fileValidateOperationType } from './schema.js';
import { keyOf, SAS_PERMISSIONS, signSas } from './sas.js';
import type { ConnectorRow, SessionRow } from './store.js';
import { openSession } from './store.js';

/** `https://host` of a service root `https://host/beta`. */
export const originOf = (root: string) => root.replace(/\/beta$/, '');

/** Creates the validation of the connector's current upload, or answers the one already running. */
export async function startValidation(services: Services, scope: Scope, root: string, connectorId: string): Promise<Operation | undefined> {
  return scope.db.transaction(async (tx) => {
    // The connector is locked until the operation is committed: a delete waits, then the handler finds it gone.
    const [connector] = await tx.query<Pick<ConnectorRow, 'id' | 'last_validated_files'>>(
      'SELECT id, last_validated_files FROM industry_data_connectors WHERE tenant_id = $1 AND id = $2 FOR SHARE',
      [scope.tenantId, connectorId],
    );
    if (!connector) return undefined;
    const input: ValidateInput = { connectorId, root, previousFiles: connector.last_validated_files ?? [] };
    const { operation } = await services.engine.create(
      {
        tenantId: scope.tenantId,
        family: FAMILY,
        kind: VALIDATE_KIND,
        dedupeKey: validateDedupeKey(connectorId),
        odataType: qualifiedName(fileValidateOperationType),
        input: { ...input },
        statusDetail: null,
        resourceLocation: null,
        result: { validatedFiles: [], errors: [], warnings: [] },
      },
      tx,
    );
    return operation;
  });
}

const FUNCTION = /^getuploadsession(?:\((.*)\))?$/i;
const CAST = 'microsoft.graph.industrydata.azuredatalakeconnector';

/**
 * The segments after `dataConnectors/{id}/` as a getUploadSession call: every form of spec §4.2,
 * case-insensitively — `getUploadSession`, `getUploadSession()`, `getUploadSession(resetSession=true)`
 * (which arrives split as `getUploadSession/resetSession=true`), with or without the type cast
 * segment, and `resetSession` as a query parameter. Undefined when the segments are not such a call.
 */
export function parseGetUploadSession(segments: readonly string[], query: Record<string, unknown>): { reset: boolean } | undefined {
  let rest = [...segments];
  if (rest[0]?.toLowerCase() === CAST) rest = rest.slice(1);
  if (rest.length === 0 || rest.length > 2) return undefined;
  const m = FUNCTION.exec(rest[0]!);
  if (!m) return undefined;
  const args = [m[1], rest[1]].filter((a): a is string => a !== undefined && a.trim() !== '');
  if (m[1] !== undefined && rest.length === 2) return undefined;
  let reset: boolean | undefined;
  const set = (raw: string, where: string) => {
    const value = raw.trim().toLowerCase();
    if (value !== 'true' && value !== 'false') throw badRequest(`Invalid value for parameter 'resetSession'${where}: expected true or false; got '${raw}'.`, 'resetSession');
    if (reset !== undefined && reset !== (value === 'true')) throw badRequest(`The parameter 'resetSession' is given twice with different values.`, 'resetSession');
    reset = value === 'true';
  };
  for (const arg of args) {
    for (const pair of arg.split(',')) {
      const eq = pair.indexOf('=');
      const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
      if (name.toLowerCase() !== 'resetsession' || eq < 0) throw badRequest(`The function 'getUploadSession' has no parameter '${name}'; its one parameter is 'resetSession'.`, name);
      set(pair.slice(eq + 1), '');
    }
  }
  for (const [name, value] of Object.entries(query)) {
    if (name.toLowerCase() !== 'resetsession') continue;
    if (typeof value !== 'string') throw badRequest(`The parameter 'resetSession' is given more than once.`, 'resetSession');
    set(value, ' in the query');
  }
  return { reset: reset ?? false };
}

/** `microsoft.graph.industryData.fileUploadSession` (spec §4.3). */
function uploadSessionJson(session: SessionRow, sessionUrl: string, sessionExpiresAt: Date): Record<string, unknown> {
  return {
    containerExpirationDateTime: session.container_expires_at,
    containerId: session.id,
    sessionExpirationDateTime: sessionExpiresAt.toISOString(),
    sessionUrl,
  };
}

/** The fileUploadSession of the connector (a new one when `reset` or expired); undefined when there is no such connector. */
export async function uploadSession(scope: Scope, store: BlobStore, root: string, connectorId: string, reset: boolean, log: FastifyBaseLogger) {
  const { db } = scope;
  const opened = await openSession(db, scope.tenantId, connectorId, reset);
  if (!opened) return undefined;
  // The ended sessions' URLs already fail (their rows are gone); their files go now, or at the next sweep.
  for (const id of opened.ended) await store.deleteContainer(id).catch((err: unknown) => log.warn({ err, container: id }, 'could not empty an ended upload container'));
  const { session } = opened;
  const until = Math.min(Date.now() + SESSION_TTL_MS, Date.parse(session.container_expires_at));
  const expiresAt = new Date(Math.floor(until / 1000) * 1000);
  const sas = signSas(await keyOf(db), { containerId: session.id, tenantId: scope.tenantId, connectorId, permissions: SAS_PERMISSIONS, expiresAt });
  return {
    '@odata.context': `${root}/$metadata#${qualifiedName(fileUploadSessionType)}`,
    ...uploadSessionJson(session, `${originOf(root)}${BLOB_PREFIX}/${session.id}?${sas}`, expiresAt),
  };
}
