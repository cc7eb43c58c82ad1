// Absolute URLs in responses (@odata.context, @odata.nextLink, Location, resourceLocation) are
// built on the service root the client used, or on the configured public URL behind a proxy.
import type { FastifyRequest } from 'fastify';
import type { ExpandItem } from './odata/query.js';

export const API_VERSION = 'beta';

/** `https://host/beta` as the client sees it. */
export function serviceRoot(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return `${publicUrl.replace(/\/+$/, '')}/${API_VERSION}`;
  return `${request.protocol}://${request.host}/${API_VERSION}`;
}

/**
 * `{root}/$metadata#{path}[(select,nav(nestedSelect))]{suffix}` as in spec §5.5: each expanded
 * navigation adds `nav()`, e.g. `alerts(alertConfiguration(),alertDefinition())/$entity`.
 */
export function contextUrl(
  root: string,
  path: string,
  options: { select?: readonly string[]; expand?: readonly ExpandItem[]; entity?: boolean } = {},
): string {
  const items = [...(options.select ?? []), ...(options.expand ?? []).map((e) => `${e.property}(${(e.options.select ?? []).join(',')})`)];
  const clause = items.length ? `(${items.join(',')})` : '';
  return `${root}/$metadata#${path}${clause}${options.entity ? '/$entity' : ''}`;
}
