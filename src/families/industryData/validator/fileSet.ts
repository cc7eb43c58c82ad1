import { FILE_SPECS, fileRank, SDS_FILES } from './columns.js';
import type { SdsFile } from './columns.js';
import type { IssueLog } from './issues.js';
import type { UploadedFile } from './types.js';

/** Phase 1: which SDS files are there. Answers the recognised files by exact name. */
export function checkFileSet(files: readonly UploadedFile[], previousFiles: readonly string[], issues: IssueLog): Map<SdsFile, UploadedFile> {
  const byName = new Map<string, UploadedFile>();
  for (const file of files) {
    if (byName.has(file.name)) throw new Error(`upload lists ${file.name} twice`);
    byName.set(file.name, file);
  }
  const previous = new Set(previousFiles);
  const present = new Map<SdsFile, UploadedFile>();
  const claimed = new Set<string>();
  for (const spec of FILE_SPECS) {
    const rank = fileRank(spec.name);
    const file = byName.get(spec.name);
    if (file) {
      present.set(spec.name, file);
      claimed.add(spec.name);
    }
    for (const other of byName.keys()) {
      if (other === spec.name || other.toLowerCase() !== spec.name.toLowerCase()) continue;
      claimed.add(other);
      issues.report('warning', 'FileNameCaseMismatch', { file: other, rank }, () => `the name differs from ${spec.name} only in case (names are case-sensitive); the file is ignored`);
    }
    if (file) continue;
    if (spec.tier === 'required') issues.report('error', 'RequiredFileNotFound', { file: spec.name, rank });
    else if (spec.tier === 'classes') issues.report('warning', 'OptionalFileNotFound', { file: spec.name, rank });
    if (spec.tier !== 'required' && previous.has(spec.name)) {
      issues.report('warning', 'FileSetChanged', { file: spec.name, rank }, () => 'the last validated upload had this file; without it, its records will be treated as inactive');
    }
  }
  for (const name of byName.keys()) {
    if (!claimed.has(name)) {
      issues.report('warning', 'UnrecognizedFile', { file: name, rank: SDS_FILES.length }, () => 'the file is not part of the SDS v2.1 format and is ignored');
    }
  }
  return present;
}
