// Bearer-token authentication and authorization (spec §2.3, §6).
export {
  ENTRA_ISSUERS,
  GRAPH_APP_ID,
  GRAPH_RESOURCE_URI,
  ISSUER_V1,
  ISSUER_V2,
  issuerFor,
  PERSONAL_ACCOUNT_TENANT_ID,
} from './entra.js';
export { guidFromName, isGuid } from './guid.js';
export { createSigningKey, jwks, loadOrCreateSigningKey, SIGNING_ALG, signingKeyPath } from './keys.js';
export type { JsonWebKeySet, PublicJwk, SigningKey } from './keys.js';
export {
  CLI_APP_ID,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  mintToken,
  parseList,
} from './mint.js';
export type { MintOptions } from './mint.js';
export { directoryImport } from './permissions.js';
export { authorize, isAuthorized, principalFromClaims } from './principal.js';
export type { Permission, Principal } from './principal.js';
export { AUTHENTICATION_OPERATIONS_READ_OTHERS_ROLES, DirectoryRoles, PIM_ALERTS_READ_ROLES, PIM_ALERTS_WRITE_ROLES } from './roles.js';
export type { DirectoryRoleName } from './roles.js';
export {
  ACCEPTED_ALGORITHMS,
  createVerifier,
  DEFAULT_CACHE_SIZE,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  MESSAGES,
} from './verify.js';
export type { JwksVerifierConfig, LocalVerifierConfig, Verifier, VerifierConfig } from './verify.js';
