// Checks a snapshot (parsed JSON of unknown shape) and reports every problem with its path:
// types, required properties, enum values, dates, lengths, duplicate ids, and references to
// users, roles and policies that are not in the snapshot. The snapshot it returns is only
// meaningful when no problem was reported.
import { BUILT_IN_ROLES } from './catalogue.js';
import type {
  DirectorySnapshot,
  GraphAdministrativeUnit,
  GraphGroup,
  GraphPolicyRule,
  GraphRoleAssignment,
  GraphRoleAssignmentScheduleInstance,
  GraphRoleAssignmentScheduleRequest,
  GraphRoleDefinition,
  GraphRoleEligibilitySchedule,
  GraphRoleManagementPolicy,
  GraphRoleManagementPolicyAssignment,
  GraphScheduleInfo,
  GraphServicePlan,
  GraphSubscribedSku,
  GraphUser,
  GroupType,
} from './model.js';
import { CAPABILITY_STATUSES, GROUP_TYPES, REQUEST_ACTIONS, REQUEST_STATUSES, SNAPSHOT_COLLECTIONS } from './model.js';
import { Fields, Problems, isObject } from './problems.js';

/** Policy assignments for directory roles tenant-wide; others (groups, scoped) are not read. */
export const isDirectoryRolePolicy = (a: GraphRoleManagementPolicyAssignment): boolean =>
  (a.scopeId ?? '/') === '/' && (a.scopeType ?? 'DirectoryRole') === 'DirectoryRole';

type Parse<T> = (f: Fields) => T;

/**
 * A collection as an array, or as a Graph collection response `{ "value": [...] }`. Items stay at
 * their index (undefined where not an object) so later checks report the right paths; an item
 * with problems keeps what could be read of it.
 */
function collection<T>(problems: Problems, root: Record<string, unknown>, name: string, parse: Parse<T>, required = false): (T | undefined)[] {
  let value = root[name];
  if (value === undefined) {
    if (required) problems.add(name, 'required (an array)');
    return [];
  }
  if (isObject(value) && Array.isArray(value.value)) value = value.value;
  if (!Array.isArray(value)) {
    problems.add(name, 'expected an array (or a Graph collection response with "value")');
    return [];
  }
  return value.map((item, i) => {
    const path = `${name}[${i}]`;
    if (isObject(item)) return parse(new Fields(problems, path, item));
    problems.add(path, 'expected an object');
    return undefined;
  });
}

const scheduleInfo = (f: Fields): GraphScheduleInfo | null => {
  const info = f.object('scheduleInfo');
  if (!info) return null;
  const expiration = info.object('expiration');
  return {
    startDateTime: info.dateTime('startDateTime'),
    expiration: expiration
      ? {
          type: expiration.oneOf('type', ['notSpecified', 'noExpiration', 'afterDateTime', 'afterDuration'], false),
          endDateTime: expiration.dateTime('endDateTime'),
          duration: expiration.duration('duration'),
        }
      : null,
  };
};

// Graph's limits: an address is at most 254 characters (RFC 5321), an employeeId 16.
const MAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// A mail nickname is ASCII without @ ( ) \ [ ] " ; : < > , and spaces, at most 64 characters.
const MAIL_NICKNAME = /^[\x21-\x7e]{1,64}$/;
const NOT_IN_NICKNAME = /[@()\\[\]";:<>,]/;

const mail = (f: Fields): string | null => {
  const value = f.string('mail', false, 254);
  if (value === undefined) return null;
  if (MAIL.test(value)) return value;
  f.problem('mail', `'${value}' is not an email address (expected name@domain)`);
  return null;
};

const user: Parse<GraphUser> = (f) => ({
  id: f.string('id', true),
  displayName: f.string('displayName', true),
  userPrincipalName: f.string('userPrincipalName', true),
  mail: mail(f),
  employeeId: f.string('employeeId', false, 16) ?? null,
  accountEnabled: f.boolean('accountEnabled') ?? true,
  createdDateTime: f.dateTime('createdDateTime'),
  signInActivity: { lastSignInDateTime: f.object('signInActivity')?.dateTime('lastSignInDateTime') ?? null },
});

const mailNickname = (f: Fields): string => {
  const value = f.string('mailNickname', true);
  if (value !== undefined && (!MAIL_NICKNAME.test(value) || NOT_IN_NICKNAME.test(value))) {
    f.problem('mailNickname', `'${value}' is not a mail nickname (at most 64 ASCII characters, none of @ ( ) \\ [ ] " ; : < > , or spaces)`);
  }
  return value;
};

/** User ids, each as a string or as a directory object with an id (as Graph lists members). */
const userIds = (f: Fields, name: string): string[] =>
  (f.array(name) ?? []).flatMap((item, i) => {
    const id = isObject(item) ? item.id : item;
    if (typeof id === 'string' && id !== '') return [id];
    return f.problem(`${name}[${i}]`, 'expected a user id (a string, or an object with "id")') ?? [];
  });

const group: Parse<GraphGroup> = (f) => ({
  id: f.string('id', true),
  displayName: f.string('displayName', true),
  description: f.string('description') ?? null,
  mailNickname: mailNickname(f),
  securityEnabled: f.boolean('securityEnabled', true),
  mailEnabled: f.boolean('mailEnabled', true),
  groupTypes: (f.array('groupTypes') ?? []).flatMap((t, i) =>
    (GROUP_TYPES as readonly unknown[]).includes(t) ? [t as GroupType] : f.problem(`groupTypes[${i}]`, `${JSON.stringify(t)} is not one of ${GROUP_TYPES.join(', ')}`) ?? [],
  ),
  createdDateTime: f.dateTime('createdDateTime'),
  members: userIds(f, 'members'),
  owners: userIds(f, 'owners'),
});

const administrativeUnit: Parse<GraphAdministrativeUnit> = (f) => ({
  id: f.string('id', true),
  displayName: f.string('displayName', true),
  description: f.string('description') ?? null,
  members: userIds(f, 'members'),
});

const roleDefinition: Parse<GraphRoleDefinition> = (f) => ({
  id: f.string('id', true),
  displayName: f.string('displayName', true),
  templateId: f.string('templateId') ?? null,
  isBuiltIn: f.boolean('isBuiltIn'),
  isPrivileged: f.boolean('isPrivileged'),
});

const roleAssignment: Parse<GraphRoleAssignment> = (f) => ({
  id: f.string('id', true),
  principalId: f.string('principalId', true),
  roleDefinitionId: f.string('roleDefinitionId', true),
  directoryScopeId: f.string('directoryScopeId') ?? '/',
  createdDateTime: f.dateTime('createdDateTime'),
});

const scheduleInstance: Parse<GraphRoleAssignmentScheduleInstance> = (f) => ({
  id: f.string('id', true),
  principalId: f.string('principalId', true),
  roleDefinitionId: f.string('roleDefinitionId', true),
  directoryScopeId: f.string('directoryScopeId') ?? '/',
  assignmentType: f.oneOf('assignmentType', ['Assigned', 'Activated'], true)!,
  memberType: f.oneOf('memberType', ['Direct', 'Group', 'Inherited'], false),
  startDateTime: f.dateTime('startDateTime'),
  endDateTime: f.dateTime('endDateTime'),
  roleAssignmentOriginId: f.string('roleAssignmentOriginId') ?? null,
});

const scheduleRequest: Parse<GraphRoleAssignmentScheduleRequest> = (f) => ({
  id: f.string('id', true),
  action: f.oneOf('action', REQUEST_ACTIONS, true)!,
  status: f.oneOf('status', REQUEST_STATUSES, true)!,
  principalId: f.string('principalId', true),
  roleDefinitionId: f.string('roleDefinitionId', true),
  directoryScopeId: f.string('directoryScopeId') ?? '/',
  createdDateTime: f.dateTime('createdDateTime', true),
  scheduleInfo: scheduleInfo(f),
});

const eligibilitySchedule: Parse<GraphRoleEligibilitySchedule> = (f) => {
  const parsed = {
    id: f.string('id', true),
    principalId: f.string('principalId', true),
    roleDefinitionId: f.string('roleDefinitionId', true),
    directoryScopeId: f.string('directoryScopeId') ?? '/',
    createdDateTime: f.dateTime('createdDateTime'),
    memberType: f.oneOf('memberType', ['Direct', 'Group', 'Inherited'], false),
    scheduleInfo: scheduleInfo(f),
  };
  if (f.ok && !parsed.createdDateTime && !parsed.scheduleInfo?.startDateTime) {
    f.string('createdDateTime', true); // reports it as required: the row needs a creation time
  }
  return parsed;
};

const policyRule = (problems: Problems, path: string, value: unknown): GraphPolicyRule | undefined => {
  if (!isObject(value)) return void problems.add(path, 'expected an object');
  const f = new Fields(problems, path, value);
  const rule = { ...value, '@odata.type': f.string('@odata.type', true), id: f.string('id', true) };
  const enabledRules = f.array('enabledRules');
  enabledRules?.forEach((r, i) => typeof r !== 'string' && problems.add(`${path}.enabledRules[${i}]`, 'expected a string'));
  return f.ok ? (rule as GraphPolicyRule) : undefined;
};

const policy =
  (problems: Problems): Parse<GraphRoleManagementPolicy> =>
  (f) => ({
    id: f.string('id', true),
    displayName: f.string('displayName'),
    scopeId: f.string('scopeId'),
    scopeType: f.string('scopeType'),
    rules: (f.array('rules', true) ?? []).flatMap((r, i) => policyRule(problems, `${f.path}.rules[${i}]`, r) ?? []),
  });

const policyAssignment: Parse<GraphRoleManagementPolicyAssignment> = (f) => ({
  id: f.string('id', true),
  policyId: f.string('policyId', true),
  roleDefinitionId: f.string('roleDefinitionId', true),
  scopeId: f.string('scopeId'),
  scopeType: f.string('scopeType'),
});

const servicePlan = (problems: Problems, path: string, value: unknown): GraphServicePlan | undefined => {
  if (!isObject(value)) return void problems.add(path, 'expected an object');
  const f = new Fields(problems, path, value);
  const plan = { servicePlanId: f.string('servicePlanId', true), servicePlanName: f.string('servicePlanName', true), provisioningStatus: f.string('provisioningStatus', true) };
  return f.ok ? plan : undefined;
};

const subscribedSku =
  (problems: Problems): Parse<GraphSubscribedSku> =>
  (f) => ({
    skuId: f.string('skuId', true),
    skuPartNumber: f.string('skuPartNumber', true),
    capabilityStatus: f.oneOf('capabilityStatus', CAPABILITY_STATUSES, true)!,
    servicePlans: (f.array('servicePlans', true) ?? []).flatMap((p, i) => servicePlan(problems, `${f.path}.servicePlans[${i}]`, p) ?? []),
  });

type Items<T> = readonly (T | undefined)[];

/** Up to 10 ids, quoted, and how many more there are. */
function quoted(ids: Set<string>): string {
  const shown = [...ids].slice(0, 10).map((id) => `'${id}'`).join(', ');
  return ids.size > 10 ? `${shown} and ${ids.size - 10} more` : shown;
}

/** Reports the second and later items of `name` that repeat an earlier item's key. */
function unique<T>(problems: Problems, name: string, items: Items<T>, key: (item: T) => string | undefined, what = 'id'): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = item && key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else problems.add(`${name}[${i}].${what}`, `duplicate ${what} '${k}' (first at ${name}[${first}])`);
  });
}

/** Parses and checks `input`; `problems` says whether the result can be used. */
export function validateSnapshot(input: unknown, problems: Problems): DirectorySnapshot {
  if (!isObject(input)) {
    problems.add('(snapshot)', 'expected a JSON object with "users" and the other collections');
    return { users: [] };
  }
  for (const key of Object.keys(input)) {
    if (!key.startsWith('@') && !(SNAPSHOT_COLLECTIONS as readonly string[]).includes(key)) {
      problems.add(key, `unknown collection (expected ${SNAPSHOT_COLLECTIONS.join(', ')})`);
    }
  }
  const snapshot: Collections = {
    users: collection(problems, input, 'users', user, true),
    groups: collection(problems, input, 'groups', group),
    administrativeUnits: collection(problems, input, 'administrativeUnits', administrativeUnit),
    roleDefinitions: collection(problems, input, 'roleDefinitions', roleDefinition),
    roleAssignments: collection(problems, input, 'roleAssignments', roleAssignment),
    roleAssignmentScheduleInstances: collection(problems, input, 'roleAssignmentScheduleInstances', scheduleInstance),
    roleAssignmentScheduleRequests: collection(problems, input, 'roleAssignmentScheduleRequests', scheduleRequest),
    roleEligibilitySchedules: collection(problems, input, 'roleEligibilitySchedules', eligibilitySchedule),
    roleManagementPolicies: collection(problems, input, 'roleManagementPolicies', policy(problems)),
    roleManagementPolicyAssignments: collection(problems, input, 'roleManagementPolicyAssignments', policyAssignment),
    subscribedSkus: collection(problems, input, 'subscribedSkus', subscribedSku(problems)),
  };
  checkReferences(problems, snapshot);
  const present = (items: Items<unknown>) => items.filter((item) => item !== undefined);
  return Object.fromEntries(Object.entries(snapshot).map(([name, items]) => [name, present(items)])) as unknown as DirectorySnapshot;
}

type Collections = { [K in keyof DirectorySnapshot]-?: Items<NonNullable<DirectorySnapshot[K]>[number]> };

function checkReferences(problems: Problems, s: Collections): void {
  unique(problems, 'users', s.users, (u) => u.id);
  unique(problems, 'users', s.users, (u) => u.userPrincipalName?.toLowerCase(), 'userPrincipalName');
  unique(problems, 'groups', s.groups, (g) => g.id);
  unique(problems, 'administrativeUnits', s.administrativeUnits, (u) => u.id);
  unique(problems, 'roleDefinitions', s.roleDefinitions, (r) => r.id);
  unique(problems, 'roleAssignments', s.roleAssignments, (a) => a.id);
  unique(problems, 'roleAssignmentScheduleInstances', s.roleAssignmentScheduleInstances, (a) => a.id);
  unique(problems, 'roleAssignmentScheduleRequests', s.roleAssignmentScheduleRequests, (a) => a.id);
  unique(problems, 'roleEligibilitySchedules', s.roleEligibilitySchedules, (a) => a.id);
  unique(problems, 'roleManagementPolicies', s.roleManagementPolicies, (p) => p.id);
  unique(problems, 'roleManagementPolicyAssignments', s.roleManagementPolicyAssignments, (p) => p.id);
  unique(problems, 'roleManagementPolicyAssignments', s.roleManagementPolicyAssignments, (p) => (isDirectoryRolePolicy(p) ? p.roleDefinitionId : undefined), 'roleDefinitionId');
  unique(problems, 'subscribedSkus', s.subscribedSkus, (k) => k.skuId, 'skuId');

  const users = new Set(s.users.map((u) => u?.id));
  const roles = new Set([...BUILT_IN_ROLES.map((r) => r.templateId), ...s.roleDefinitions.map((r) => r?.id)]);
  const policies = new Set(s.roleManagementPolicies.map((p) => p?.id));
  // An id that could not be read was reported already; only ids that were read are looked up.
  const check = (path: string, id: string | undefined, known: Set<string | undefined>, message: string) => {
    if (typeof id === 'string' && !known.has(id)) problems.add(path, message);
  };
  const refs = (name: string, items: Items<{ principalId: string; roleDefinitionId: string }>) =>
    items.forEach((item, i) => {
      if (!item) return;
      check(`${name}[${i}].principalId`, item.principalId, users, `unknown principal '${item.principalId}' (not in users)`);
      check(`${name}[${i}].roleDefinitionId`, item.roleDefinitionId, roles, `unknown role '${item.roleDefinitionId}'`);
    });
  // Members and owners: users of the snapshot, each once per list.
  const members = (name: string, items: Items<{ members?: string[]; owners?: string[] }>) =>
    items.forEach((item, i) => {
      for (const list of ['members', 'owners'] as const) {
        const seen = new Set<string>();
        const unknown = new Set<string>();
        const repeated = new Set<string>();
        for (const id of item?.[list] ?? []) {
          if (seen.has(id)) repeated.add(id);
          else if (!users.has(id)) unknown.add(id);
          seen.add(id);
        }
        if (unknown.size > 0) problems.add(`${name}[${i}].${list}`, `unknown user${unknown.size > 1 ? 's' : ''} ${quoted(unknown)} (not in users)`);
        if (repeated.size > 0) problems.add(`${name}[${i}].${list}`, `listed more than once: ${quoted(repeated)}`);
      }
    });
  members('groups', s.groups);
  members('administrativeUnits', s.administrativeUnits);
  refs('roleAssignments', s.roleAssignments);
  refs('roleAssignmentScheduleInstances', s.roleAssignmentScheduleInstances);
  refs('roleAssignmentScheduleRequests', s.roleAssignmentScheduleRequests);
  refs('roleEligibilitySchedules', s.roleEligibilitySchedules);
  s.roleManagementPolicyAssignments.forEach((a, i) => {
    if (!a) return;
    check(`roleManagementPolicyAssignments[${i}].policyId`, a.policyId, policies, `unknown policy '${a.policyId}'`);
    check(`roleManagementPolicyAssignments[${i}].roleDefinitionId`, a.roleDefinitionId, roles, `unknown role '${a.roleDefinitionId}'`);
  });
}
