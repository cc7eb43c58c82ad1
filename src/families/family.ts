import type { FastifyInstance } from 'fastify';
import type { HandlerDefinition } from '../engine/index.js';
import type { GraphRoute } from '../graph/route.js';
import type { Services } from '../graph/services.js';

/** Why a request was refused before any route ran (http/ picks Graph's answer for each). */
export type Refusal =
  | 'malformed' // not HTTP/1.1 the parser can read
  | 'timeout' // not received within the server's time
  | 'headersTooLarge'
  | 'chunkExtensionsTooLarge'
  | 'badUri' // a percent-encoding that does not decode to UTF-8
  | 'segmentTooLong' // a path segment longer than the router accepts
  | 'method' // a method no route has (CONNECT)
  | 'notPreflight'; // OPTIONS without Origin and Access-Control-Request-Method

/** An answer written as is: status, headers (content type included) and body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An endpoint of a family that does not speak Graph (e.g. the Azure Blob REST API of upload
 * sessions): the refusals under its prefix are answered in its own shape, and a request there
 * with `Expect: 100-continue` gets no automatic `100 Continue`: the endpoint sends it once it has
 * authorized the request.
 */
export interface OwnEndpoint {
  /** A path prefix, without its trailing slash. */
  prefix: string;
  refuse(refusal: Refusal, message: string, requestId: string): RawAnswer;
}

/** A family of Graph APIs: its operation handlers and its routes (same shape in every family). */
export interface Family {
  name: string;
  handlers: Readonly<Record<string, HandlerDefinition>>;
  routes(services: Services): GraphRoute[];
  /**
   * Endpoints that are not Graph routes (no bearer token, their own body parsing and errors, e.g.
   * the blob endpoint of industry data upload sessions), registered in a Fastify scope of their own.
   */
  register?(app: FastifyInstance, services: Services): Promise<void>;
  /** Where `register`'s endpoints live and how they refuse what never reaches them. */
  endpoint?: OwnEndpoint;
}
