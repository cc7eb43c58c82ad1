// What Entra access tokens for Graph look like (spec §6): audiences, issuers, special tenants.

/** v1.0 tokens for Graph name the resource URI as `aud`... */
export const GRAPH_RESOURCE_URI = 'https://graph.microsoft.com';
/** ...v2.0 tokens (and some v1.0 ones) Graph's app id. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export const ISSUER_V1 = 'https://sts.windows.net/{tenantid}/';
export const ISSUER_V2 = 'https://login.microsoftonline.com/{tenantid}/v2.0';
/** The two shapes of an Entra issuer; `{tenantid}` stands for the token's `tid`. */
export const ENTRA_ISSUERS: readonly string[] = Object.freeze([ISSUER_V1, ISSUER_V2]);

/** Tenant of personal Microsoft accounts (MSA); none of the APIs here support them. */
export const PERSONAL_ACCOUNT_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const PLACEHOLDER = /\{tenantid\}/gi;

/** `template` with `{tenantid}` (any case) replaced by `tenantId`, which must be a GUID. */
export function issuerFor(template: string, tenantId: string): string {
  return template.replace(PLACEHOLDER, tenantId);
}
