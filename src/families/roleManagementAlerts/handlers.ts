// The refresh operations: run the scanners, replace incidents and alert state (one transaction
// per alert, store.scanAlert), report progress in statusDetail, and on success point
// resourceLocation at what was refreshed.
import type { HandlerContext, HandlerDefinition, HandlerResult } from '../../engine/index.js';
import { PermanentError } from '../../engine/index.js';
import type { AlertName } from './model.js';
import { ALERT_NAMES, ALERTS_PATH, alertId, isAlertName, REFRESH_ALERT_KIND, REFRESH_ALL_KIND, SCOPE_ID, SCOPE_TYPE } from './model.js';
import type { ScanOutcome } from './store.js';
import { hasDirectory, scanAlert } from './store.js';

/** What a refresh operation keeps in its input: the alert (one-alert refresh) and the service root of the request. */
export interface RefreshInput {
  alert?: AlertName;
  /** `https://host/beta` as the client called it: resourceLocation is built on it. */
  root: string;
}

export const alertUrl = (root: string, tenantId: string, name: AlertName) => `${root}/${ALERTS_PATH}/${alertId(tenantId, name)}`;

/** What refresh-all acted on: the tenant's alerts, as the scoped list URL a client can GET. */
export const alertsUrl = (root: string) =>
  `${root}/${ALERTS_PATH}?$filter=${encodeURIComponent(`scopeId eq '${SCOPE_ID}' and scopeType eq '${SCOPE_TYPE}'`)}`;

const NO_DIRECTORY = 'No directory has been imported for this tenant; nothing was scanned.';

function input(ctx: HandlerContext): RefreshInput {
  const { alert, root } = ctx.operation.input as Partial<RefreshInput>;
  if (typeof root !== 'string' || (alert !== undefined && !(typeof alert === 'string' && isAlertName(alert)))) {
    throw new PermanentError('The operation has no valid input.');
  }
  return { alert, root };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

function describe(name: AlertName, outcome: ScanOutcome): string {
  switch (outcome.status) {
    case 'disabled':
      return `${name} was not scanned: its configuration is disabled (isEnabled is false).`;
    case 'noDirectory':
      return NO_DIRECTORY;
    case 'scanned':
      return `${name}: ${plural(outcome.incidents, 'incident')} (${outcome.added} new, ${outcome.removed} resolved).`;
  }
}

const refreshAlert: HandlerDefinition = {
  async handle(ctx): Promise<HandlerResult> {
    const { alert, root } = input(ctx);
    if (!alert) throw new PermanentError('The operation names no alert.');
    await ctx.progress(`Scanning the directory for ${alert}.`);
    const outcome = await scanAlert(ctx.db, ctx.operation.tenantId, alert);
    return { resourceLocation: alertUrl(root, ctx.operation.tenantId, alert), statusDetail: describe(alert, outcome) };
  },
};

/** Every alert in id order, each in its own transaction; progress names the alert being scanned. */
const refreshAll: HandlerDefinition = {
  async handle(ctx): Promise<HandlerResult> {
    const { root } = input(ctx);
    const tenantId = ctx.operation.tenantId;
    if (!(await hasDirectory(ctx.db, tenantId))) return { resourceLocation: alertsUrl(root), statusDetail: NO_DIRECTORY };
    let incidents = 0;
    let scanned = 0;
    const disabled: string[] = [];
    for (const [i, name] of ALERT_NAMES.entries()) {
      ctx.signal.throwIfAborted();
      await ctx.progress(`Scanning alert ${i + 1} of ${ALERT_NAMES.length}: ${name}.`);
      const outcome = await scanAlert(ctx.db, tenantId, name);
      if (outcome.status === 'scanned') {
        scanned += 1;
        incidents += outcome.incidents;
      } else if (outcome.status === 'disabled') disabled.push(name);
    }
    const notScanned = disabled.length ? ` Not scanned, configuration disabled: ${disabled.join(', ')}.` : '';
    return {
      resourceLocation: alertsUrl(root),
      statusDetail: `Scanned ${scanned} of ${ALERT_NAMES.length} alerts: ${plural(incidents, 'incident')}.${notScanned}`,
    };
  },
};

export const handlers: Readonly<Record<string, HandlerDefinition>> = {
  [REFRESH_ALERT_KIND]: refreshAlert,
  [REFRESH_ALL_KIND]: refreshAll,
};
