// The tenant's PIM alerts (directory roles), and refreshing them: a long-running operation whose
// progress is followed until it ends.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ALERTS_ROOT, SCOPE_FILTER, api, get, query, sameOrigin } from '../api';
import type { Json } from '../api';
import { ErrorMessage, Loading, Severity, SortableTable, Status } from '../components';
import { date, when } from '../format';
import type { Operation } from '../operations';
import { feed, follow, operationRoute } from '../operations';

export interface Alert extends Json {
  id: string;
  incidentCount: number;
  isActive: boolean;
  lastScannedDateTime: string;
  lastModifiedDateTime: string;
  alertDefinition?: { displayName?: string; severityLevel?: string; isRemediatable?: boolean; description?: string; securityImpact?: string; mitigationSteps?: string };
}

const SEVERITY_RANK: Record<string, number> = { high: 3, medium: 2, low: 1, informational: 0, unknown: -1 };

export const alertName = (a: Alert) => a.alertDefinition?.displayName ?? a.id.split('_').pop() ?? a.id;

/** Starts a refresh (POST `path`) and follows its operation; `running` holds its last state. */
export function useRefresh(path: string, body: unknown, onDone: () => void) {
  const [running, setRunning] = useState<Operation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [stop] = useState(() => new AbortController());
  useEffect(() => () => stop.abort(), [stop]);
  const start = useCallback(async () => {
    setError(null);
    try {
      const res = await api(path, { method: 'POST', body });
      const location = res.headers.get('location');
      if (!location) throw new Error('The service answered without a Location header.');
      const url = sameOrigin(location);
      const op = await follow(
        url,
        (state) => {
          setRunning(state);
          feed.add('alerts', state);
        },
        stop.signal,
      );
      setRunning(op);
      onDone();
    } catch (err) {
      if (!stop.signal.aborted) setError(err);
    }
  }, [path, body, onDone, stop]);
  return { running, error, start };
}

export function RefreshProgress({ op }: { op: Operation | null }) {
  if (!op) return null;
  const m = /(\d+) of (\d+)/.exec(op.statusDetail ?? '');
  const ended = op.status === 'succeeded' || op.status === 'failed';
  return (
    <div class="progress" role="status" aria-live="polite" data-testid="refresh-progress" data-status={op.status}>
      <Status value={op.status} /> <a href={operationRoute('alerts', op.id)}>{op.id}</a> {op.statusDetail || (ended ? '' : 'waiting…')}
      {!ended ? <progress max={m ? Number(m[2]) : undefined} value={m ? Number(m[1]) - 1 : undefined} aria-label="Refresh progress" /> : null}
    </div>
  );
}

const REFRESH_ALL = { scopeId: '/', scopeType: 'DirectoryRole' };

export function AlertsPage() {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    get<{ value: Alert[] }>(`${ALERTS_ROOT}/alerts?${query({ $filter: SCOPE_FILTER, $expand: 'alertDefinition($select=displayName,severityLevel,isRemediatable)' })}`)
      .then((b) => (setAlerts(b.value), setError(null)))
      .catch(setError);
  }, []);
  useEffect(load, [load]);
  const refresh = useRefresh(`${ALERTS_ROOT}/alerts/refresh`, REFRESH_ALL, load);
  const busy = refresh.running !== null && refresh.running.status !== 'succeeded' && refresh.running.status !== 'failed';
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <div class="toolbar">
        <button type="button" onClick={() => void refresh.start()} disabled={busy} data-testid="refresh-all">
          {busy ? 'Refreshing…' : 'Refresh all alerts'}
        </button>
        <RefreshProgress op={refresh.running} />
      </div>
      <ErrorMessage error={refresh.error} />
      <ErrorMessage error={error} />
      {!alerts && !error ? <Loading what="alerts" /> : null}
      {alerts ? (
        <SortableTable<Alert>
          testId="alerts"
          rows={alerts}
          rowKey={(a) => a.id}
          initial={{ key: 'severity', desc: true }}
          columns={[
            { key: 'name', label: 'Alert', value: alertName, render: (a) => <a href={`#/alerts/${encodeURIComponent(a.id)}`}>{alertName(a)}</a> },
            { key: 'severity', label: 'Severity', value: (a) => SEVERITY_RANK[a.alertDefinition?.severityLevel ?? 'unknown'] ?? -1, render: (a) => <Severity value={a.alertDefinition?.severityLevel} /> },
            { key: 'incidents', label: 'Incidents', value: (a) => a.incidentCount, numeric: true },
            { key: 'active', label: 'Active', value: (a) => (a.isActive ? 'yes' : 'no') },
            { key: 'scanned', label: 'Last scan', value: (a) => date(a.lastScannedDateTime)?.getTime() ?? 0, render: (a) => when(a.lastScannedDateTime) },
            { key: 'modified', label: 'Last change', value: (a) => date(a.lastModifiedDateTime)?.getTime() ?? 0, render: (a) => when(a.lastModifiedDateTime) },
          ]}
        />
      ) : null}
    </section>
  );
}
