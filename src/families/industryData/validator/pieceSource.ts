import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './parseWorker.js';
import { PieceParser } from './pieceParser.js';
import type { ParsedPiece } from './pieceParser.js';

/** The pieces of one file as reader.ts feeds them: in order, with their results in the same order. */
export interface PieceSource {
  push(bytes: Buffer): void;
  end(): void;
  /** Results asked for and not yet taken. */
  readonly pending: number;
  /** Results it may have pending while the reader goes on pushing. */
  readonly ahead: number;
  /** The next result, in the order of push and end. */
  next(): Promise<ParsedPiece>;
  /** Stops the file, also halfway: later results are dropped. */
  close(): void;
}

/** Bytes per message to the worker: small enough that a piece's records die young on both sides. */
const PIECE_BYTES = 64 * 1024;
/** Pieces the worker may be ahead of the checks. */
const WORKER_AHEAD = 8;

/**
 * Where a validation parses its files. Files from `workerFromBytes` up go to one worker thread,
 * so that the CSV parse runs beside the checks on another core; smaller ones are parsed on the
 * validating thread, where a worker's start would cost more than it saves. `close` ends the worker.
 */
export class Parsing {
  private worker: ParserWorker | undefined;

  constructor(private readonly workerFromBytes: number) {}

  open(size: number, maxRecordBytes: number): PieceSource {
    if (size < this.workerFromBytes) return new LocalSource(maxRecordBytes);
    this.worker ??= new ParserWorker();
    return this.worker.open(maxRecordBytes);
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

class LocalSource implements PieceSource {
  // Each result is taken before the next push: records of a whole chunk wait in no queue.
  readonly ahead = 0;
  private readonly parser: PieceParser;
  private readonly results: Array<ParsedPiece | Promise<ParsedPiece>> = [];

  constructor(maxRecordBytes: number) {
    this.parser = new PieceParser(maxRecordBytes);
  }

  get pending(): number {
    return this.results.length;
  }

  push(bytes: Buffer): void {
    this.results.push(this.parser.push(bytes));
  }

  end(): void {
    this.results.push(this.parser.end());
  }

  next(): Promise<ParsedPiece> {
    return Promise.resolve(this.results.shift()!);
  }

  close(): void {
    this.parser.destroy();
  }
}

/** One worker thread, one file at a time. */
class ParserWorker {
  private readonly worker = new Worker(new URL('./parseWorker.js', import.meta.url), {
    // Pieces are small and short-lived: a small young generation keeps the thread's memory low.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  private file = 0;
  /** Answers on their way, of any file: while there are some, the thread keeps the process alive. */
  private outstanding = 0;
  private readonly answers: FromWorker[] = [];
  private waiting: { resolve(answer: FromWorker): void; reject(err: Error): void } | undefined;
  private broken: Error | undefined;
  private terminating = false;

  constructor() {
    this.worker.unref();
    this.worker.on('message', (answer: FromWorker) => {
      if (this.terminating) return;
      if (--this.outstanding === 0) this.worker.unref();
      if (answer.file !== this.file) return; // of a file that was stopped
      if (this.waiting) {
        this.waiting.resolve(answer);
        this.waiting = undefined;
      } else this.answers.push(answer);
    });
    const fail = (err: Error) => {
      this.broken = err;
      this.waiting?.reject(err);
      this.waiting = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the CSV parser thread exited (code ${code})`)));
  }

  open(maxRecordBytes: number): PieceSource {
    const file = ++this.file;
    this.answers.length = 0;
    const send = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
      if (message.type !== 'begin' && this.outstanding++ === 0) this.worker.ref();
      this.worker.postMessage(message, transfer);
    };
    send({ type: 'begin', file, maxRecordBytes });
    let pending = 0;
    return {
      ahead: WORKER_AHEAD,
      get pending() {
        return pending;
      },
      push(bytes) {
        for (let at = 0; at < bytes.length; at += PIECE_BYTES) {
          // A copy of its own, moved to the worker: the input buffer may share memory with others.
          const piece = new Uint8Array(bytes.subarray(at, at + PIECE_BYTES));
          send({ type: 'piece', file, bytes: piece.buffer }, [piece.buffer]);
          pending++;
        }
      },
      end() {
        send({ type: 'end', file });
        pending++;
      },
      next: async () => {
        const answer = await this.answer();
        pending--;
        if ('failure' in answer) throw new Error(`the CSV parser thread failed: ${answer.failure}`);
        return answer.piece;
      },
      close: () => {
        if (this.file === file) this.file++; // its answers still on the way are dropped
      },
    };
  }

  terminate(): Promise<number> {
    this.terminating = true;
    this.worker.ref(); // an unreferenced thread's exit would not be waited for
    return this.worker.terminate();
  }

  private answer(): Promise<FromWorker> {
    if (this.broken) return Promise.reject(this.broken);
    const ready = this.answers.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }
}
