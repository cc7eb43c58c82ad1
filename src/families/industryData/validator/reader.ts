import { CsvError, parse } from 'csv-parse';
import type { FileAt } from './header.js';
import type { IssueLog } from './issues.js';
import type { ValidationLimits } from './limits.js';
import { count } from './rules.js';
import type { UploadedFile } from './types.js';
import { Utf8Guard } from './utf8.js';
import type { Utf8Step } from './utf8.js';

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
 * The outcome never depends on how the input is chunked: the parser sees exactly the bytes before
 * the first bad one, emits a record only once the next bytes are known, every record it emitted is
 * handled (in order) before its state is looked at, and a stop is decided at a record.
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
  const parser = parse({
    record_delimiter: ['\r\n', '\n'],
    relax_column_count: true, // ColumnCountMismatch is a record issue, not a parse failure
    skip_empty_lines: true,
    // csv-parse checks the limit before appending a character, so it lets one more through.
    max_record_size: Math.max(1, limits.maxRecordBytes - 1),
  });
  parser.on('data', onRecord);
  parser.on('error', () => {}); // read from parser.errored after each write
  // Node 20's Transform emits each record synchronously inside write(). Should a stream version
  // buffer some instead, read() hands them over (as 'data') here: every record the parser produced
  // is handled before its state (stop, error) is looked at, which keeps results deterministic.
  const drain = (): void => {
    while (parser.readableLength > 0 && parser.read() !== null);
  };

  /** Feeds one guarded step; answers whether reading goes on. */
  const feed = (step: Utf8Step): boolean => {
    if (step.bom) issues.report('warning', 'ByteOrderMarkFound', at, () => 'the file starts with a UTF-8 byte order mark, which is ignored');
    if (step.valid.length > 0) {
      parser.write(step.valid);
      drain();
    }
    if (stopped) return false;
    if (parser.errored) return parsed(parser.errored);
    if (step.invalid) {
      const { reason } = step.invalid;
      issues.report('error', 'InvalidFileEncoding', at, () => `the file is not UTF-8: ${reason}`);
      usable = false;
      return false;
    }
    return true;
  };
  /** Maps the parser's failure to MalformedCsv; anything but a CSV syntax error is a bug. */
  const parsed = (error: Error): false => {
    if (!(error instanceof CsvError)) throw error;
    const detail = MALFORMED[error.code] ?? (error.code === 'CSV_MAX_RECORD_SIZE' ? `the row is longer than ${count(limits.maxRecordBytes)} bytes (a missing line end or an unclosed quote?)` : 'the row is not valid CSV');
    issues.report('error', 'MalformedCsv', { ...at, row: rows + 1 }, () => detail);
    usable = false;
    return false;
  };

  const guard = new Utf8Guard();
  let bytes = 0;
  let reading = true;
  let estimated = false;
  try {
    for await (const chunk of file.open() as AsyncIterable<Uint8Array | string>) {
      options.signal?.throwIfAborted();
      let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      bytes += buffer.length;
      const over = bytes > limits.maxFileBytes;
      if (over) buffer = buffer.subarray(0, buffer.length - (bytes - limits.maxFileBytes));
      reading = feed(guard.push(buffer));
      if (reading && over) {
        issues.report('error', 'FileTooLarge', at, () => `the file has more than ${count(limits.maxFileBytes)} bytes, the limit`);
        usable = false;
        reading = false;
      }
      if (!reading) break;
      if (!estimated && rows > 1 && bytes >= Math.min(file.size, ESTIMATE_AFTER_BYTES)) {
        estimated = true;
        handlers.expect?.(Math.ceil(((rows - 1) * file.size) / bytes));
      }
      await options.progress(Math.max(0, rows - 1));
    }
    if (reading && feed(guard.end())) {
      const ended = new Promise<Error | null | undefined>((resolve) => parser.end(resolve));
      drain();
      const error = await ended;
      drain();
      if (error && !stopped) parsed(error);
    }
  } finally {
    parser.destroy();
  }
  if (usable && rows === 0) {
    issues.report('error', 'EmptyFile', at, () => 'the file has no header row');
    return false;
  }
  if (usable && rows === 1) issues.report('warning', 'FileHasNoRecords', at, () => 'the file has a header but no data rows');
  return usable;
}
