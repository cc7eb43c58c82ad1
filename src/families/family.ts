import type { FastifyInstance } from 'fastify';
import type { Migration } from '../db/migrations/index.js';
import type { HandlerDefinition, Operation } from '../engine/index.js';
import type { BoundAction } from '../graph/model/action.js';
import type { Singleton } from '../graph/model/metadata.js';
import type { EntitySet } from '../graph/model/routes.js';
import type { OperationsCollection } from '../graph/operations.js';
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

/**
 * A family of Graph APIs, as the server knows it: its name, how refusals under its own endpoints
 * are answered, and how it starts. Listed once, in families/index.ts; http/ and cli/ reach a
 * family only through this contract.
 */
export interface Family {
  name: string;
  /** Its tables: versions in the one sequence of db/migrations (families/index.ts orders them all). */
  migrations: readonly Migration[];
  /** Where the endpoints of `FamilyInstance.register` live and how they refuse what never reaches them. */
  endpoint?: OwnEndpoint;
  /** The family running in a server: called once at start, stopped with the server. */
  start(services: Services): FamilyInstance;
}

/** What a started family serves and runs. Its state (stores, timers) lives here, never in modules. */
export interface FamilyInstance {
  name: string;
  /** Where its paths hang from (`identityGovernance`, `external`): $metadata's entity container. */
  singletons: readonly Singleton[];
  /** Its entity sets: every route of each is made from the model (graph/model/routes.ts). */
  sets: readonly EntitySet[];
  /** Actions and functions bound to its types. */
  actions: readonly BoundAction[];
  /** Its operations collection (`…/operations`), served by graph/operations.ts. */
  operations: OperationsCollection;
  /** The engine handlers of its operation kinds. */
  handlers: Readonly<Record<string, HandlerDefinition>>;
  /** Graph routes the model does not express (a function's URL forms), if any. */
  routes?: readonly GraphRoute[];
  /**
   * Endpoints that are not Graph routes (no bearer token, their own body parsing and errors, e.g.
   * the blob endpoint of industry data upload sessions), registered in a Fastify scope of their own.
   */
  register?(app: FastifyInstance): Promise<void>;
  /** Operations to start for a newly started demo tenant (the PIM refresh), if any. */
  demo?(tenantId: string, root: string): Promise<Operation>;
  /** Stops its background work; the server calls it before closing the database. */
  stop(): Promise<void>;
}
