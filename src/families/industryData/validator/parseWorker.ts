// The worker thread of pieceSource.ts: parses the pieces of one file at a time and answers each
// with its ParsedPiece. A `begin` starts the next file; answers carry the file's number, so the
// reader can drop those of a file it stopped reading.
import { parentPort } from 'node:worker_threads';
import { PieceParser } from './pieceParser.js';
import type { ParsedPiece } from './pieceParser.js';

export type ToWorker =
  | { type: 'begin'; file: number; maxRecordBytes: number }
  | { type: 'piece'; file: number; bytes: ArrayBuffer }
  | { type: 'end'; file: number };

export type FromWorker = { file: number; piece: ParsedPiece } | { file: number; failure: string };

let parser: PieceParser | undefined;

parentPort!.on('message', (message: ToWorker) => {
  if (message.type === 'begin') {
    parser?.destroy();
    parser = new PieceParser(message.maxRecordBytes);
    return;
  }
  const current = parser!;
  const { file } = message;
  const answer = (piece: ParsedPiece) => parentPort!.postMessage({ file, piece } satisfies FromWorker);
  const fail = (err: unknown) => parentPort!.postMessage({ file, failure: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromWorker);
  try {
    if (message.type === 'piece') answer(current.push(Buffer.from(message.bytes)));
    else current.end().then(answer, fail);
  } catch (err) {
    fail(err);
  }
});
