import { CsvError, parse } from 'csv-parse';
import type { Parser } from 'csv-parse';
import { Utf8Guard } from './utf8.js';
import type { Utf8Step } from './utf8.js';

/** What one piece of a file gave: its records in order, then what stops the file, if anything. */
export interface ParsedPiece {
  records: string[][];
  /** Input bytes the piece covered. */
  bytes: number;
  /** The file starts with a UTF-8 byte order mark (dropped). */
  bom?: true;
  /** A CSV syntax error: csv-parse's code. */
  malformed?: string;
  /** The bytes are not UTF-8 from here on: why. */
  notUtf8?: string;
}

/**
 * The part of reading a file that needs nothing but its bytes: the UTF-8 check and the CSV parse,
 * piece by piece. It runs where reader.ts puts it, on the validating thread or on a worker.
 *
 * The records never depend on how the input is cut into pieces: the parser sees exactly the bytes
 * before the first bad one and emits a record only once the bytes after it are known. After a
 * failure, later pieces give nothing.
 */
export class PieceParser {
  private readonly guard = new Utf8Guard();
  private readonly parser: Parser;
  private records: string[][] = [];
  private failed = false;

  constructor(maxRecordBytes: number) {
    this.parser = parse({
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true, // ColumnCountMismatch is a record issue, not a parse failure
      skip_empty_lines: true,
      // csv-parse checks the limit before appending a character, so it lets one more through.
      max_record_size: Math.max(1, maxRecordBytes - 1),
    });
    this.parser.on('data', (record: string[]) => this.records.push(record));
    this.parser.on('error', () => {}); // read from parser.errored after each write
  }

  push(bytes: Buffer): ParsedPiece {
    return this.failed ? { records: [], bytes: bytes.length } : this.write(this.guard.push(bytes), bytes.length);
  }

  /** The end of the file: what the parser held back, and a quote left open. */
  async end(): Promise<ParsedPiece> {
    if (this.failed) return { records: [], bytes: 0 };
    const piece = this.write(this.guard.end(), 0);
    if (this.failed) return piece;
    const ended = new Promise<Error | null | undefined>((resolve) => this.parser.end(resolve));
    this.drain();
    const error = await ended;
    this.drain();
    piece.records.push(...this.take());
    if (error) piece.malformed = csvCode(error);
    return piece;
  }

  destroy(): void {
    this.parser.destroy();
  }

  private write(step: Utf8Step, bytes: number): ParsedPiece {
    if (step.valid.length > 0) {
      this.parser.write(step.valid);
      this.drain();
    }
    const piece: ParsedPiece = { records: this.take(), bytes };
    if (step.bom) piece.bom = true;
    if (this.parser.errored) piece.malformed = csvCode(this.parser.errored);
    else if (step.invalid) piece.notUtf8 = step.invalid.reason;
    this.failed = piece.malformed !== undefined || piece.notUtf8 !== undefined;
    return piece;
  }

  // Node 20's Transform emits each record synchronously inside write(). Should a stream version
  // buffer some instead, read() hands them over (as 'data') here, before the state is looked at.
  private drain(): void {
    while (this.parser.readableLength > 0 && this.parser.read() !== null);
  }

  private take(): string[][] {
    const records = this.records;
    this.records = [];
    return records;
  }
}

/** A CSV syntax error's code; anything else the parser throws is a bug. */
function csvCode(error: Error): string {
  if (!(error instanceof CsvError)) throw error;
  return error.code;
}
