// How a (valid) snapshot in Graph's shapes becomes the directory's rows. The rules, also in
// docs/directory.md:
// - Active assignments are the roleAssignments plus every roleAssignmentScheduleInstance that
//   matches none of them (by roleAssignmentOriginId, else by principal + role + scope).
// - An assignment is via PIM when an instance of it is `Activated`, or a granted request with an
//   assigning action (adminAssign, selfActivate, …) exists for its principal + role + scope. An
//   `Assigned` instance alone proves nothing: Graph lists direct assignments as instances too.
// - Its creation time: its own createdDateTime, else its instance's startDateTime, else the start
//   of the earliest such request; without any of them the snapshot is rejected.
// - Activations are the granted selfActivate requests, plus `Activated` instances no such request
//   accounts for.
// - A role's MFA requirement is its policy's Enablement_EndUser_Assignment rule listing
//   MultiFactorAuthentication; roles without a policy assignment get no policy row.
// - A licence grants PIM when one of its service plans is Entra ID P2 or ID Governance and is
//   provisioned (`Success`); its state is the SKU's capabilityStatus.
// - A group's members and owners are one membership row each, with role 'member' or 'owner'.
import { BUILT_IN_ROLES, builtInRoleById } from './catalogue.js';
import type {
  ActivationRow,
  AdministrativeUnitRow,
  AssignmentRow,
  DirectoryRows,
  DirectorySnapshot,
  EligibilityRow,
  GraphAdministrativeUnit,
  GraphGroup,
  GraphRoleAssignmentScheduleRequest,
  GraphScheduleInfo,
  GraphUser,
  GroupMemberRow,
  GroupRow,
  LicenseRow,
  PolicyRow,
  RoleRow,
  UserRow,
} from './model.js';
import { ACTIVATION_ENABLEMENT_RULE_ID, ENABLEMENT_RULE_TYPE, GRANTED_STATUSES, PIM_ASSIGNING_ACTIONS, PIM_SERVICE_PLANS } from './model.js';
import { durationMs, type Problems } from './problems.js';
import { isDirectoryRolePolicy } from './validate.js';

const subjectKey = (principalId: string, roleId: string, scope = '/') => `${principalId}\n${roleId}\n${scope}`;

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** When a schedule ends: its end date, or its start plus its duration; null when open-ended. */
function scheduleEnd(info: GraphScheduleInfo | null | undefined, start: string | null | undefined): string | null {
  const expiration = info?.expiration;
  if (expiration?.endDateTime) return expiration.endDateTime;
  const ms = expiration?.duration ? durationMs(expiration.duration) : undefined;
  return ms !== undefined && start ? plus(start, ms) : null;
}

const requestStart = (r: GraphRoleAssignmentScheduleRequest) => r.scheduleInfo?.startDateTime ?? r.createdDateTime;

export const userRow = (u: GraphUser): UserRow => ({
  id: u.id,
  displayName: u.displayName,
  userPrincipalName: u.userPrincipalName,
  mail: u.mail ?? null,
  employeeId: u.employeeId ?? null,
  accountEnabled: u.accountEnabled ?? true,
  lastSignInAt: u.signInActivity?.lastSignInDateTime ?? null,
  createdAt: u.createdDateTime ?? null,
});

const groupRow = (g: GraphGroup): GroupRow => ({
  id: g.id,
  displayName: g.displayName,
  description: g.description ?? null,
  mailNickname: g.mailNickname,
  securityEnabled: g.securityEnabled,
  mailEnabled: g.mailEnabled,
  groupTypes: g.groupTypes ?? [],
  createdAt: g.createdDateTime ?? null,
});

const groupMembers = (g: GraphGroup): GroupMemberRow[] => [
  ...(g.members ?? []).map((memberId) => ({ groupId: g.id, memberId, role: 'member' as const })),
  ...(g.owners ?? []).map((memberId) => ({ groupId: g.id, memberId, role: 'owner' as const })),
];

const unitRow = (u: GraphAdministrativeUnit): AdministrativeUnitRow => ({ id: u.id, displayName: u.displayName, description: u.description ?? null });

export function toRows(s: DirectorySnapshot, problems: Problems): DirectoryRows {
  const groups = s.groups ?? [];
  const units = s.administrativeUnits ?? [];
  return {
    users: s.users.map(userRow),
    groups: groups.map(groupRow),
    groupMembers: groups.flatMap(groupMembers),
    administrativeUnits: units.map(unitRow),
    administrativeUnitMembers: units.flatMap((u) => (u.members ?? []).map((memberId) => ({ unitId: u.id, memberId }))),
    roles: roleRows(s),
    assignments: assignmentRows(s, problems),
    eligibilities: (s.roleEligibilitySchedules ?? []).map(
      (e): EligibilityRow => ({
        id: e.id,
        principalId: e.principalId,
        roleId: e.roleDefinitionId,
        directoryScopeId: e.directoryScopeId ?? '/',
        createdAt: (e.createdDateTime ?? e.scheduleInfo?.startDateTime)!,
        startAt: e.scheduleInfo?.startDateTime ?? null,
        endAt: scheduleEnd(e.scheduleInfo, e.scheduleInfo?.startDateTime),
      }),
    ),
    activations: activationRows(s),
    policies: policyRows(s),
    licenses: (s.subscribedSkus ?? []).map(
      (k): LicenseRow => ({
        skuId: k.skuId,
        skuPartNumber: k.skuPartNumber,
        capabilityStatus: k.capabilityStatus,
        grantsPim: k.servicePlans.some((p) => PIM_SERVICE_PLANS.has(p.servicePlanId.toLowerCase()) && p.provisioningStatus === 'Success'),
      }),
    ),
  };
}

/** The built-in catalogue, with the snapshot's role definitions added or overriding by id. */
function roleRows(s: DirectorySnapshot): RoleRow[] {
  const roles = new Map<string, RoleRow>(
    BUILT_IN_ROLES.map((r) => [r.templateId, { id: r.templateId, templateId: r.templateId, displayName: r.displayName, isBuiltIn: true, isPrivileged: r.isPrivileged }]),
  );
  for (const d of s.roleDefinitions ?? []) {
    const templateId = d.templateId ?? d.id;
    const builtIn = roles.get(d.id) ?? builtInRoleById(templateId);
    roles.set(d.id, {
      id: d.id,
      templateId,
      displayName: d.displayName,
      isBuiltIn: d.isBuiltIn ?? roles.get(d.id)?.isBuiltIn ?? false,
      isPrivileged: d.isPrivileged ?? builtIn?.isPrivileged ?? false,
    });
  }
  return [...roles.values()];
}

type Draft = Omit<AssignmentRow, 'createdAt'> & { createdAt: string | null; path: string };

function assignmentRows(s: DirectorySnapshot, problems: Problems): AssignmentRow[] {
  const byId = new Map<string, Draft>();
  const bySubject = new Map<string, Draft>();
  const add = (draft: Draft) => {
    const other = byId.get(draft.id);
    if (other) return problems.add(draft.path, `assignment id '${draft.id}' is already used by ${other.path}`);
    byId.set(draft.id, draft);
    bySubject.set(subjectKey(draft.principalId, draft.roleId, draft.directoryScopeId), draft);
  };
  (s.roleAssignments ?? []).forEach((a, i) =>
    add({
      id: a.id,
      principalId: a.principalId,
      roleId: a.roleDefinitionId,
      directoryScopeId: a.directoryScopeId ?? '/',
      createdAt: a.createdDateTime ?? null,
      viaPim: false,
      activated: false,
      endAt: null,
      path: `roleAssignments[${i}]`,
    }),
  );
  (s.roleAssignmentScheduleInstances ?? []).forEach((inst, i) => {
    const scope = inst.directoryScopeId ?? '/';
    let draft = (inst.roleAssignmentOriginId ? byId.get(inst.roleAssignmentOriginId) : undefined) ?? bySubject.get(subjectKey(inst.principalId, inst.roleDefinitionId, scope));
    if (!draft) {
      draft = { id: inst.roleAssignmentOriginId ?? inst.id, principalId: inst.principalId, roleId: inst.roleDefinitionId, directoryScopeId: scope, createdAt: null, viaPim: false, activated: false, endAt: null, path: `roleAssignmentScheduleInstances[${i}]` };
      add(draft);
    }
    draft.createdAt ??= inst.startDateTime ?? null;
    draft.endAt = inst.endDateTime ?? draft.endAt;
    if (inst.assignmentType === 'Activated') draft.activated = draft.viaPim = true;
  });

  // The earliest start of a granted PIM request per subject.
  const pim = new Map<string, string>();
  for (const r of s.roleAssignmentScheduleRequests ?? []) {
    if (!PIM_ASSIGNING_ACTIONS.has(r.action) || !GRANTED_STATUSES.has(r.status)) continue;
    const key = subjectKey(r.principalId, r.roleDefinitionId, r.directoryScopeId);
    const start = requestStart(r);
    const earliest = pim.get(key);
    if (earliest === undefined || Date.parse(start) < Date.parse(earliest)) pim.set(key, start);
  }

  const rows: AssignmentRow[] = [];
  for (const { path, ...draft } of byId.values()) {
    const pimStart = pim.get(subjectKey(draft.principalId, draft.roleId, draft.directoryScopeId));
    if (pimStart !== undefined) draft.viaPim = true;
    const createdAt = draft.createdAt ?? pimStart;
    if (createdAt) rows.push({ ...draft, createdAt });
    else problems.add(path, 'no creation time: give createdDateTime, or a roleAssignmentScheduleInstance with startDateTime, or the request that made it');
  }
  return rows;
}

function activationRows(s: DirectorySnapshot): ActivationRow[] {
  const rows: ActivationRow[] = (s.roleAssignmentScheduleRequests ?? [])
    .filter((r) => r.action === 'selfActivate' && GRANTED_STATUSES.has(r.status))
    .map((r) => ({ id: r.id, principalId: r.principalId, roleId: r.roleDefinitionId, activatedAt: requestStart(r), endAt: scheduleEnd(r.scheduleInfo, requestStart(r)) }));
  const ids = new Set(rows.map((r) => r.id));
  const seen = new Set(rows.map((r) => `${r.principalId}\n${r.roleId}\n${Date.parse(r.activatedAt)}`));
  for (const inst of s.roleAssignmentScheduleInstances ?? []) {
    if (inst.assignmentType !== 'Activated' || !inst.startDateTime || ids.has(inst.id)) continue;
    if (seen.has(`${inst.principalId}\n${inst.roleDefinitionId}\n${Date.parse(inst.startDateTime)}`)) continue;
    rows.push({ id: inst.id, principalId: inst.principalId, roleId: inst.roleDefinitionId, activatedAt: inst.startDateTime, endAt: inst.endDateTime ?? null });
  }
  return rows;
}

function policyRows(s: DirectorySnapshot): PolicyRow[] {
  const policies = new Map((s.roleManagementPolicies ?? []).map((p) => [p.id, p]));
  return (s.roleManagementPolicyAssignments ?? []).filter(isDirectoryRolePolicy).map((a) => {
    const rule = policies.get(a.policyId)?.rules.find((r) => r.id === ACTIVATION_ENABLEMENT_RULE_ID && r['@odata.type'] === ENABLEMENT_RULE_TYPE);
    return { roleId: a.roleDefinitionId, mfaRequiredOnActivation: rule?.enabledRules?.includes('MultiFactorAuthentication') ?? false };
  });
}
