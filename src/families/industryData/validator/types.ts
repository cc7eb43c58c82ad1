import type { ValidationLimits } from './limits.js';
import type { ReferenceList } from './enums.js';
import type { SdsFile } from './columns.js';

/** One uploaded object, as the storage layer hands it over. Names are exact (case-sensitive). */
export interface UploadedFile {
  name: string;
  size: number;
  open(): NodeJS.ReadableStream | AsyncIterable<Uint8Array>;
}

export interface ValidationOptions {
  /** The connector's `fileFormat.code`. */
  format: 'schoolDataSyncV2Rev1' | 'schoolDataSyncV1' | string;
  /** false: files and headers only (no record and cross-file checks). Default true. */
  records?: boolean;
  limits?: Partial<ValidationLimits>;
  /** The flow creates unmatched users: `givenName` and `familyName` become required. Default false. */
  createUnmatchedUsers?: boolean;
  /**
   * The connector has an upload session, so an upload without any file is a file set with every
   * file missing (RequiredFileNotFound, …) rather than UploadSessionNotFound. Default false.
   */
  uploadSessionExists?: boolean;
  /** Files of the last successfully validated upload of this connector (FileSetChanged). */
  previousFiles?: readonly string[];
  /** Codes a tenant added to a reference list; they are accepted besides the defaults. */
  referenceCodes?: Partial<Record<ReferenceList, readonly string[]>>;
  /** Codes a tenant disabled (built-in or its own): values using them are InvalidReferenceCode. */
  disabledCodes?: Partial<Record<ReferenceList, readonly string[]>>;
  /** Progress such as "Validating users.csv: 120,000 rows"; called at each file start and at most every 500 ms. */
  onProgress?(detail: string): void | Promise<void>;
  /** Aborts between chunks; validateUpload then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Where the association keys of large files spill (DuplicateRecord), in a directory of its own
   * that is removed at the end. Default: the system's temporary directory.
   */
  scratchDir?: string;
  /** Files of at least this many bytes are parsed on a worker thread, beside the checks. Default 1 MiB. */
  parseOnWorkerFromBytes?: number;
  /** Receives the records that pass (not with `records: false`). */
  sink?: RecordSink;
}

/**
 * Receives the records that pass validation, as the validator reads them (one pass, nothing
 * buffered). Once validateUpload resolves, the rows of a file accepted and not rejected are exactly
 * the rows the validator kept; when it rejects, the calls so far mean nothing.
 */
export interface RecordSink {
  /**
   * A row that passed its own checks and its cross-file checks: its values by the file's schema
   * columns (fileSpec(file).columns order; codes canonical, ids as written, `password` never,
   * undefined where empty or dropped with a warning). The array is reused: copy what you keep.
   */
  accept(file: SdsFile, row: number, values: readonly (string | undefined)[]): void;
  /** A row accepted earlier is dropped after all (its file turned out unusable, e.g. MalformedCsv further on). */
  reject(file: SdsFile, row: number): void;
}

export interface PublicErrorDetail {
  code: string;
  message: string;
  target: string;
}

/** `microsoft.graph.publicError` as a fileValidateOperation carries it. */
export interface PublicError extends PublicErrorDetail {
  details: PublicErrorDetail[];
  innerError: null;
}

export interface ValidationResult {
  validatedFiles: string[];
  errors: PublicError[];
  warnings: PublicError[];
}
