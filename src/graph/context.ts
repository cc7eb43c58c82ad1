// Absolute URLs in responses (@odata.context, @odata.nextLink, Location, resourceLocation) are
// built on the service root the client used, or on the configured public URL behind a proxy.
import type { FastifyRequest } from 'fastify';

export const API_VERSION = 'beta';

/** `https://host/beta` as the client sees it. */
export function serviceRoot(request: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return `${publicUrl.replace(/\/+$/, '')}/${API_VERSION}`;
  return `${request.protocol}://${request.host}/${API_VERSION}`;
}

/** `{root}/$metadata#{path}[(select)]{suffix}` as in spec §5.5. */
export function contextUrl(root: string, path: string, options: { select?: readonly string[]; entity?: boolean } = {}): string {
  const select = options.select?.length ? `(${options.select.join(',')})` : '';
  return `${root}/$metadata#${path}${select}${options.entity ? '/$entity' : ''}`;
}
