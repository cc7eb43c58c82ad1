// The blob endpoint's answers to requests refused before its routes run (parser errors, bad URLs,
// OPTIONS outside a CORS preflight): Azure Storage's status, error code and XML.
import type { OwnEndpoint, Refusal } from '../../family.js';
import { BLOB_PREFIX } from '../model.js';
import { errorXml } from './xml.js';

const AZURE: Record<Refusal, { status: number; code: string }> = {
  malformed: { status: 400, code: 'InvalidInput' },
  timeout: { status: 408, code: 'OperationTimedOut' },
  headersTooLarge: { status: 431, code: 'RequestHeaderFieldsTooLarge' },
  chunkExtensionsTooLarge: { status: 413, code: 'RequestBodyTooLarge' },
  badUri: { status: 400, code: 'InvalidUri' },
  segmentTooLong: { status: 400, code: 'InvalidUri' },
  method: { status: 405, code: 'UnsupportedHttpVerb' },
  // Preflight Blob Request requires both headers.
  notPreflight: { status: 400, code: 'MissingRequiredHeader' },
};

export const blobEndpoint: OwnEndpoint = {
  prefix: BLOB_PREFIX,
  refuse(refusal, message, requestId) {
    const { status, code } = AZURE[refusal];
    return {
      status,
      headers: { 'content-type': 'application/xml', 'x-ms-request-id': requestId, 'x-ms-error-code': code },
      body: errorXml(code, message, requestId),
    };
  },
};
