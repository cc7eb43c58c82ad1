// Resource specs shaped like the service's routes, shared by the OData tests.
import assert from 'node:assert/strict';
import { GraphError } from '../../../src/errors.js';
import type { ResourceSpec } from '../../../src/graph/odata/resource.js';

export const STATUSES = ['notStarted', 'running', 'succeeded', 'failed', 'unknownFutureValue'] as const;

export const operationSpec: ResourceSpec = {
  typeName: 'microsoft.graph.longRunningOperation',
  key: 'id',
  properties: {
    id: { column: 'id', type: 'string', nullable: false },
    createdDateTime: { column: 'created_at', type: 'datetime', nullable: false },
    lastActionDateTime: { column: 'last_action_at', type: 'datetime' },
    resourceLocation: { column: 'resource_location', type: 'string' },
    status: { column: 'status', type: 'enum', values: STATUSES, enumType: 'microsoft.graph.longRunningOperationStatus', nullable: false },
    statusDetail: { column: 'status_detail', type: 'string' },
    isActive: { column: 'active', type: 'boolean' },
    incidentCount: { column: 'n', type: 'int' },
    displayName: { column: 'name', type: 'string' },
    scopeId: { column: 'scope_id', type: 'string', caseSensitive: true },
    secret: { column: 'secret', type: 'string', filterable: false, sortable: false },
  },
};

const incidentSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlertIncident',
  key: 'id',
  properties: {
    id: { column: 'id', type: 'string', nullable: false },
    assigneeDisplayName: { column: 'assignee_display_name', type: 'string' },
    createdDateTime: { column: 'created_at', type: 'datetime', nullable: false },
  },
};

const configurationSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlertConfiguration',
  key: 'id',
  properties: { id: { column: 'id', type: 'string', nullable: false }, isEnabled: { column: 'is_enabled', type: 'boolean', nullable: false } },
};

const definitionSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlertDefinition',
  key: 'id',
  properties: { id: { column: 'id', type: 'string', nullable: false }, displayName: { column: 'display_name', type: 'string' } },
};

export const alertSpec: ResourceSpec = {
  typeName: 'microsoft.graph.unifiedRoleManagementAlert',
  key: 'id',
  properties: {
    id: { column: 'a.id', type: 'string', nullable: false },
    scopeId: { column: 'a.scope_id', type: 'string', caseSensitive: true },
    isActive: { column: 'a.is_active', type: 'boolean', nullable: false },
    incidentCount: { column: 'a.incident_count', type: 'int', nullable: false },
    'alertConfiguration/isEnabled': { column: 'c.is_enabled', type: 'boolean', nullable: false },
  },
  expandable: {
    alertDefinition: { target: definitionSpec, collection: false },
    alertConfiguration: { target: configurationSpec, collection: false },
    alertIncidents: { target: incidentSpec, collection: true },
  },
};

/** Asserts `fn` throws a Graph 400 BadRequest whose message contains `text` (or matches it). */
export function assertBadRequest(fn: () => unknown, text: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GraphError, `expected a GraphError, got ${String(err)}`);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'BadRequest');
    if (typeof text === 'string') assert.ok(err.message.includes(text), `message "${err.message}" does not contain "${text}"`);
    else assert.match(err.message, text);
    return true;
  });
}
