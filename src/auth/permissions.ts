// The permission of graph-lro's own admin endpoint. Each family declares the permissions of its
// Graph APIs (families/*/permissions.ts); names are Graph's, as they appear in `scp` and `roles`.
import type { Permission } from './principal.js';
import { DirectoryRoles } from './roles.js';

/**
 * Replacing a tenant's directory snapshot (graph-lro's admin endpoint, not a Graph API): Graph's
 * permission for writing the directory, and for delegated callers a Global or Privileged Role
 * Administrator.
 */
export const directoryImport: Permission = Object.freeze({
  delegated: Object.freeze(['Directory.ReadWrite.All']),
  application: Object.freeze(['Directory.ReadWrite.All']),
  directoryRoles: Object.freeze([DirectoryRoles.globalAdministrator, DirectoryRoles.privilegedRoleAdministrator]),
});
