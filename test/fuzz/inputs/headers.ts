// Headers: `Prefer` in every form (wait, odata.maxpagesize, respond-async, return, repeated,
// huge), `Authorization` garbage and forged tokens (hostile claims under the real key, another
// key, alg none, HMAC key confusion, kid/jku/jwk/x5u headers, tampered parts), and Host,
// client-request-id, Origin, Accept and conditional headers with odd values.
import type { Fixtures } from '../fixtures.js';
import { INDUSTRY, PIM, SCOPE_FILTER } from '../fixtures.js';
import type { Rng } from '../rng.js';
import { text, uriEncode } from '../rng.js';
import { OTHER_TENANT, TENANT } from '../target.js';
import type { Case, Scale } from './case.js';
import { huge } from './case.js';

function prefer(rng: Rng): string {
  const one = () =>
    rng.pick([
      `wait=${rng.pick(['0', '1', '2', '-1', '61', '1e9', '99999999999999999999', 'abc', '', '1.5', '"1"', ' 1', '0x1'])}`,
      `odata.maxpagesize=${rng.pick(['0', '1', '2', '999', '1000', '-5', 'abc', '', '1e2'])}`,
      'respond-async', 'return=minimal', 'return=representation', 'odata.include-annotations="*"', 'handling=strict', 'WAIT=1', 'wait', 'wait=', ' wait = 1 ', 'wait=1;x=y',
      text(rng, 20),
    ]);
  return Array.from({ length: 1 + rng.size(3) }, one).join(rng.pick([', ', ',', ';', ' ']));
}

function claims(rng: Rng): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const base: Record<string, unknown> = {
    aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT}/`, iat: now, nbf: now, exp: now + 3600,
    appid: '7d1e8c2a-4b5f-4a6e-9c3d-2e1f0a9b8c7d', oid: '3c2b1a09-8f7e-4d6c-b5a4-938271605f4e', tid: TENANT, ver: '1.0',
    scp: 'RoleManagementAlert.ReadWrite.Directory IndustryData.ReadBasic.All IndustryData-DataConnector.ReadWrite.All', wids: ['62e90394-69f5-4237-9190-012177145e10'],
  };
  const n = rng.size(4);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(['aud', 'iss', 'iat', 'nbf', 'exp', 'tid', 'scp', 'roles', 'wids', 'ver', 'oid', 'appid', 'idtyp', 'acct', 'sub', '__proto__']);
    base[name] = rng.pick<unknown>([
      undefined, null, '', 0, -1, now - 7200, now + 7200, now + 10 ** 12, 1e308, true, [], {}, ['x'], { a: 1 }, text(rng, 20), OTHER_TENANT, `https://sts.windows.net/${OTHER_TENANT}/`,
      'https://login.microsoftonline.com/common/v2.0', '00000003-0000-0000-c000-000000000000', huge('x', 10_000), ['RoleManagementAlert.ReadWrite.Directory'], '2.0',
    ]);
  }
  return base;
}

function forged(rng: Rng, fx: Fixtures): string {
  const header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: fx.forge.kid };
  const signer = rng.pick(['real', 'real', 'other', 'hmac-pem', 'hmac-jwk', 'none'] as const);
  if (signer.startsWith('hmac')) header.alg = rng.pick(['HS256', 'HS384', 'hs256']);
  if (signer === 'none') header.alg = rng.pick(['none', 'None', 'NONE', '']);
  if (rng.chance(0.3)) {
    const name = rng.pick(['kid', 'jku', 'jwk', 'x5u', 'x5c', 'crit', 'alg', 'typ', 'b64', 'zip', 'enc']);
    header[name] = rng.pick<unknown>([
      'https://evil.example/jwks', fx.forge.publicJwk, ['x'], '../../etc/passwd', '', null, 123, text(rng, 20), ['b64'], false, 'DEF', 'A256GCM', 'ES256', 'PS256', 'RS512',
    ]);
  }
  const token = fx.forge.token(header, claims(rng), signer);
  const [h, p, s] = token.split('.') as [string, string, string];
  return rng.pick([
    () => token,
    () => token,
    () => `${h}.${p}.${s.slice(0, -2)}${s.endsWith('A') ? 'B' : 'A'}A`,
    () => `${fx.tokens.admin.split('.')[0]}.${p}.${fx.tokens.admin.split('.')[2]}`,
    () => `${h}.${p}`,
    () => `${h}.${p}.${s}.${s}`,
    () => `${h}=.${p}.${s}`,
    () => `${b64raw(rng.pick(['"x"', '[]', 'null', '{', '{"alg":"RS256"}']))}.${p}.${s}`,
  ])();
}

const b64raw = (s: string) => Buffer.from(s).toString('base64url');

function authorizationValue(rng: Rng, fx: Fixtures, scale: Scale): string | undefined {
  return rng.pick<() => string | undefined>([
    () => undefined,
    () => `Bearer ${fx.tokens.admin}`,
    () => `Bearer ${forged(rng, fx)}`,
    () => `Bearer ${forged(rng, fx)}`,
    () => rng.pick(['', 'Bearer', 'Bearer ', 'bearer x', 'Basic dXNlcjpwYXNz', 'Bearer a.b.c', 'Bearer ...', 'Bearer e30.e30.', 'Negotiate x', 'Bearer  ' + fx.tokens.admin]),
    () => `${rng.pick(['BEARER', 'bearer', 'Bearer\t'])} ${fx.tokens.admin}`,
    () => `Bearer ${fx.tokens.admin} ${fx.tokens.reader}`,
    () => `Bearer ${fx.tokens.admin}${text(rng, 5)}`,
    () => `Bearer ${huge('A', rng.size(Math.min(scale.maxBytes, 100_000)))}`,
    () => `Bearer ${text(rng, 60)}`,
  ])();
}

export function headers(rng: Rng, fx: Fixtures, scale: Scale): Case {
  const path = rng.pick([
    `${PIM}/operations/${uriEncode(fx.refreshOperationId)}`, `${INDUSTRY}/operations/${fx.validateOperationId}`, `${PIM}/operations`, `${INDUSTRY}/operations?$top=1`,
    `${PIM}/alerts?$filter=${uriEncode(SCOPE_FILTER)}`, `${INDUSTRY}/dataConnectors/${fx.connectorId}`, `${PIM}/alerts/${rng.pick(fx.alertIds)}`, `${INDUSTRY}/operations/00000000-0000-4000-8000-000000000000`,
  ]);
  const h: Record<string, string> = {};
  const auth = authorizationValue(rng, fx, scale);
  if (auth !== undefined) h.authorization = auth;
  if (rng.chance(0.6)) h.prefer = prefer(rng);
  if (rng.chance(0.3)) {
    const name = rng.pick(['client-request-id', 'return-client-request-id', 'host', 'origin', 'accept', 'accept-encoding', 'consistencylevel', 'if-match', 'if-none-match', 'content-type', 'x-forwarded-host', 'x-forwarded-proto', 'accept-language', 'odata-maxversion', 'cookie']);
    h[name] = rng.pick([text(rng, 30), '', '*', 'eventual', 'application/xml', 'gzip, br', 'null', 'https://x.example', huge('x', rng.size(Math.min(scale.maxBytes, 20_000))), '"etag"', '[::1]:99999', 'a b']);
  }
  return { kind: 'headers', request: { method: rng.chance(0.9) ? 'GET' : rng.pick(['HEAD', 'POST', 'DELETE']), path, headers: h } };
}
