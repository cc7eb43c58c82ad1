// The last hour as this process's metrics saw it (GET /metrics/recent on the service's own port,
// no token, counts only): operations ended per minute by outcome, and how long new operations waited for a
// worker (pickup latency, mean and p95). Read again every 15 seconds.
import { useEffect, useState } from 'preact/hooks';
import type { RecentMinute as Minute } from '../../../src/http/recentActivity';
import { BarChart, STATUS_COLORS } from '../components';

const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
const ms = (seconds: number | null) => (seconds === null || !Number.isFinite(seconds) ? 0 : Math.round(seconds * 1000));

export function RecentMetrics() {
  const [minutes, setMinutes] = useState<Minute[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    const load = async () => {
      try {
        const res = await fetch('/metrics/recent', { signal: stop.signal, cache: 'no-store' });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const { minutes: recent } = (await res.json()) as { minutes: Minute[] | null };
        setMinutes(recent);
        setProblem(recent ? null : 'This server runs with its metrics off (--no-metrics).');
      } catch (err) {
        if (stop.signal.aborted) return;
        setProblem(`This server's recent metrics could not be read: ${err instanceof Error ? err.message : String(err)}.`);
      }
      timer = setTimeout(() => void load(), 15_000);
    };
    void load();
    return () => {
      stop.abort();
      clearTimeout(timer);
    };
  }, []);

  if (problem) return <p class="muted" role="status">{problem}</p>;
  if (!minutes) return null;
  const labels = minutes.map((m) => hhmm(m.start));
  const sum = (of: (m: Minute) => number) => minutes.reduce((n, m) => n + of(m), 0);
  const picked = sum((m) => m.pickup.count);
  const meanPickup = picked ? sum((m) => (m.pickup.meanSeconds ?? 0) * m.pickup.count) / picked : null;
  return (
    <section aria-labelledby="metrics-title">
      <h2 id="metrics-title">This process's metrics</h2>
      <p class="muted">From /metrics/recent: what this server process ran in the last hour (with several processes on one database, each counts its own).</p>
      <BarChart
        testId="outcomes-chart"
        label="Operations ended per minute, by outcome (retried: an attempt failed and runs again)"
        labels={labels}
        stacked
        height={240}
        series={[
          { label: 'succeeded', data: minutes.map((m) => m.succeeded), color: STATUS_COLORS.succeeded! },
          { label: 'failed', data: minutes.map((m) => m.failed), color: STATUS_COLORS.failed! },
          { label: 'retried', data: minutes.map((m) => m.retried), color: '#ef6c00' },
        ]}
      />
      <BarChart
        testId="pickup-chart"
        label="Pickup latency per minute, in ms: from creation to a worker taking the operation (first attempts)"
        labels={labels}
        height={240}
        series={[
          { label: 'mean', data: minutes.map((m) => ms(m.pickup.meanSeconds)), color: '#1565c0' },
          { label: 'p95 (bucket bound)', data: minutes.map((m) => ms(m.pickup.p95Seconds)), color: '#90caf9' },
        ]}
      />
      <div class="table-wrap">
        <table data-testid="metrics-summary">
          <caption>The last hour, this process</caption>
          <thead>
            <tr>
              {['created', 'succeeded', 'failed', 'retried', 'mean pickup'].map((h) => (
                <th key={h} scope="col" class="num">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <td class="num" data-col="created">{sum((m) => m.created)}</td>
              <td class="num" data-col="succeeded">{sum((m) => m.succeeded)}</td>
              <td class="num" data-col="failed">{sum((m) => m.failed)}</td>
              <td class="num" data-col="retried">{sum((m) => m.retried)}</td>
              <td class="num" data-col="pickup">{meanPickup === null ? '—' : `${ms(meanPickup)} ms`}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}
