// Starting refreshes: used by the refresh routes and by the server when it seeds the demo tenant.
import type { CreateResult, Engine } from '../../engine/index.js';
import type { RefreshInput } from './handlers.js';
import type { AlertName } from './model.js';
import { FAMILY, REFRESH_ALERT_KIND, REFRESH_ALL_KIND, refreshAlertOperationId, refreshAllOperationId } from './model.js';

const create = (engine: Engine, tenantId: string, kind: string, id: string, input: RefreshInput) =>
  engine.create({ tenantId, family: FAMILY, kind, id, input: { ...input }, resourceLocation: '', statusDetail: '' });

/** `refresh:<alertId>`, or the one already under way. `root` is the service root URLs are built on. */
export const startAlertRefresh = (engine: Engine, tenantId: string, alert: AlertName, root: string): Promise<CreateResult> =>
  create(engine, tenantId, REFRESH_ALERT_KIND, refreshAlertOperationId(tenantId, alert), { alert, root });

/** `refresh:DirectoryRole_<tenantId>`: every alert of the tenant, or the refresh-all already under way. */
export const startRefreshAll = (engine: Engine, tenantId: string, root: string): Promise<CreateResult> =>
  create(engine, tenantId, REFRESH_ALL_KIND, refreshAllOperationId(tenantId), { root });
