// How dates, durations and numbers are shown.

export const FINAL = new Set(['succeeded', 'failed']);

/** Graph's "never" (0001-01-01…) and absent dates read as undefined. */
export function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value.startsWith('0001-')) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function when(value: unknown): string {
  const d = date(value);
  if (!d) return '—';
  const today = new Date();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return d.toDateString() === today.toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** An operation's duration: to its last action once final, to now while it runs. */
export function operationDuration(op: { status?: unknown; createdDateTime?: unknown; lastActionDateTime?: unknown }, now = Date.now()): number | undefined {
  const start = date(op.createdDateTime);
  if (!start) return undefined;
  const end = FINAL.has(String(op.status)) ? date(op.lastActionDateTime)?.getTime() : now;
  return end === undefined ? undefined : end - start.getTime();
}

export const num = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');

/** A property value as text: scalars as they are, objects as compact JSON. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

/** "RoleManagementAlert" from "#microsoft.graph.fooBarAlertIncident" style names. */
export const typeName = (t: unknown) => (typeof t === 'string' ? (t.split('.').pop() ?? t) : '');
