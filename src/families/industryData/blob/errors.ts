// Errors of the blob endpoint, answered as Azure Storage answers them: status, `x-ms-error-code`,
// and an XML `<Error>` body (none for HEAD).
import { OUTAGE_RETRY_AFTER_SECONDS } from '../../../db/unavailable.js';
import { BlobStoreError } from '../../../storage/index.js';

export class BlobError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements of the XML body, e.g. `AuthenticationErrorDetail`, `HeaderName`. */
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'BlobError';
  }
}

export const authenticationFailed = (detail: string) =>
  new BlobError(
    403,
    'AuthenticationFailed',
    'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    { AuthenticationErrorDetail: detail },
  );

/** Azure's answer while it cannot serve (here: the database is away); clients retry it on their own. */
export const serverBusy = () =>
  new BlobError(503, 'ServerBusy', 'The server is currently unable to receive requests. Please retry your request.', {}, {
    'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS),
  });

export const permissionMismatch = () =>
  new BlobError(403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');

export const invalidQuery = (name: string, value: string, reason: string) =>
  new BlobError(400, 'InvalidQueryParameterValue', 'Value for one of the query parameters specified in the request URI is invalid.', {
    QueryParameterName: name,
    QueryParameterValue: value,
    Reason: reason,
  });

export const missingQuery = (name: string) =>
  new BlobError(400, 'MissingRequiredQueryParameter', 'A query parameter that is mandatory for this request is not specified.', { QueryParameterName: name });

export const invalidHeader = (name: string, value: string) =>
  new BlobError(400, 'InvalidHeaderValue', 'The value for one of the HTTP headers is not in the correct format.', { HeaderName: name, HeaderValue: value });

export const missingHeader = (name: string) =>
  new BlobError(400, 'MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified.', { HeaderName: name });

export const notImplemented = (what: string) => new BlobError(501, 'NotImplemented', `${what} is not supported by this upload endpoint.`);

export const blobNotFound = () => new BlobError(404, 'BlobNotFound', 'The specified blob does not exist.');

export const conditionNotMet = () => new BlobError(412, 'ConditionNotMet', 'The condition specified using HTTP conditional header(s) is not met.');

/** A store failure the client caused, with Azure's status for it. */
export function fromStoreError(err: BlobStoreError, maxBytes: number): BlobError {
  switch (err.code) {
    case 'RequestBodyTooLarge':
      return new BlobError(413, 'RequestBodyTooLarge', err.message, { MaxLimit: String(maxBytes) });
    case 'Md5Mismatch':
      return new BlobError(400, 'Md5Mismatch', err.message);
    case 'InvalidBlockList':
      return new BlobError(400, 'InvalidBlockList', `The specified block list is invalid: ${err.message}`);
    case 'BlobNotFound':
      return blobNotFound();
    case 'BlockCountExceedsLimit':
      return new BlobError(409, 'BlockCountExceedsLimit', err.message);
    case 'OperationTimedOut':
      return new BlobError(500, 'OperationTimedOut', err.message);
  }
}

export const isStoreError = (err: unknown): err is BlobStoreError => err instanceof BlobStoreError;
