import type { ValidationLimits } from './limits.js';
import type { ReferenceList } from './enums.js';

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
