// A process that starts two uploads (a Put Blob and a Put Block) to a blob store and stops in the
// middle of their bodies, for the suite that kills it with SIGKILL. Arguments: `file <dir>` or
// `database <url> <leaseMs>`. It prints one line once both uploads are under way.
import { Readable } from 'node:stream';
import { openDb } from '../../src/db/open.js';
import { DatabaseBlobStore, FileBlobStore } from '../../src/storage/index.js';
import { migrations } from '../../src/families/index.js';

const [kind, where, leaseMs] = process.argv.slice(2);
const store = kind === 'file' ? new FileBlobStore(where!) : new DatabaseBlobStore(await openDb({ databaseUrl: where, migrations }), { leaseMs: Number(leaseMs) });
const CONTAINER = '0c7e4a8e-1d2b-4f3a-9c8d-7e6f5a4b3c2d';

/** 3 MiB, then nothing more, ever. */
const stalled = () => {
  const body = new Readable({ read() {} });
  for (let i = 0; i < 3; i++) body.push(Buffer.alloc(1024 * 1024, i));
  return body;
};
void store.putBlob(CONTAINER, 'killed.csv', stalled(), { maxBytes: 1024 ** 3 });
void store.stageBlock(CONTAINER, 'killed.csv', 'AA==', stalled(), { maxBytes: 1024 ** 3, length: 10 * 1024 * 1024 });
process.stdout.write('started\n');
// Nothing else keeps the event loop alive (a stalled stream does not): the process waits to be killed.
setInterval(() => undefined, 60_000);
