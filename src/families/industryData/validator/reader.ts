import type { FileAt } from './header.js';
import type { IssueLog } from './issues.js';
import type { ValidationLimits } from './limits.js';
import { count } from './rules.js';
import type { UploadedFile } from './types.js';
import type { ParsedPiece } from './pieceParser.js';
import type { Parsing } from './pieceSource.js';

export interface CsvHandlers {
  /** The header row; false when a structure error stops the file. */
  header(fields: string[]): boolean;
  /** A data row; `row` is 1-based with the header as row 1. */
  record(fields: string[], row: number): void;
  /** Once, after the first megabyte: the file's data rows, estimated from its size. */
  expect?(rows: number): void;
}

export interface ReadOptions {
  readonly at: FileAt;
  readonly limits: ValidationLimits;
  readonly issues: IssueLog;
  /** Stop after the first data row (files-and-headers validation). */
  readonly headerOnly: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Called between chunks with the number of data rows read so far. */
  progress(rows: number): Promise<void>;
  /** Where the file is parsed (pieceSource.ts). */
  readonly parsing: Parsing;
}

/** csv-parse error codes (INVALID_OPENING_QUOTE has no CSV_ prefix in csv-parse 7). */
const MALFORMED: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is not closed before the end of the file',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted value (quote the whole value and double inner quotes)',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by something other than a comma or a line end',
};

/** The rows of a file are estimated once this much of it has been read. */
const ESTIMATE_AFTER_BYTES = 1024 * 1024;

/**
 * Phase 2 of one file, in a single streaming pass: size, UTF-8 (a BOM is dropped with a warning),
 * CSV syntax, row count; the header and each data row go to `handlers`. Answers whether the file
 * is usable, i.e. had no structure error.
 *
 * The outcome never depends on how the input is chunked, nor on the thread that parses it
 * (pieceSource.ts): the parser sees exactly the bytes before the first bad one and emits a record
 * only once the next bytes are known; every record of a piece is handled, in order, before what
 * stopped the piece is looked at, and a stop is decided at a record.
 */
export async function readCsv(file: UploadedFile, options: ReadOptions, handlers: CsvHandlers): Promise<boolean> {
  const { at, limits, issues } = options;
  if (file.size > limits.maxFileBytes) {
    issues.report('error', 'FileTooLarge', at, () => `the file has ${count(file.size)} bytes, more than the limit of ${count(limits.maxFileBytes)}`);
    return false;
  }
  let rows = 0; // records including the header
  let usable = true;
  let stopped = false; // records after a stop are ignored
  const onRecord = (fields: string[]): void => {
    if (stopped) return;
    rows++;
    if (rows === 1) {
      if (!handlers.header(fields)) {
        usable = false;
        stopped = true;
      }
    } else if (options.headerOnly) {
      stopped = true;
    } else if (rows - 1 > limits.maxRecords) {
      issues.report('error', 'TooManyRecords', at, () => `the file has more than ${count(limits.maxRecords)} data rows`);
      usable = false;
      stopped = true;
    } else handlers.record(fields, rows);
  };

  let handledBytes = 0;
  let estimated = false;
  /** Takes one piece's result, in order; answers whether reading goes on. */
  const take = (piece: ParsedPiece): boolean => {
    if (piece.bom) issues.report('warning', 'ByteOrderMarkFound', at, () => 'the file starts with a UTF-8 byte order mark, which is ignored');
    for (const record of piece.records) onRecord(record);
    handledBytes += piece.bytes;
    if (!estimated && rows > 1 && handledBytes >= Math.min(file.size, ESTIMATE_AFTER_BYTES)) {
      estimated = true;
      handlers.expect?.(Math.ceil(((rows - 1) * file.size) / handledBytes));
    }
    if (stopped) return false;
    if (piece.malformed !== undefined) {
      const code = piece.malformed;
      const detail = MALFORMED[code] ?? (code === 'CSV_MAX_RECORD_SIZE' ? `the row is longer than ${count(limits.maxRecordBytes)} bytes (a missing line end or an unclosed quote?)` : 'the row is not valid CSV');
      issues.report('error', 'MalformedCsv', { ...at, row: rows + 1 }, () => detail);
      usable = false;
      return false;
    }
    if (piece.notUtf8 !== undefined) {
      const reason = piece.notUtf8;
      issues.report('error', 'InvalidFileEncoding', at, () => `the file is not UTF-8: ${reason}`);
      usable = false;
      return false;
    }
    return true;
  };

  const source = options.parsing.open(file.size, limits.maxRecordBytes);
  /** Takes results until at most `ahead` are outstanding. */
  const settle = async (ahead: number): Promise<boolean> => {
    while (source.pending > ahead) if (!take(await source.next())) return false;
    return true;
  };
  let bytes = 0;
  const chunks = (file.open() as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  /**
   * Hands the next chunk to the parser; answers whether it went over the size limit, undefined at
   * the end of the input. The chunk is referenced only in here: held while its results come back,
   * it would outlive young-generation collections and wait for a full one.
   */
  const pushNext = async (): Promise<boolean | undefined> => {
    const next = await chunks.next();
    if (next.done) return undefined;
    options.signal?.throwIfAborted();
    const chunk = next.value;
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    bytes += buffer.length;
    const over = bytes > limits.maxFileBytes;
    if (over) buffer = buffer.subarray(0, buffer.length - (bytes - limits.maxFileBytes));
    source.push(buffer);
    return over;
  };
  let reading = true;
  try {
    for (let over = await pushNext(); over !== undefined; over = await pushNext()) {
      reading = await settle(over ? 0 : source.ahead);
      if (reading && over) {
        issues.report('error', 'FileTooLarge', at, () => `the file has more than ${count(limits.maxFileBytes)} bytes, the limit`);
        usable = false;
        reading = false;
      }
      if (!reading) break;
      await options.progress(Math.max(0, rows - 1));
    }
    if (reading) {
      source.end();
      await settle(0);
    }
  } finally {
    source.close();
    await chunks.return?.();
  }
  if (usable && rows === 0) {
    issues.report('error', 'EmptyFile', at, () => 'the file has no header row');
    return false;
  }
  if (usable && rows === 1) issues.report('warning', 'FileHasNoRecords', at, () => 'the file has a header but no data rows');
  return usable;
}
