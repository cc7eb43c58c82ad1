// Types of `microsoft.graph` that every family's operations share (spec §1): longRunningOperation,
// its status enum, and the error complex types operations report.
import { OPERATION_STATUSES } from '../../engine/index.js';
import { complexType, ENTITY, entityType, enumType, GRAPH } from './edm.js';

export const LONG_RUNNING_OPERATION_STATUS = enumType(GRAPH, 'longRunningOperationStatus', [...OPERATION_STATUSES, 'unknownFutureValue']);

export const PUBLIC_ERROR_DETAIL = complexType(GRAPH, 'publicErrorDetail', {
  properties: { code: { type: 'Edm.String' }, message: { type: 'Edm.String' }, target: { type: 'Edm.String' } },
});

export const PUBLIC_INNER_ERROR = complexType(GRAPH, 'publicInnerError', {
  properties: {
    code: { type: 'Edm.String' },
    details: { type: PUBLIC_ERROR_DETAIL, collection: true },
    message: { type: 'Edm.String' },
    target: { type: 'Edm.String' },
  },
});

export const PUBLIC_ERROR = complexType(GRAPH, 'publicError', {
  properties: {
    code: { type: 'Edm.String' },
    details: { type: PUBLIC_ERROR_DETAIL, collection: true },
    innerError: { type: PUBLIC_INNER_ERROR },
    message: { type: 'Edm.String' },
    target: { type: 'Edm.String' },
  },
});

export const LONG_RUNNING_OPERATION = entityType(GRAPH, 'longRunningOperation', {
  baseType: ENTITY,
  properties: {
    createdDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    lastActionDateTime: { type: 'Edm.DateTimeOffset', readOnly: true },
    resourceLocation: { type: 'Edm.String', readOnly: true },
    status: { type: LONG_RUNNING_OPERATION_STATUS, readOnly: true },
    statusDetail: { type: 'Edm.String', readOnly: true },
  },
});
