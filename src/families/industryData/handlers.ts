// The validate operation: read the connector's current upload from the blob store, validate it
// (validator/), report progress in statusDetail, and on success point resourceLocation at the
// connector. The result is computed whole and written once by the engine when the attempt
// succeeds, so an attempt that crashed or lost its lease leaves nothing behind: the retry's
// result replaces the operation's, it is never appended to.
import type { HandlerContext, HandlerDefinition, HandlerResult } from '../../engine/index.js';
import { PermanentError } from '../../engine/index.js';
import type { BlobStore } from '../../storage/index.js';
import { CONNECTORS_PATH, RUN_KIND, VALIDATE_KIND } from './model.js';
import { run } from './runHandler.js';
import { currentSession, getConnector, setLastValidatedFiles } from './store.js';
import { uploadedFiles, validationOptions } from './upload.js';
import type { ValidationResult } from './validator/index.js';
import { validateUpload } from './validator/index.js';

/** What a validate operation keeps in its input. */
export interface ValidateInput {
  connectorId: string;
  /** `https://host/beta` as the client called it: resourceLocation is built on it. */
  root: string;
  /** The connector's last validated files when validate was called (FileSetChanged): fixed, so retries agree. */
  previousFiles: string[];
}

function input(ctx: HandlerContext): ValidateInput {
  const { connectorId, root, previousFiles } = ctx.operation.input as Partial<ValidateInput>;
  if (typeof connectorId !== 'string' || typeof root !== 'string' || !Array.isArray(previousFiles) || !previousFiles.every((f) => typeof f === 'string')) {
    throw new PermanentError('The operation has no valid input.');
  }
  return { connectorId, root, previousFiles };
}

const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

export function summary(result: ValidationResult): string {
  return `Validated ${plural(result.validatedFiles.length, 'file')}: ${plural(result.errors.length, 'error')}, ${plural(result.warnings.length, 'warning')}.`;
}

const validate = (store: BlobStore): HandlerDefinition => ({
  // A 1 GB upload takes well under a minute; the engine's default of 15 minutes would cut a slow disk short.
  timeoutMs: 60 * 60_000,
  async handle(ctx): Promise<HandlerResult> {
    const { connectorId, root, previousFiles } = input(ctx);
    const tenantId = ctx.operation.tenantId;
    const connector = await getConnector(ctx.db, tenantId, connectorId);
    if (!connector) throw new PermanentError(`The data connector '${connectorId}' was deleted before its files were validated.`);
    const session = await currentSession(ctx.db, tenantId, connectorId);
    const live = session !== undefined && !session.expired;
    const files = live ? await uploadedFiles(store, session.id) : [];
    const result = await validateUpload(files, {
      ...(await validationOptions(ctx.db, tenantId, connector.file_format_code, ctx.signal)),
      uploadSessionExists: live,
      previousFiles,
      onProgress: (detail) => ctx.progress(detail),
    });
    if (result.errors.length === 0) await setLastValidatedFiles(ctx.db, tenantId, connectorId, result.validatedFiles);
    return {
      resourceLocation: `${root}/${CONNECTORS_PATH}/${connectorId}`,
      statusDetail: summary(result),
      result: { validatedFiles: result.validatedFiles, errors: result.errors, warnings: result.warnings },
    };
  },
});

/** The handlers, reading uploads from `store`. */
export const handlers = (store: BlobStore): Readonly<Record<string, HandlerDefinition>> => ({ [VALIDATE_KIND]: validate(store), [RUN_KIND]: run(store) });
