import type { SdsFile } from './columns.js';
import { ensureLength, growable } from './growable.js';
import type { RowValues } from './records.js';
import { RecordLog } from './scratch.js';
import type { Scratch } from './scratch.js';
import type { RecordSink } from './types.js';

// deferred record: [length u32][entry u32][values as JSON…]
const DEFERRED_HEADER = 8;

/**
 * The sink as one file sees it. It remembers the rows it accepted, a bit per row, so that a file
 * found unusable after some rows (MalformedCsv, TooManyRecords, …) takes them back; and it holds
 * rows that wait for the end of the file (orgs with a parent link) on scratch, not in memory.
 */
export class FileSink {
  private readonly accepted = growable(Uint8Array, 1024);
  private deferredRows: RecordLog | undefined;

  constructor(
    private readonly sink: RecordSink,
    private readonly file: SdsFile,
    private readonly scratch: Scratch,
  ) {}

  accept(row: number, values: RowValues): void {
    ensureLength(this.accepted, (row >>> 3) + 1);
    this.accepted[row >>> 3]! |= 1 << (row & 7);
    this.sink.accept(this.file, row, values);
  }

  /** Holds a row of table entry `entry` until acceptDeferred(). */
  defer(entry: number, values: RowValues): void {
    const payload = JSON.stringify(values);
    const bytes = DEFERRED_HEADER + Buffer.byteLength(payload);
    const log = (this.deferredRows ??= new RecordLog(this.scratch, 64 * 1024));
    const { buffer, offset } = log.room(bytes);
    buffer.writeUInt32LE(entry, offset + 4);
    buffer.write(payload, offset + DEFERRED_HEADER, 'utf8');
    log.commit(bytes);
  }

  /** Accepts the deferred rows in their order; `settle` adjusts a row's values and answers its row number. */
  acceptDeferred(settle: (entry: number, values: RowValues) => number): void {
    if (!this.deferredRows) return;
    for (const [buffer, offset] of this.deferredRows.records()) {
      const end = offset + buffer.readUInt32LE(offset);
      const values = (JSON.parse(buffer.toString('utf8', offset + DEFERRED_HEADER, end)) as (string | null)[]).map((value) => value ?? undefined);
      this.accept(settle(buffer.readUInt32LE(offset + 4), values), values);
    }
    this.close();
  }

  /** The file is unusable: every row accepted so far is rejected, and the deferred ones are dropped. */
  rejectAll(): void {
    for (let byte = 0; byte < this.accepted.length; byte++) {
      const bits = this.accepted[byte]!;
      if (bits === 0) continue;
      for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) this.sink.reject(this.file, byte * 8 + bit);
    }
    this.close();
  }

  private close(): void {
    this.deferredRows?.close();
    this.deferredRows = undefined;
  }
}
