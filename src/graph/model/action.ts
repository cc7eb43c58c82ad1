// Actions and functions bound to an entity type (or to a collection of it), declared with their
// parameters and permission: the generic routes answer them on every path that ends at an entity
// of that type (`dataConnectors/{id}/validate`, `inboundFlows/{id}/dataConnector/validate`), by
// name and by qualified name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission, Principal } from '../../auth/index.js';
import type { Row } from '../../db/db.js';
import type { Services } from '../services.js';
import type { EntityCollection, Scope, Values } from './collection.js';
import type { EntityType, Property } from './edm.js';

export interface ActionContext {
  request: FastifyRequest;
  reply: FastifyReply;
  principal: Principal;
  services: Services;
  scope: Scope;
  /** `https://host/beta`. */
  root: string;
  /** The entity the action is bound to (absent when bound to a collection). */
  row?: Row;
  /** The entity that contains it, for an entity of a contained collection. */
  parent?: Row;
  collection: EntityCollection;
}

export interface BoundAction {
  kind: 'action' | 'function';
  namespace: string;
  name: string;
  /** The entity type it is bound to; with `collection`, a collection of that type. */
  binding: EntityType;
  collection?: boolean;
  parameters?: Readonly<Record<string, Property>>;
  /** The return type ($metadata only). */
  returns?: Property;
  permission: Permission;
  /** Answers the call; undefined when a route of the family's own serves it (declared for $metadata). */
  invoke?(ctx: ActionContext, parameters: Values): Promise<unknown>;
}
