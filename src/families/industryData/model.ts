/** The engine family of industry data operations (validate, runs). */
export const FAMILY = 'industryData';

/** Properties of `microsoft.graph.industryData.fileValidateOperation` beyond longRunningOperation. */
export const FILE_VALIDATE_PROPERTIES = ['validatedFiles', 'errors', 'warnings'] as const;
