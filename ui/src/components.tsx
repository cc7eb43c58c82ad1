// Small pieces the pages share: status badges, messages, a sortable table, a confirmation dialog
// and a Chart.js bar chart.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { describe } from './api';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export function Status({ value }: { value: unknown }) {
  const s = typeof value === 'string' && value ? value : 'unknown';
  return <span class={`badge status-${s}`}>{s}</span>;
}

export function Severity({ value }: { value: unknown }) {
  const s = typeof value === 'string' ? value : 'unknown';
  return <span class={`badge severity-${s}`}>{s}</span>;
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="message error" role="alert">
      {describe(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="message" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export interface Column<T> {
  key: string;
  label: string;
  value: (row: T) => string | number | undefined;
  render?: (row: T) => ComponentChildren;
  numeric?: boolean;
}

/** A table whose column headers sort it (click or Enter/Space on the header button). */
export function SortableTable<T>(props: { columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; initial?: { key: string; desc?: boolean }; caption?: string; testId?: string; empty?: string }) {
  const [sort, setSort] = useState(props.initial ?? { key: props.columns[0]!.key, desc: false });
  const column = props.columns.find((c) => c.key === sort.key) ?? props.columns[0]!;
  const rows = [...props.rows].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
    return sort.desc ? -order : order;
  });
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        {props.caption ? <caption>{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.key} scope="col" class={c.numeric ? 'num' : ''} aria-sort={c.key === sort.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                <button type="button" class="sort" onClick={() => setSort({ key: c.key, desc: c.key === sort.key ? !sort.desc : Boolean(c.numeric) })}>
                  {c.label}
                  <span aria-hidden="true">{c.key === sort.key ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} class="empty">
                {props.empty ?? 'Nothing to show.'}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={props.rowKey(row)}>
                {props.columns.map((c) => (
                  <td key={c.key} class={c.numeric ? 'num' : ''} data-col={c.key}>
                    {c.render ? c.render(row) : (c.value(row) ?? '—')}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A modal dialog (the browser's <dialog>: Escape cancels, focus stays inside) asking to confirm. */
export function Confirm(props: { open: boolean; title: string; children: ComponentChildren; confirmLabel: string; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" autofocus onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm} disabled={props.busy}>
          {props.busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

export interface Series {
  label: string;
  data: number[];
  color: string;
}

/** A (stacked) bar chart; its numbers are also in a table for screen readers and keyboards. */
export function BarChart(props: { labels: string[]; series: Series[]; stacked?: boolean; horizontal?: boolean; label: string; height?: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: props.horizontal ? 'y' : 'x',
        plugins: { legend: { position: 'bottom' } },
        scales: {
          x: { stacked: props.stacked ?? false, beginAtZero: true, ticks: { autoSkip: true, maxRotation: 0, precision: 0 } },
          y: { stacked: props.stacked ?? false, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.horizontal, props.stacked]);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = props.labels;
    c.data.datasets = props.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: s.color, borderColor: s.color }));
    c.update();
  }, [props.labels, props.series]);
  return (
    <figure class="chart" data-testid={props.testId}>
      <div style={{ height: `${props.height ?? 280}px`, position: 'relative' }}>
        <canvas ref={canvas} role="img" aria-label={props.label} />
      </div>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

export const STATUS_COLORS: Record<string, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  running: '#1565c0',
  notStarted: '#9e9e9e',
};
