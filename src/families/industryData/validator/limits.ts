/** Bounds that keep a validation's time, memory and report size predictable. */
export interface ValidationLimits {
  /** Largest file accepted, in bytes (FileTooLarge). */
  maxFileBytes: number;
  /** Most data rows per file, header excluded (TooManyRecords). */
  maxRecords: number;
  /**
   * Longest row the CSV parser buffers, in bytes of its values (delimiters and quotes not counted);
   * MalformedCsv beyond it. This is what keeps a huge single line or an unterminated quote from
   * swallowing the file into memory.
   */
  maxRecordBytes: number;
  /** Issues listed per rule code and file; the rest are counted in IssueLimitReached. */
  maxIssuesPerCode: number;
}

export const DEFAULT_LIMITS: Readonly<ValidationLimits> = Object.freeze({
  maxFileBytes: 1024 * 1024 * 1024, // 1 GiB
  maxRecords: 500_000, // SDS Classic's documented limit per CSV file
  maxRecordBytes: 64 * 1024,
  maxIssuesPerCode: 100,
});

export function resolveLimits(overrides: Partial<ValidationLimits> = {}): ValidationLimits {
  const limits: ValidationLimits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides) as [keyof ValidationLimits, number | undefined][]) {
    if (value !== undefined) limits[name] = value;
  }
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limits.${name} must be a positive integer`);
  }
  return limits;
}
