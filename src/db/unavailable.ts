// Which errors mean "the database is not there right now" (an outage: retry later) rather than
// "this statement is wrong" (a bug or bad data). The HTTP layer answers the first with 503 and
// Retry-After; the engine gives the affected attempts back instead of failing them.

/** Node's socket errors: the server is down, restarting, or the connection was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATE classes and codes of an unavailable server: 08 connection exceptions, 57P01–57P03
 * (admin or crash shutdown, cannot connect now), 53300 too many connections.
 */
const isUnavailableSqlState = (code: string) => code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';

/** The messages node-postgres gives, with no code, when a connection ends or the pool cannot lend one. */
const PG_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /^Cannot use a pool after calling end/, /^Client was closed and is not queryable/];

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)))) return true;
    if (PG_MESSAGES.some((re) => re.test(e.message))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}

/** Seconds a client is told to wait before retrying during an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
