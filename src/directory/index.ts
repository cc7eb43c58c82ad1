// The tenant directory the PIM alert scanners read: its model, import, store and demo tenant.
export { BUILT_IN_ROLES, builtInRole, builtInRoleById, type BuiltInRole } from './catalogue.js';
export { DEMO_CAST, type CastMember } from './demo-cast.js';
export {
  DEMO_DEFAULT_USERS,
  DEMO_DOMAIN,
  DEMO_MAX_USERS,
  DEMO_MIN_USERS,
  demoEmployeeId,
  demoLayout,
  demoSnapshotJson,
  fillerKind,
  generateDemoSnapshot,
  seedDemoTenant,
  type DemoLayout,
  type DemoOptions,
  type FillerKind,
} from './demo.js';
export { importDirectory } from './import.js';
export { DirectoryImportError } from './problems.js';
export * from './model.js';
export { hasDirectory, lockDirectory } from './store.js';
