// Directory role template ids (spec §6, verified against the Entra built-in roles reference) as
// they appear in the `wids` claim, and the role sets the APIs here require of delegated callers.

export const DirectoryRoles = Object.freeze({
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  securityReader: '5d6b6bb7-de71-4623-b4af-96380a352509',
  globalReader: 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  authenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  privilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  passwordAdministrator: '966707d0-3269-4727-9be2-8c3a10f19b9d',
  /** The default member role ("User") every ordinary member carries in `wids`. */
  defaultMember: 'b79fbf4d-3ef9-4689-8143-76b194e85509',
});

export type DirectoryRoleName = keyof typeof DirectoryRoles;

const R = DirectoryRoles;

/** Who may read PIM alerts for directory roles. */
export const PIM_ALERTS_READ_ROLES: readonly string[] = Object.freeze([
  R.globalAdministrator,
  R.privilegedRoleAdministrator,
  R.globalReader,
  R.securityAdministrator,
  R.securityReader,
]);

/** Who may change PIM alerts (PATCH, refresh, remediate, PATCH configuration). */
export const PIM_ALERTS_WRITE_ROLES: readonly string[] = Object.freeze([R.globalAdministrator, R.privilegedRoleAdministrator]);

/** Who may read another user's password-reset operation. */
export const AUTHENTICATION_OPERATIONS_READ_OTHERS_ROLES: readonly string[] = Object.freeze([
  R.globalAdministrator,
  R.globalReader,
  R.authenticationAdministrator,
  R.privilegedAuthenticationAdministrator,
]);
