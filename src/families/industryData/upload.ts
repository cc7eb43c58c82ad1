// An upload as the validator reads it: the blobs of a connector's container, and the tenant's
// changes to the reference lists its values are checked against.
import type { Queryable } from '../../db/db.js';
import type { BlobStore } from '../../storage/index.js';
import { VALIDATED_TYPES } from './catalogue.js';
import { DEFAULT_FILE_FORMAT, maxRecords, maxUploadBytes } from './model.js';
import type { ReferenceCode } from './store.js';
import { tenantReferenceCodes } from './store.js';
import type { ReferenceList, UploadedFile, ValidationOptions } from './validator/index.js';

/** Every blob of the container, each opened only when the validator reads it. */
export async function uploadedFiles(store: BlobStore, container: string): Promise<UploadedFile[]> {
  const files: UploadedFile[] = [];
  let marker: string | undefined;
  do {
    const page = await store.list(container, marker === undefined ? {} : { marker });
    for (const blob of page.blobs) {
      files.push({
        name: blob.name,
        size: blob.size,
        open: () =>
          (async function* () {
            yield* (await store.openRead(container, blob.name)) as AsyncIterable<Uint8Array>;
          })(),
      });
    }
    marker = page.nextMarker;
  } while (marker !== undefined);
  return files;
}

/** Codes by the validator's list they extend (reference types it does not check are left out). */
function byList(codes: readonly ReferenceCode[]): Partial<Record<ReferenceList, string[]>> {
  const lists: Partial<Record<ReferenceList, string[]>> = {};
  for (const { referenceType, code } of codes) {
    const list = VALIDATED_TYPES[referenceType];
    if (list) (lists[list] ??= []).push(code);
  }
  return lists;
}

/**
 * What every validation of a tenant's upload shares (validate and runs): the connector's format
 * (SDS v2.1 when it has none), the tenant's added and disabled codes, the configured limits.
 */
export async function validationOptions(
  q: Queryable,
  tenantId: string,
  fileFormat: string | null,
  signal: AbortSignal,
): Promise<Pick<ValidationOptions, 'format' | 'referenceCodes' | 'disabledCodes' | 'limits' | 'signal'>> {
  const codes = await tenantReferenceCodes(q, tenantId);
  return {
    format: fileFormat ?? DEFAULT_FILE_FORMAT,
    referenceCodes: byList(codes.enabled),
    disabledCodes: byList(codes.disabled),
    limits: { maxFileBytes: maxUploadBytes(), maxRecords: maxRecords() },
    signal,
  };
}
