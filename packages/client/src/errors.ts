// Typed errors: a Graph error body (GraphError), an operation that ended failed
// (OperationFailedError). Aborts reject with the signal's reason (an AbortError DOMException
// unless the caller gave another).
import type { AnyOperation, PublicError } from './models.js';
import { isFileValidateOperation } from './models.js';

export interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    target?: string;
    details?: unknown[];
    innerError?: { date?: string; 'request-id'?: string; 'client-request-id'?: string; [k: string]: unknown };
  };
}

/** An error answer of the service: status, Graph code and message, and the request ids to find it in the log. */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly clientRequestId: string | undefined,
    readonly body: GraphErrorBody | string | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  static async fromResponse(res: Response): Promise<GraphError> {
    const text = await res.text().catch(() => '');
    let body: GraphErrorBody | string | undefined = text || undefined;
    try {
      body = text ? (JSON.parse(text) as GraphErrorBody) : undefined;
    } catch {
      // not JSON (a proxy's page, a blob endpoint's XML): kept as text
    }
    const error = typeof body === 'object' ? body.error : undefined;
    const xmlCode = typeof body === 'string' ? /<Code>([^<]*)<\/Code>/.exec(body)?.[1] : undefined;
    const xmlMessage = typeof body === 'string' ? /<Message>([^<]*)<\/Message>/.exec(body)?.[1] : undefined;
    return new GraphError(
      res.status,
      error?.code ?? xmlCode ?? `http${res.status}`,
      error?.message ?? xmlMessage ?? (res.statusText || `HTTP ${res.status}`),
      res.headers.get('request-id') ?? error?.innerError?.['request-id'] ?? res.headers.get('x-ms-request-id') ?? undefined,
      res.headers.get('client-request-id') ?? error?.innerError?.['client-request-id'] ?? undefined,
      body,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }
}

/** The operation ended `failed`. For validations, `errors` holds the validation's errors. */
export class OperationFailedError extends Error {
  override name = 'OperationFailedError';
  readonly statusDetail: string | null;
  readonly errors: PublicError[];
  constructor(readonly operation: AnyOperation) {
    super(`The operation ${operation.id} failed${operation.statusDetail ? `: ${operation.statusDetail}` : '.'}`);
    this.statusDetail = operation.statusDetail;
    this.errors = isFileValidateOperation(operation) ? (operation.errors ?? []) : [];
  }
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The reason to reject with when `signal` is aborted. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}
