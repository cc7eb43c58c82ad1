// Operations per minute over the last hour, by status: computed from the operations lists
// (createdDateTime, lastActionDateTime, status), read again every 15 seconds; then the same hour
// from this process's metrics (RecentMetrics): outcomes and pickup latency.
import { useEffect, useState } from 'preact/hooks';
import { BarChart, ErrorMessage, Loading, STATUS_COLORS } from '../components';
import { date, duration, operationDuration } from '../format';
import type { Family, Operation } from '../operations';
import { FAMILIES, operationsSince } from '../operations';
import { RecentMetrics } from './RecentMetrics';

const STATUSES = ['succeeded', 'failed', 'running', 'notStarted'];
const MINUTES = 60;

interface Loaded {
  at: number;
  ops: { family: Family; op: Operation }[];
  problems: string[];
}

export function ThroughputPage() {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const stop = new AbortController();
    let timer: ReturnType<typeof setTimeout>;
    const load = async () => {
      const now = Date.now();
      const since = new Date(Math.floor(now / 60_000) * 60_000 - (MINUTES - 1) * 60_000);
      const problems: string[] = [];
      const ops: Loaded['ops'] = [];
      await Promise.all(
        (Object.keys(FAMILIES) as Family[]).map((family) =>
          operationsSince(family, since, stop.signal).then(
            (list) => ops.push(...list.map((op) => ({ family, op }))),
            (err: unknown) => {
              if (!stop.signal.aborted) problems.push(`${FAMILIES[family].label}: ${err instanceof Error ? err.message : String(err)}`);
            },
          ),
        ),
      );
      if (stop.signal.aborted) return;
      if (problems.length === 2) setError(new Error(problems.join(' ')));
      else setError(null);
      setData({ at: now, ops, problems });
      timer = setTimeout(() => void load(), 15_000);
    };
    void load();
    return () => {
      stop.abort();
      clearTimeout(timer);
    };
  }, []);

  if (!data) return <section><h1>Throughput</h1>{error ? <ErrorMessage error={error} /> : <Loading what="operations" />}</section>;
  const start = Math.floor(data.at / 60_000) * 60_000 - (MINUTES - 1) * 60_000;
  const labels = Array.from({ length: MINUTES }, (_, i) => {
    const d = new Date(start + i * 60_000);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  });
  const counts = Object.fromEntries(STATUSES.map((s) => [s, new Array<number>(MINUTES).fill(0)])) as Record<string, number[]>;
  const ended = new Array<number>(MINUTES).fill(0);
  const durations: number[] = [];
  for (const { op } of data.ops) {
    const created = date(op.createdDateTime)?.getTime();
    if (created === undefined) continue;
    const i = Math.floor((created - start) / 60_000);
    if (i >= 0 && i < MINUTES) (counts[op.status] ??= new Array<number>(MINUTES).fill(0))[i]!++;
    if (op.status === 'succeeded' || op.status === 'failed') {
      const last = date(op.lastActionDateTime)?.getTime();
      const j = last === undefined ? -1 : Math.floor((last - start) / 60_000);
      if (j >= 0 && j < MINUTES) ended[j]!++;
      const d = operationDuration(op);
      if (d !== undefined) durations.push(d);
    }
  }
  durations.sort((a, b) => a - b);
  const pct = (p: number) => (durations.length ? durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] : undefined);
  const total = (s: string) => counts[s]?.reduce((a, b) => a + b, 0) ?? 0;
  return (
    <section aria-labelledby="tp-title">
      <h1 id="tp-title">Throughput</h1>
      <p class="muted">Operations started each minute of the last hour, by their status now; both families. Read from the operations lists every 15 s.</p>
      {data.problems.map((p) => (
        <p key={p} class="message error" role="alert">
          {p}
        </p>
      ))}
      <BarChart
        testId="throughput-chart"
        label="Operations started per minute, by status"
        labels={labels}
        stacked
        height={300}
        series={STATUSES.map((s) => ({ label: s, data: counts[s] ?? [], color: STATUS_COLORS[s] ?? '#777' }))}
      />
      <div class="table-wrap">
        <table data-testid="throughput-summary">
          <caption>The last hour</caption>
          <thead>
            <tr>
              {STATUSES.map((s) => (
                <th key={s} scope="col" class="num">
                  {s}
                </th>
              ))}
              <th scope="col" class="num">
                ended
              </th>
              <th scope="col" class="num">
                median duration
              </th>
              <th scope="col" class="num">
                p95 duration
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              {STATUSES.map((s) => (
                <td key={s} class="num" data-col={s}>
                  {total(s)}
                </td>
              ))}
              <td class="num">{ended.reduce((a, b) => a + b, 0)}</td>
              <td class="num">{duration(pct(0.5))}</td>
              <td class="num">{duration(pct(0.95))}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <RecentMetrics />
    </section>
  );
}
