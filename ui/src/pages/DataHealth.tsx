// Industry data: each connector with its last validation, the runs (status, activities,
// statistics), and the errors and warnings of the last validations by rule.
import { useEffect, useState } from 'preact/hooks';
import { INDUSTRY_ROOT, get, list, query, sameOrigin } from '../api';
import type { Json } from '../api';
import { BarChart, ErrorMessage, Loading, SortableTable, Status } from '../components';
import { date, num, text, when } from '../format';
import type { Operation } from '../operations';
import { operationPath, operationRoute } from '../operations';
import type { PublicError } from '../validation';
import { byRule, groupIssues } from '../validation';

interface Connector extends Json {
  id: string;
  displayName: string;
  sourceSystem?: { displayName?: string };
}

interface Health {
  connector: Connector;
  validation?: Operation;
  errors: number;
  warnings: number;
}

interface Run extends Json {
  id: string;
  displayName?: string;
  status?: string;
  startDateTime?: string;
  endDateTime?: string;
  blockingError?: { message?: string } | null;
}

interface RunDetail {
  run: Run;
  activities: Json[];
  statistics?: Json;
  error?: unknown;
}

const connectorIdOf = (location: unknown) => (typeof location === 'string' ? (/dataConnectors(?:\/|\(')([^/?')]+)/.exec(sameOrigin(location))?.[1] ?? null) : null);

async function loadHealth(signal: AbortSignal): Promise<Health[]> {
  const [connectors, ops] = await Promise.all([
    list<Connector>(`${INDUSTRY_ROOT}/dataConnectors?${query({ $expand: 'sourceSystem($select=displayName)' })}`, { signal }),
    list<Operation>(`${INDUSTRY_ROOT}/operations?${query({ $filter: "status eq 'succeeded'", $orderby: 'createdDateTime desc', $top: 200, $select: 'id,status,resourceLocation,createdDateTime,lastActionDateTime' })}`, { signal, maxPages: 1 }),
  ]);
  const last = new Map<string, Operation>();
  for (const op of ops) {
    const c = connectorIdOf(op.resourceLocation);
    if (c && !last.has(c)) last.set(c, op);
  }
  return Promise.all(
    connectors.map(async (connector) => {
      const found = last.get(connector.id);
      if (!found) return { connector, errors: 0, warnings: 0 };
      const validation = await get<Operation>(operationPath('industryData', found.id), { signal });
      const groups = groupIssues(validation.errors as PublicError[], validation.warnings as PublicError[]);
      const sum = (s: string) => groups.filter((g) => g.severity === s).reduce((n, g) => n + g.count, 0);
      return { connector, validation, errors: sum('error'), warnings: sum('warning') };
    }),
  );
}

async function loadRuns(signal: AbortSignal): Promise<RunDetail[]> {
  const runs = await list<Run>(`${INDUSTRY_ROOT}/runs?${query({ $top: 20 })}`, { signal, maxPages: 1 });
  runs.sort((a, b) => String(b.startDateTime ?? '').localeCompare(String(a.startDateTime ?? '')));
  return Promise.all(
    runs.slice(0, 10).map(async (run) => {
      const path = `${INDUSTRY_ROOT}/runs/${encodeURIComponent(run.id)}`;
      try {
        const [activities, statistics] = await Promise.all([list(`${path}/activities`, { signal, maxPages: 1 }), get(`${path}/getStatistics`, { signal })]);
        return { run, activities, statistics };
      } catch (error) {
        return { run, activities: [], error };
      }
    }),
  );
}

export function DataHealthPage() {
  const [health, setHealth] = useState<Health[] | null>(null);
  const [healthError, setHealthError] = useState<unknown>(null);
  const [runs, setRuns] = useState<RunDetail[] | null>(null);
  const [runsError, setRunsError] = useState<unknown>(null);
  useEffect(() => {
    const stop = new AbortController();
    loadHealth(stop.signal).then(setHealth, (err: unknown) => stop.signal.aborted || setHealthError(err));
    loadRuns(stop.signal).then(setRuns, (err: unknown) => stop.signal.aborted || setRunsError(err));
    return () => stop.abort();
  }, []);

  const rules = new Map<string, { errors: number; warnings: number }>();
  for (const h of health ?? []) {
    if (!h.validation) continue;
    for (const [code, c] of byRule(groupIssues(h.validation.errors as PublicError[], h.validation.warnings as PublicError[]))) {
      const r = rules.get(code) ?? { errors: 0, warnings: 0 };
      r.errors += c.errors;
      r.warnings += c.warnings;
      rules.set(code, r);
    }
  }
  const codes = [...rules.keys()].sort((a, b) => rules.get(b)!.errors + rules.get(b)!.warnings - (rules.get(a)!.errors + rules.get(a)!.warnings));

  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">Data health</h1>
      <h2>Connectors</h2>
      <ErrorMessage error={healthError} />
      {!health && !healthError ? <Loading what="connectors" /> : null}
      {health ? (
        <SortableTable<Health>
          testId="connectors"
          rows={health}
          rowKey={(h) => h.connector.id}
          empty="No data connectors yet (graph-lro connectors create --help)."
          columns={[
            { key: 'name', label: 'Connector', value: (h) => h.connector.displayName },
            { key: 'source', label: 'Source system', value: (h) => h.connector.sourceSystem?.displayName ?? '—' },
            {
              key: 'validated',
              label: 'Last validation',
              value: (h) => date(h.validation?.lastActionDateTime)?.getTime() ?? 0,
              render: (h) => (h.validation ? <a href={operationRoute('industryData', h.validation.id)}>{when(h.validation.lastActionDateTime)}</a> : 'never'),
            },
            { key: 'files', label: 'Files', value: (h) => (h.validation?.validatedFiles as string[] | undefined)?.length ?? 0, numeric: true },
            { key: 'errors', label: 'Errors', value: (h) => h.errors, numeric: true },
            { key: 'warnings', label: 'Warnings', value: (h) => h.warnings, numeric: true },
          ]}
        />
      ) : null}
      <h2>Errors and warnings by rule</h2>
      {health && codes.length === 0 ? <p class="muted">The last validations found nothing to report.</p> : null}
      {codes.length > 0 ? (
        <BarChart
          testId="rules-chart"
          label="Errors and warnings of each connector's last validation, by rule code"
          labels={codes}
          horizontal
          stacked
          height={Math.max(160, codes.length * 28 + 60)}
          series={[
            { label: 'errors', data: codes.map((c) => rules.get(c)!.errors), color: '#c62828' },
            { label: 'warnings', data: codes.map((c) => rules.get(c)!.warnings), color: '#f9a825' },
          ]}
        />
      ) : null}
      <h2>Runs</h2>
      <ErrorMessage error={runsError} />
      {!runs && !runsError ? <Loading what="runs" /> : null}
      {runs && runs.length === 0 ? <p class="muted">No runs yet (they start every 12 hours once an inbound flow is in effect, or with graph-lro runs start).</p> : null}
      {runs?.map(({ run, activities, statistics, error }) => (
        <article key={run.id} class="run" data-testid="run">
          <h3>
            <Status value={run.status} /> {run.displayName ?? run.id} · <a href={operationRoute('industryData', run.id)}>operation</a>
          </h3>
          <p class="muted">
            {when(run.startDateTime)} → {when(run.endDateTime)}
            {run.blockingError?.message ? ` · ${run.blockingError.message}` : ''}
          </p>
          <ErrorMessage error={error} />
          {activities.length ? (
            <ul>
              {activities.map((a) => (
                <li key={String(a.id)}>
                  <Status value={a.status} /> {text(a.displayName)}
                </li>
              ))}
            </ul>
          ) : null}
          {statistics ? <Statistics stats={statistics} /> : null}
        </article>
      ))}
    </section>
  );
}

function Statistics({ stats }: { stats: Json }) {
  const totals = (stats.inboundTotals ?? {}) as Record<string, unknown>;
  const rows = Object.entries(totals).filter(([k]) => !k.startsWith('@'));
  if (rows.length === 0) return null;
  return (
    <details>
      <summary>Statistics</summary>
      <dl class="properties">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'number' ? num(v) : <pre>{text(v)}</pre>}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
