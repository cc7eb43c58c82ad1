// Graph error bodies (spec §5.1). Every error that leaves the server is a GraphError turned into
// `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. A leaf
// module: every layer (auth as much as graph and the families) throws these.

export interface GraphErrorDetail {
  code: string;
  message: string;
  target?: string;
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { target?: string; details?: GraphErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export const badRequest = (message: string, target?: string) =>
  new GraphError(400, 'BadRequest', message, target === undefined ? {} : { target });

export const notFound = (message = 'The requested resource does not exist.') =>
  new GraphError(404, 'ResourceNotFound', message);

export const unauthenticated = (message: string) =>
  new GraphError(401, 'InvalidAuthenticationToken', message, {
    headers: { 'www-authenticate': `Bearer realm="", error="invalid_token", error_description="${message.replace(/"/g, "'")}"` },
  });

export const forbidden = (message = 'Insufficient privileges to complete the operation.') =>
  new GraphError(403, 'Authorization_RequestDenied', message);

/** `innerError.date` is UTC without `Z` and without fractions, e.g. `2020-08-18T12:51:51`. */
export function innerErrorDate(now = new Date()): string {
  return now.toISOString().slice(0, 19);
}

export function errorBody(err: GraphError, requestId: string, clientRequestId: string) {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.options.target !== undefined) error.target = err.options.target;
  if (err.options.details?.length) error.details = err.options.details;
  error.innerError = { date: innerErrorDate(), 'request-id': requestId, 'client-request-id': clientRequestId };
  return { error };
}
