import { fileRank, fileSpec, READ_ORDER, SDS_FILES } from './columns.js';
import { CrossFile } from './crossFile.js';
import type { FileLinks } from './crossFile.js';
import { ReferenceCodes } from './enums.js';
import { checkFileSet } from './fileSet.js';
import { checkHeader } from './header.js';
import { connectorIssue, IssueLog } from './issues.js';
import { resolveLimits } from './limits.js';
import { Parsing } from './pieceSource.js';
import { readCsv } from './reader.js';
import { RecordChecker } from './records.js';
import type { RowValues } from './records.js';
import { count, quote } from './rules.js';
import { Scratch } from './scratch.js';
import type { UploadedFile, ValidationOptions, ValidationResult } from './types.js';

/** `schoolDataSyncV2.1` is what Microsoft's Postman collection sends (sds-csv.md §1). */
const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(['schoolDataSyncV2Rev1', 'schoolDataSyncV2.1']);
const PROGRESS_INTERVAL_MS = 500;
/** Files from this size up are parsed on a worker thread, beside the checks (pieceSource.ts). */
const PARSE_ON_WORKER_FROM_BYTES = 1024 * 1024;

/**
 * Validates an SDS v2.1 upload (sds-csv.md §9): file set, file structure, records, cross-file
 * references. Pure and deterministic: the same files and options give the same result, whatever
 * the chunking of the streams. Rejects only on abort or when a file cannot be read.
 */
export async function validateUpload(files: readonly UploadedFile[], options: ValidationOptions): Promise<ValidationResult> {
  options.signal?.throwIfAborted();
  const limits = resolveLimits(options.limits);
  if (!SUPPORTED_FORMATS.has(options.format)) {
    return connectorIssue('UnsupportedFileFormat', 'fileFormat', `${quote(options.format)} is not a file format this service validates; use "schoolDataSyncV2Rev1"`);
  }
  if (files.length === 0 && options.uploadSessionExists !== true) {
    return connectorIssue('UploadSessionNotFound', 'uploadSession', 'no file was uploaded to the connector');
  }

  const issues = new IssueLog(limits.maxIssuesPerCode);
  const present = checkFileSet(files, options.previousFiles ?? [], issues);
  if (issues.hasErrors) return issues.result([]);

  const records = options.records !== false;
  const createsUsers = options.createUnmatchedUsers === true;
  const codes = new ReferenceCodes(options.referenceCodes, options.disabledCodes);
  const scratch = new Scratch(options.scratchDir);
  const parsing = new Parsing(options.parseOnWorkerFromBytes ?? PARSE_ON_WORKER_FROM_BYTES);
  const crossFile = new CrossFile(issues, new Set(present.keys()), scratch, options.sink);
  const progress = throttle(options.onProgress);
  try {
    for (const name of READ_ORDER) {
      const file = present.get(name);
      if (!file) continue;
      const spec = fileSpec(name);
      const at = { file: name, rank: fileRank(name) };
      await progress(() => `Validating ${name}`, true);
      const values: RowValues = [];
      let check: ((fields: string[], row: number) => void) | undefined;
      let links: FileLinks | undefined;
      const usable = await readCsv(file, {
        at, limits, issues, headerOnly: !records, signal: options.signal, parsing,
        progress: (rows) => progress(() => `Validating ${name}: ${count(rows)} rows`, false),
      }, {
        header(fields) {
          const plan = checkHeader(spec, fields, at, issues, createsUsers);
          if (plan && records) {
            const checker = new RecordChecker(spec, plan, at, issues, codes, createsUsers);
            const opened = (links = crossFile.open(spec, plan));
            check = (fields, row) => opened.row(values, row, checker.check(fields, row, values));
          }
          return plan !== undefined;
        },
        record(fields, row) {
          check!(fields, row);
        },
        expect(rows) {
          links?.expect(rows);
        },
      });
      if (records) crossFile.close(name, usable);
    }
    if (records) crossFile.finish();
  } finally {
    scratch.close();
    await parsing.close();
  }
  return issues.result(SDS_FILES.filter((name) => present.has(name)));
}

/** Progress reports: `force` for a new file, otherwise at most every PROGRESS_INTERVAL_MS. */
function throttle(onProgress: ValidationOptions['onProgress']): (detail: () => string, force: boolean) => Promise<void> {
  let last = 0;
  return async (detail, force) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    await onProgress(detail());
  };
}
