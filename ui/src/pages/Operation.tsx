// One operation: every property, followed live until it ends; for a fileValidateOperation, its
// errors and warnings grouped by rule code and file.
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, Loading, SortableTable, Status } from '../components';
import { sameOrigin } from '../api';
import { duration, operationDuration, text, typeName, when } from '../format';
import type { Family, Operation } from '../operations';
import { FAMILIES, follow, operationPath } from '../operations';
import type { IssueGroup, PublicError } from '../validation';
import { groupIssues } from '../validation';
import { useTick } from './Operations';

const DATES = new Set(['createdDateTime', 'lastActionDateTime']);
const SHOWN_APART = new Set(['errors', 'warnings', 'validatedFiles', '@odata.context']);

export function OperationPage({ family, id }: { family: Family; id: string }) {
  const [op, setOp] = useState<Operation | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!FAMILIES[family]) return;
    const stop = new AbortController();
    setOp(null);
    setError(null);
    follow(operationPath(family, id), setOp, stop.signal).catch((err: unknown) => stop.signal.aborted || setError(err));
    return () => stop.abort();
  }, [family, id]);
  useTick(op !== null && op.status !== 'succeeded' && op.status !== 'failed');
  if (!FAMILIES[family]) return <p class="message error">Unknown family {family}.</p>;
  const validation = op && (Array.isArray(op.errors) || Array.isArray(op.warnings));
  return (
    <section aria-labelledby="op-title">
      <p>
        <a href="#/operations">← Operations</a>
      </p>
      <h1 id="op-title" class="id">
        {id}
      </h1>
      <ErrorMessage error={error} />
      {!op && !error ? <Loading what="the operation" /> : null}
      {op ? (
        <>
          <p>
            <Status value={op.status} /> {FAMILIES[family].label} · {typeName(op['@odata.type']) || 'longRunningOperation'} · {duration(operationDuration(op))}
          </p>
          <dl class="properties" data-testid="properties">
            {Object.entries(op)
              .filter(([k]) => !SHOWN_APART.has(k))
              .map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    {k === 'resourceLocation' && typeof v === 'string' && v ? <code>{v}</code> : DATES.has(k) ? `${text(v)} (${when(v)})` : <pre>{text(v)}</pre>}
                  </dd>
                </div>
              ))}
          </dl>
          {op.resourceLocation && typeof op.resourceLocation === 'string' && op.resourceLocation.includes('/alerts') && family === 'alerts' ? (
            <p>
              <a href={alertRoute(op.resourceLocation)}>The alert(s) it refreshed →</a>
            </p>
          ) : null}
          {validation ? <ValidationReport op={op} /> : null}
        </>
      ) : null}
    </section>
  );
}

function alertRoute(location: string): string {
  const m = /\/alerts\/([^/?]+)$/.exec(sameOrigin(location));
  return m ? `#/alerts/${m[1]}` : '#/alerts';
}

export function ValidationReport({ op }: { op: Operation }) {
  const errors = (op.errors ?? []) as PublicError[];
  const warnings = (op.warnings ?? []) as PublicError[];
  const files = (op.validatedFiles ?? []) as string[];
  const groups = groupIssues(errors, warnings);
  const total = (s: IssueGroup['severity']) => groups.filter((g) => g.severity === s).reduce((n, g) => n + g.count, 0);
  return (
    <section aria-labelledby="validation-title">
      <h2 id="validation-title">Validation</h2>
      <p data-testid="validation-summary">
        {files.length} files validated ({files.join(', ') || 'none'}): <strong>{total('error').toLocaleString('en-US')} errors</strong>, {total('warning').toLocaleString('en-US')} warnings.
      </p>
      <SortableTable<IssueGroup>
        testId="validation"
        caption="Errors and warnings by rule code and file (click a header to sort)"
        rows={groups}
        rowKey={(g) => `${g.file}|${g.code}`}
        initial={{ key: 'count', desc: true }}
        empty="No errors or warnings."
        columns={[
          { key: 'severity', label: 'Severity', value: (g) => g.severity, render: (g) => <span class={`badge sev-${g.severity}`}>{g.severity}</span> },
          { key: 'code', label: 'Rule', value: (g) => g.code },
          { key: 'file', label: 'File', value: (g) => g.file },
          { key: 'count', label: 'Count', value: (g) => g.count, numeric: true },
          {
            key: 'example',
            label: 'Examples',
            value: (g) => g.listed[0]?.message ?? '',
            render: (g) =>
              g.listed.length === 0 ? (
                '—'
              ) : (
                <details>
                  <summary>{g.listed[0]!.message}</summary>
                  <ul>
                    {g.listed.slice(0, 50).map((e, i) => (
                      <li key={i}>
                        <code>{e.target}</code> {e.message}
                      </li>
                    ))}
                  </ul>
                </details>
              ),
          },
        ]}
      />
    </section>
  );
}
