// One alert: its definition, its incidents, refreshing it and remediating an incident.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ALERTS_ROOT, api, get, query, sameOrigin } from '../api';
import type { Json, Page } from '../api';
import { Confirm, ErrorMessage, Loading, Severity } from '../components';
import { text, typeName, when } from '../format';
import type { Alert } from './Alerts';
import { alertName, RefreshProgress, useRefresh } from './Alerts';

interface Incident extends Json {
  id: string;
  '@odata.type'?: string;
}

const DATE_KEY = /DateTime$/;

export function AlertPage({ id }: { id: string }) {
  const path = `${ALERTS_ROOT}/alerts/${encodeURIComponent(id)}`;
  const [alert, setAlert] = useState<Alert | null>(null);
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState<Incident | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');
  const load = useCallback(() => {
    setError(null);
    Promise.all([get<Alert>(`${path}?${query({ $expand: 'alertDefinition' })}`), get<Page<Incident>>(`${path}/alertIncidents?${query({ $top: 100 })}`)])
      .then(([a, page]) => {
        setAlert(a);
        setIncidents(page.value);
        setNext(page['@odata.nextLink']);
      })
      .catch(setError);
  }, [path]);
  useEffect(load, [load]);
  const refresh = useRefresh(`${path}/refresh`, undefined, load);
  const refreshing = refresh.running !== null && refresh.running.status !== 'succeeded' && refresh.running.status !== 'failed';

  const more = async () => {
    if (!next) return;
    try {
      const page = await get<Page<Incident>>(sameOrigin(next));
      setIncidents((list) => [...(list ?? []), ...page.value]);
      setNext(page['@odata.nextLink']);
    } catch (err) {
      setError(err);
    }
  };

  const remediate = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      await api(`${path}/alertIncidents/${encodeURIComponent(pending.id)}/remediate`, { method: 'POST' });
      setIncidents((list) => (list ?? []).filter((i) => i.id !== pending.id));
      setAlert((a) => (a ? { ...a, incidentCount: Math.max(0, a.incidentCount - 1) } : a));
      setNotice(`Incident ${pending.id} remediated.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const remediatable = alert?.alertDefinition?.isRemediatable === true;
  const columns = [...new Set((incidents ?? []).flatMap((i) => Object.keys(i)))].filter((k) => k !== '@odata.type' && k !== 'id');
  return (
    <section aria-labelledby="alert-title">
      <p>
        <a href="#/alerts">← Alerts</a>
      </p>
      <h1 id="alert-title">{alert ? alertName(alert) : id}</h1>
      <ErrorMessage error={error} />
      {!alert && !error ? <Loading what="the alert" /> : null}
      {alert ? (
        <>
          <p>
            <Severity value={alert.alertDefinition?.severityLevel} /> <strong data-testid="incident-count">{alert.incidentCount}</strong> incidents · {alert.isActive ? 'active' : 'not active'} · last scan {when(alert.lastScannedDateTime)}
          </p>
          {alert.alertDefinition?.description ? <p>{alert.alertDefinition.description}</p> : null}
          {alert.alertDefinition?.mitigationSteps ? (
            <details>
              <summary>How to fix it</summary>
              <p>{alert.alertDefinition.mitigationSteps}</p>
            </details>
          ) : null}
          <div class="toolbar">
            <button type="button" onClick={() => void refresh.start()} disabled={refreshing} data-testid="refresh-alert">
              {refreshing ? 'Refreshing…' : 'Refresh this alert'}
            </button>
            <RefreshProgress op={refresh.running} />
          </div>
          <ErrorMessage error={refresh.error} />
        </>
      ) : null}
      {notice ? (
        <p class="message ok" role="status">
          {notice}
        </p>
      ) : null}
      {incidents ? (
        <>
          <h2>Incidents {incidents.length > 0 ? `(${typeName(incidents[0]!['@odata.type'])})` : ''}</h2>
          {!remediatable ? <p class="muted">This alert cannot be remediated through the API.</p> : null}
          <div class="table-wrap">
            <table data-testid="incidents">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  {columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                  {remediatable ? <th scope="col">Action</th> : null}
                </tr>
              </thead>
              <tbody>
                {incidents.length === 0 ? (
                  <tr>
                    <td colSpan={columns.length + 2} class="empty">
                      No incidents.
                    </td>
                  </tr>
                ) : (
                  incidents.map((i) => (
                    <tr key={i.id} data-id={i.id}>
                      <td class="id">{i.id}</td>
                      {columns.map((c) => (
                        <td key={c}>{DATE_KEY.test(c) ? when(i[c]) : text(i[c])}</td>
                      ))}
                      {remediatable ? (
                        <td>
                          <button type="button" class="danger" onClick={() => setPending(i)}>
                            Remediate
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          {next ? (
            <button type="button" onClick={() => void more()}>
              Load more incidents
            </button>
          ) : null}
        </>
      ) : null}
      <Confirm open={pending !== null} busy={busy} title="Remediate this incident?" confirmLabel="Remediate" onCancel={() => setPending(null)} onConfirm={() => void remediate()}>
        <p>
          This applies the alert's mitigation to the directory (for example, removes the user from the role) and removes incident <code>{pending?.id}</code>. It cannot be undone here.
        </p>
      </Confirm>
    </section>
  );
}
