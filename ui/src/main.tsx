// The dashboard: a page per hash route (#/operations, #/alerts, #/data, #/throughput), reading the
// service's Graph API with the user's token.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adoptTokenFromFragment, authProblem, claims, setToken, token, tokenProblem } from './api';
import { useStore } from './store';
import { OperationsPage } from './pages/Operations';
import { OperationPage } from './pages/Operation';
import { AlertsPage } from './pages/Alerts';
import { AlertPage } from './pages/Alert';
import { DataHealthPage } from './pages/DataHealth';
import { ThroughputPage } from './pages/Throughput';
import type { Family } from './operations';
import { feed } from './operations';
import './style.css';

token.subscribe(() => feed.reset());
adoptTokenFromFragment();
if (token.value) authProblem.value = tokenProblem(token.value);

const NAV = [
  ['#/operations', 'Operations'],
  ['#/alerts', 'Alerts'],
  ['#/data', 'Data health'],
  ['#/throughput', 'Throughput'],
] as const;

function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'operations').split('/').map((s) => decodeURIComponent(s));
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => {
      adoptTokenFromFragment();
      setRoute(read());
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Page({ route }: { route: string[] }) {
  const [page, a, b] = route;
  switch (page) {
    case 'operations':
      return a && b ? <OperationPage family={a as Family} id={b} /> : <OperationsPage />;
    case 'alerts':
      return a ? <AlertPage id={a} /> : <AlertsPage />;
    case 'data':
      return <DataHealthPage />;
    case 'throughput':
      return <ThroughputPage />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no page <code>{route.join('/')}</code>. <a href="#/operations">Operations</a>
          </p>
        </section>
      );
  }
}

function TokenPanel({ open, onClose }: { open: boolean; onClose: () => void }) {
  const problem = useStore(authProblem);
  const current = useStore(token);
  const [draft, setDraft] = useState('');
  if (!open && current && !problem) return null;
  const c = claims(current);
  return (
    <section class="token-panel" aria-labelledby="token-title">
      <h2 id="token-title">Token</h2>
      {problem ? (
        <p class="message error" role="alert" data-testid="auth-problem">
          {problem}
        </p>
      ) : null}
      {current && c ? (
        <p class="muted">
          In use: tenant <code>{c.tid ?? '?'}</code>
          {c.exp ? `, expires ${new Date(c.exp * 1000).toLocaleString()}` : ''}
          {c.scp ? `; ${c.scp}` : ''}
        </p>
      ) : null}
      <p class="muted">
        Open the dashboard link <code>graph-lro serve</code> prints at start, or mint a token (<code>graph-lro token --help</code>) and paste it here. It is kept in this tab only (sessionStorage).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(draft);
          setDraft('');
          onClose();
        }}
      >
        <label for="token-input">Bearer token</label>
        <div class="row">
          <input id="token-input" name="token" type="password" autocomplete="off" spellcheck={false} value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} placeholder="eyJ…" />
          <button type="submit" disabled={!draft.trim()}>
            Use token
          </button>
          {current ? (
            <button type="button" onClick={() => (setToken(null), onClose())}>
              Forget token
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function App() {
  const route = useRoute();
  const current = useStore(token);
  const [tokenOpen, setTokenOpen] = useState(false);
  const here = `#/${route[0]}`;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">graph-lro</span>
        <nav aria-label="Pages">
          {NAV.map(([href, label]) => (
            <a key={href} href={href} aria-current={here === href ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button type="button" class="token-button" aria-expanded={tokenOpen} onClick={() => setTokenOpen(!tokenOpen)}>
          Token
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <TokenPanel open={tokenOpen} onClose={() => setTokenOpen(false)} />
        {current && !tokenProblem(current) ? <Page key={current} route={route} /> : null}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
