export { validateUpload } from './validate.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { ValidationLimits } from './limits.js';
export { RULES } from './rules.js';
export type { RuleCode } from './rules.js';
export { REFERENCE_LISTS } from './enums.js';
export type { ReferenceList } from './enums.js';
export type { PublicError, PublicErrorDetail, UploadedFile, ValidationOptions, ValidationResult } from './types.js';
