import type { Migration } from './index.js';

// Bodies being written to the database blob store (src/storage/database.ts): one row per body,
// from its first chunk until it is published or discarded. A row reserves the bytes of a block
// against its blob's limit, and proves its writer alive by `touched_at`, which every chunk
// written and a renewal of the writing process move on; the chunks of a row left untouched past
// the lease are an abandoned body's (its process died) and are removed.
export const blobUploads: Migration = {
  version: 9,
  name: 'blob_uploads',
  statements: [
    `CREATE TABLE blob_uploads (
      version text PRIMARY KEY,
      container_id text NOT NULL,
      name text COLLATE "C" NOT NULL,
      -- null for a blob put whole, which reserves nothing
      block_id text COLLATE "C",
      reserved bigint NOT NULL DEFAULT 0,
      touched_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX blob_uploads_blob ON blob_uploads (container_id, name)`,
    `CREATE INDEX blob_uploads_touched ON blob_uploads (touched_at)`,
  ],
};
