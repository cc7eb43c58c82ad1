// The connector's action and function (spec §4.2): validate, answered on every path that ends at
// a connector (`dataConnectors/{id}`, `inboundFlows/{id}/dataConnector`), and getUploadSession,
// declared here and served by routes.ts in the URL forms clients use.
import { notFound } from '../../errors.js';
import type { BoundAction } from '../../graph/model/action.js';
import { acceptedOperation } from '../../graph/operations.js';
import { OPERATIONS_PATH } from './model.js';
import { connectorsUpload } from './permissions.js';
import { azureDataLakeConnectorType, connectorType, fileUploadSessionType, NS } from './schema.js';
import { startValidation } from './uploadSession.js';

export const actions: readonly BoundAction[] = [
  {
    kind: 'action',
    namespace: NS,
    name: 'validate',
    binding: connectorType,
    permission: connectorsUpload,
    async invoke({ services, scope, root, row, reply }) {
      const id = String(row!.id);
      const operation = await startValidation(services, scope, root, id);
      // Deleted between the read of its row and the validation's transaction.
      if (!operation) throw notFound(`No data connector with id '${id}' was found.`);
      return acceptedOperation(reply, root, OPERATIONS_PATH, operation);
    },
  },
  {
    kind: 'function',
    namespace: NS,
    name: 'getUploadSession',
    binding: azureDataLakeConnectorType,
    parameters: { resetSession: { type: 'Edm.Boolean' } },
    returns: { type: fileUploadSessionType },
    permission: connectorsUpload,
  },
];
