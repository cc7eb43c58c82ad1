// One scanner per alert type; each file's header states its rule.
import type { AlertName } from '../model.js';
import { invalidLicense } from './invalidLicense.js';
import { noMfaOnRoleActivation } from './noMfaOnRoleActivation.js';
import { redundantAssignment } from './redundantAssignment.js';
import { rolesAssignedOutsidePim } from './rolesAssignedOutsidePim.js';
import type { Scanner } from './scanner.js';
import { sequentialActivationRenewals } from './sequentialActivationRenewals.js';
import { staleSignIn } from './staleSignIn.js';
import { tooManyGlobalAdmins } from './tooManyGlobalAdmins.js';

export type { ScanInput, Scanner } from './scanner.js';
export { scanInput } from './scanner.js';

export const SCANNERS: Readonly<Record<AlertName, Scanner>> = {
  InvalidLicenseAlert: invalidLicense,
  NoMfaOnRoleActivationAlert: noMfaOnRoleActivation,
  RedundantAssignmentAlert: redundantAssignment,
  RolesAssignedOutsidePimAlert: rolesAssignedOutsidePim,
  SequentialActivationRenewalsAlert: sequentialActivationRenewals,
  StaleSignInAlert: staleSignIn,
  TooManyGlobalAdminsAssignedToTenantAlert: tooManyGlobalAdmins,
};
