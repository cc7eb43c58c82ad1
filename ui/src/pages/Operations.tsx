// Every operation of both families, newest first, followed live.
import { useEffect, useState } from 'preact/hooks';
import { Status } from '../components';
import { duration, FINAL, operationDuration, when } from '../format';
import type { Family } from '../operations';
import { FAMILIES, feed, operationRoute } from '../operations';
import { useStore } from '../store';

const STATUSES = ['notStarted', 'running', 'succeeded', 'failed'];

/** Re-renders every `ms` while `active` (durations of running operations tick). */
export function useTick(active: boolean, ms = 1000): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [active, ms]);
}

export function OperationsPage() {
  useEffect(() => feed.use(), []);
  const rows = useStore(feed.rows);
  const problems = useStore(feed.problems);
  const loaded = useStore(feed.loaded);
  const [family, setFamily] = useState<'' | Family>('');
  const [status, setStatus] = useState('');
  const all = [...rows.values()].sort((a, b) => String(b.op.createdDateTime).localeCompare(String(a.op.createdDateTime)));
  const shown = all.filter((r) => (!family || r.family === family) && (!status || r.op.status === status));
  const live = all.some((r) => !FINAL.has(r.op.status));
  useTick(live);
  return (
    <section aria-labelledby="ops-title">
      <h1 id="ops-title">Operations</h1>
      <p class="muted">
        Both families, newest first. Operations that have not ended are followed with <code>Prefer: wait</code> long-polls; the lists are read again every few seconds.
      </p>
      <div class="filters" role="group" aria-label="Filters">
        <label>
          Family{' '}
          <select value={family} onChange={(e) => setFamily((e.target as HTMLSelectElement).value as '' | Family)} data-testid="filter-family">
            <option value="">All</option>
            {(Object.keys(FAMILIES) as Family[]).map((f) => (
              <option key={f} value={f}>
                {FAMILIES[f].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)} data-testid="filter-status">
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span class="muted" aria-live="polite">
          {shown.length} of {all.length}
          {live ? ' · live' : ''}
        </span>
      </div>
      {Object.entries(problems).map(([f, p]) => (
        <p key={f} class="message error" role="alert">
          {FAMILIES[f as Family].label}: {p}
        </p>
      ))}
      <div class="table-wrap">
        <table data-testid="operations">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Operation</th>
              <th scope="col">Family</th>
              <th scope="col">Status detail</th>
              <th scope="col">Created</th>
              <th scope="col">Last action</th>
              <th scope="col" class="num">
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={7} class="empty">
                  {loaded ? 'No operations.' : 'Loading…'}
                </td>
              </tr>
            ) : (
              shown.map(({ family: f, op }) => (
                <tr key={`${f}|${op.id}`} data-id={op.id} data-status={op.status}>
                  <td>
                    <Status value={op.status} />
                  </td>
                  <td class="id">
                    <a href={operationRoute(f, op.id)}>{op.id}</a>
                  </td>
                  <td>{FAMILIES[f].label}</td>
                  <td class="detail">{op.statusDetail || '—'}</td>
                  <td>{when(op.createdDateTime)}</td>
                  <td>{when(op.lastActionDateTime)}</td>
                  <td class="num">{duration(operationDuration(op))}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
