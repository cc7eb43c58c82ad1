// @graph-lro/client: follow Microsoft Graph (beta) long-running operations, served by graph-lro or
// by Graph itself. No runtime dependencies: fetch only (Node ≥ 20, browsers).
export * from './models.js';
export { GraphError, OperationFailedError, parseRetryAfter } from './errors.js';
export type { GraphErrorBody } from './errors.js';
export { operationUrlOf, pollOperation, sleep } from './poller.js';
export type { FetchLike, PollOptions, PollState, TokenProvider } from './poller.js';
export { GraphLroClient, uploadFiles } from './client.js';
export type { CallOptions, GraphLroClientOptions, OperationFamily, StartedOperation, UploadFile, UploadOptions } from './client.js';
