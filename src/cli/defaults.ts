// Defaults shared by the commands, each overridable by a flag or an environment variable.

/** The demo tenant a fresh `serve` uses and `token` mints for when no tenant is named. */
export const DEMO_TENANT_ID = '4a5d0f5e-9b1c-4c3e-8d7f-2e6b1a9c0d3f';
export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './data';
export const MIN_RETENTION_MS = 24 * 3_600_000;
