// Turning what was recorded into the report's figures: failure reasons, 5xx expected or not.
import type { ServerError } from './http.js';
import { tally } from './util.js';

/** A statusDetail reduced to its class: numbers and ids out, infrastructure causes named. */
export function failureClass(detail: string | undefined): string {
  const d = (detail ?? '').trim();
  const infra: [RegExp, string][] = [
    [/stopped responding|lease/i, 'infrastructure: worker stopped responding (lease expired)'],
    [/shut ?down|shutting down|interrupted/i, 'infrastructure: worker shut down'],
    [/timed out/i, 'infrastructure: timed out'],
    [/terminating connection|administrator command|57P01|ECONNRESET|ECONNREFUSED|Connection terminated|connection.*(closed|ended|lost)|the database system is (starting up|shutting down)|57P03|server closed/i, 'infrastructure: database connection lost'],
    [/unsupported Unicode escape|invalid byte sequence|22P05|22021/i, 'outcome could not be written (encoding)'],
  ];
  for (const [re, name] of infra) if (re.test(d)) return name;
  return `handler: ${d.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '{id}').replace(/\d+/g, '#').slice(0, 120)}`;
}

/** Failures that are the handler's own verdict on its input (none are expected in this load). */
export const isHandlerOwnError = (cls: string) => cls.startsWith('handler: ') && /deleted|not found|does not exist|UploadSessionNotFound/i.test(cls);

export interface FaultWindow {
  kind: string;
  startMs: number;
  endMs: number;
  /** How long after the end a 503 still counts as the outage's. */
  tailMs: number;
}

/** Splits the 5xx seen: 503s inside a database fault's window (plus its tail) are the outage's. */
export function classify5xx(errors: ServerError[], windows: FaultWindow[]) {
  const inWindow = (e: ServerError) => windows.find((w) => e.atMs >= w.startMs - 500 && e.atMs <= w.endMs + w.tailMs);
  const outage: ServerError[] = [];
  const unexpected: ServerError[] = [];
  for (const e of errors) {
    if (e.status === 503 && inWindow(e)) outage.push(e);
    else unexpected.push(e);
  }
  return {
    outage503: outage.length,
    outage503Codes: tally(outage.map((e) => e.code)),
    outage503WithoutRetryAfter: outage.filter((e) => !e.retryAfter).length,
    unexpected5xx: unexpected.length,
    unexpected5xxByStatusAndRoute: tally(unexpected.map((e) => `${e.status} ${e.route}`)),
    unexpected5xxByCode: tally(unexpected.map((e) => `${e.status} ${e.code}`)),
    unexpected5xxByPhase: tally(unexpected.map((e) => `${e.phase}${inWindow(e) ? ' (during a database fault)' : ''}`)),
  };
}
