export type { BlobErrorCode, BlobProperties, BlobStore, ByteRange, CommitOptions, ListOptions, ListPage, PutOptions } from './types.js';
export { BlobStoreError, MAX_STAGED_BLOCKS } from './types.js';
export { FileBlobStore } from './file.js';
export { CHUNK_BYTES, DatabaseBlobStore } from './database.js';
export { blobNameProblem, isContainerName, MAX_BLOB_NAME_LENGTH } from './names.js';
