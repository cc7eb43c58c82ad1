// The demo tenant: a deterministic directory of any size from 20 to 1,000,000 users on which
// every one of the seven PIM alerts has incidents, and every boundary has a subject just inside
// and one just outside (docs/directory.md, "The demo tenant"). Users come in ranges, so a big
// tenant is generated and stored chunk by chunk and never held in memory as a whole.
import { isGuid } from '../auth/guid.js';
import type { Db } from '../db/db.js';
import { BUILT_IN_ROLES, type BuiltInRole, builtInRole } from './catalogue.js';
import { DAY, DemoBuilder, type DirectoryObjects, HOUR, MINUTE } from './demo-builder.js';
import { DEMO_CAST, NO_MFA_PRIVILEGED_ROLE, NO_MFA_UNPRIVILEGED_ROLE } from './demo-cast.js';
import { toRows, userRow } from './mapping.js';
import type { DirectorySnapshot, GraphUser, ImportSummary } from './model.js';
import { ACTIVATION_ENABLEMENT_RULE_ID, ENABLEMENT_RULE_TYPE } from './model.js';
import { Problems } from './problems.js';
import { DIRECTORY_KINDS, replaceDirectory } from './store.js';

export const DEMO_DOMAIN = 'graph-lro-demo.example';
export const DEMO_MIN_USERS = 20;
export const DEMO_MAX_USERS = 1_000_000;
/** What `serve` seeds on a first start. */
export const DEMO_DEFAULT_USERS = 1_000;
const USER_CHUNK = 10_000;

export interface DemoOptions {
  tenantId: string;
  users: number;
  /** Another seed, other names, ids and dates; the same seed, the same tenant. Default 1. */
  seed?: number;
  /** The moment every date is relative to. Default: now, so the demo looks fresh. */
  now?: Date | string | number;
}

/** Which users hold what: the cast first, then privileged fillers, then unprivileged ones. */
export interface DemoLayout {
  users: number;
  cast: number;
  /** Users [cast, cast + privilegedFillers) hold one privileged role each. */
  privilegedFillers: number;
  /** The next ones hold one non-privileged role each; the rest hold none. */
  unprivilegedFillers: number;
}

export function demoLayout(users: number): DemoLayout {
  if (!Number.isInteger(users) || users < DEMO_MIN_USERS || users > DEMO_MAX_USERS) {
    throw new RangeError(`a demo tenant has from ${DEMO_MIN_USERS} to ${DEMO_MAX_USERS.toLocaleString('en')} users, not ${users}`);
  }
  const cast = DEMO_CAST.length;
  const privilegedHolders = DEMO_CAST.filter((m) => m.privileged).length;
  return {
    users,
    cast,
    privilegedFillers: Math.max(0, Math.round(users * 0.02) - privilegedHolders),
    unprivilegedFillers: Math.round(users * 0.01),
  };
}

interface Plan extends DemoLayout {
  b: DemoBuilder;
}

function plan(options: DemoOptions): Plan {
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  if (Number.isNaN(now)) throw new RangeError(`'${String(options.now)}' is not a date`);
  if (!isGuid(options.tenantId)) throw new RangeError(`'${options.tenantId}' is not a tenant id (a GUID)`);
  return { ...demoLayout(options.users), b: new DemoBuilder(options.tenantId.toLowerCase(), options.seed ?? 1, now) };
}

const GA = builtInRole('Global Administrator');
// The "do not use" partner roles are left out of the mix.
const PRIVILEGED = BUILT_IN_ROLES.filter((r) => r.isPrivileged && r !== GA && !r.displayName.startsWith('Partner Tier'));
const UNPRIVILEGED = ['Reports Reader', 'Directory Readers', 'Message Center Reader', 'Teams Administrator', 'Exchange Administrator',
  'SharePoint Administrator', 'Guest Inviter', 'License Administrator', 'Billing Administrator', 'Groups Administrator'].map(builtInRole);

/**
 * What privileged filler j is, by j mod 40: one in eight a Global Administrator; one in forty
 * each of the five incident kinds (far from the boundaries); the rest quiet.
 */
export type FillerKind = 'globalAdmin' | 'outsidePim' | 'stale' | 'redundant' | 'sequential' | 'neverActivated' | 'active' | 'eligible';

export function fillerKind(j: number): FillerKind {
  const k = j % 40;
  if (k % 8 === 0) return 'globalAdmin';
  const incident = ({ 4: 'outsidePim', 12: 'stale', 20: 'redundant', 28: 'sequential', 36: 'neverActivated' } as const)[k];
  return incident ?? (k % 2 === 1 ? 'active' : 'eligible');
}

const FIRST = ['Amara', 'Bruno', 'Carmen', 'Dmitri', 'Esther', 'Felix', 'Gita', 'Hamza', 'Ines', 'Jamal', 'Keiko', 'Luca', 'Mei', 'Nadia', 'Omar', 'Priya',
  'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Anton', 'Bea', 'Cyrus', 'Dalia', 'Emil', 'Freya'];
const LAST = ['Abara', 'Bianchi', 'Costa', 'Dubois', 'Eriksen', 'Fernandes', 'Garcia', 'Horvat', 'Ivanova', 'Jansen', 'Kim', 'Larsen', 'Mensah', 'Nguyen',
  'Ortiz', 'Park', 'Quispe', 'Rossi', 'Silva', 'Tanaka', 'Umarov', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Adeyemi', 'Berg', 'Chen', 'Demir', 'Evans', 'Fontaine'];

const userId = (p: Plan, i: number) => p.b.id('user', i);

/** Milliseconds before now of the last sign-in of filler user i, null for never. */
function fillerSignIn(p: Plan, i: number): number | null {
  const j = i - p.cast;
  if (j < p.privilegedFillers) return (fillerKind(j) === 'stale' ? p.b.int(i, 5, 45 * 24, 200 * 24) : p.b.int(i, 5, 0, 20 * 24)) * HOUR;
  if (p.b.int(i, 4, 0, 19) === 0) return null;
  return p.b.int(i, 5, 0, 90 * 24 * 60) * MINUTE;
}

/** User i's employeeId: E0000001 for the first user, unique in the tenant. */
export const demoEmployeeId = (i: number): string => `E${String(i + 1).padStart(7, '0')}`;

function demoUser(p: Plan, i: number): GraphUser {
  const { b } = p;
  const member = DEMO_CAST[i];
  const first = FIRST[b.int(i, 1, 0, FIRST.length - 1)]!;
  const last = LAST[b.int(i, 2, 0, LAST.length - 1)]!;
  const signIn = member ? member.lastSignInAgo : fillerSignIn(p, i);
  const holdsRole = i < p.cast + p.privilegedFillers + p.unprivilegedFillers;
  const userPrincipalName = `${member?.alias ?? `${first}.${last}.${i}`.toLowerCase()}@${DEMO_DOMAIN}`;
  return {
    id: userId(p, i),
    displayName: member?.displayName ?? `${first} ${last}`,
    userPrincipalName,
    // Something for School Data Sync to match people by: the mailbox is the UPN, the
    // employeeId the user's number in the tenant.
    mail: userPrincipalName,
    employeeId: demoEmployeeId(i),
    accountEnabled: member ? member.accountEnabled ?? true : holdsRole || b.int(i, 3, 0, 49) !== 0,
    createdDateTime: b.ago(member ? 500 * DAY : b.int(i, 6, 30, 1500) * DAY),
    signInActivity: { lastSignInDateTime: signIn === null ? null : b.ago(signIn) },
  };
}

/** Users [from, to) of the demo tenant. */
const demoUsers = (p: Plan, from: number, to: number): GraphUser[] => Array.from({ length: to - from }, (_, k) => demoUser(p, from + k));

function privilegedFiller(p: Plan, j: number): void {
  const { b } = p;
  const i = p.cast + j;
  const id = userId(p, i);
  const role = PRIVILEGED[j % PRIVILEGED.length]!;
  switch (fillerKind(j)) {
    case 'globalAdmin':
      return b.assignThroughPim(id, GA, b.int(i, 10, 60, 900) * DAY);
    case 'outsidePim':
      return b.assignDirectly(id, role, b.int(i, 10, 1, 25) * DAY);
    case 'stale':
    case 'active':
      return b.assignThroughPim(id, role, b.int(i, 10, 60, 900) * DAY);
    case 'redundant': {
      b.makeEligible(id, role, b.int(i, 10, 150, 700) * DAY);
      const last = b.int(i, 11, 45, 120) * DAY;
      b.activate(id, role, last, 480);
      return void b.activate(id, role, last + 10 * DAY, 480);
    }
    case 'sequential': {
      b.makeEligible(id, role, b.int(i, 10, 60, 700) * DAY);
      const last = b.int(i, 11, 1, 10) * DAY;
      for (let n = 0; n < 4; n++) b.activate(id, role, last + n * 15 * MINUTE, 10);
      return;
    }
    case 'neverActivated':
      return b.makeEligible(id, role, b.int(i, 10, 60, 400) * DAY);
    case 'eligible': {
      b.makeEligible(id, role, b.int(i, 10, 60, 900) * DAY);
      let at = b.int(i, 11, 1, 20) * DAY;
      for (let n = b.int(i, 12, 1, 3); n > 0; n--, at += b.int(i, 13 + n, 3, 9) * DAY) b.activate(id, role, at, 480);
    }
  }
}

function unprivilegedFiller(p: Plan, j: number): void {
  const { b } = p;
  const i = p.cast + p.privilegedFillers + j;
  const id = userId(p, i);
  const role = UNPRIVILEGED[j % UNPRIVILEGED.length]!;
  const since = b.int(i, 10, 30, 700) * DAY;
  if (j % 4 === 0) b.assignDirectly(id, role, since);
  else if (j % 4 === 1) b.assignThroughPim(id, role, since);
  else b.makeEligible(id, role, since);
  if (j % 4 === 3) b.activate(id, role, b.int(i, 11, 40, 100) * DAY, 480);
}

/** Every role's activation policy: MFA required, but for one privileged and one other role. */
function policies(b: DemoBuilder): void {
  const noMfa: readonly BuiltInRole[] = [NO_MFA_PRIVILEGED_ROLE, NO_MFA_UNPRIVILEGED_ROLE];
  for (const role of BUILT_IN_ROLES) {
    const policyId = `DirectoryRole_${b.tenantId}_${b.id('policy', role.templateId)}`;
    b.out.roleManagementPolicies.push({
      id: policyId, displayName: 'Directory', scopeId: '/', scopeType: 'DirectoryRole',
      rules: [
        { '@odata.type': ENABLEMENT_RULE_TYPE, id: ACTIVATION_ENABLEMENT_RULE_ID, enabledRules: noMfa.includes(role) ? ['Justification'] : ['MultiFactorAuthentication', 'Justification'] },
        { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule', id: 'Expiration_EndUser_Assignment', isExpirationRequired: true, maximumDuration: 'PT8H' },
      ],
    });
    b.out.roleManagementPolicyAssignments.push({ id: `${policyId}_${role.templateId}`, policyId, roleDefinitionId: role.templateId, scopeId: '/', scopeType: 'DirectoryRole' });
  }
}

/** Entra ID P1, enabled, and Entra ID P2 (the PIM licence), suspended: InvalidLicenseAlert fires. */
function licences(b: DemoBuilder): void {
  const sku = (skuId: string, skuPartNumber: string, capabilityStatus: 'Enabled' | 'Suspended', planId: string) =>
    b.out.subscribedSkus.push({ id: `${b.tenantId}_${skuId}`, skuId, skuPartNumber, capabilityStatus, servicePlans: [{ servicePlanId: planId, servicePlanName: skuPartNumber, provisioningStatus: 'Success', appliesTo: 'User' }] });
  sku('078d2b04-f1bd-4111-bbd4-b4b1b354cef4', 'AAD_PREMIUM', 'Enabled', '41781fb2-bc02-4b7c-bd55-b576c07bb09d');
  sku('84a661c4-e949-4bd2-a560-ed7766fcaf2b', 'AAD_PREMIUM_P2', 'Suspended', 'eec0eb4f-6444-4f95-aba0-50c24d67f998');
}

/** Everything but the users: a few objects per role holder (3 % of users), policies, licences. */
function demoObjects(p: Plan): DirectoryObjects {
  DEMO_CAST.forEach((member, i) => member.give(p.b, userId(p, i)));
  for (let j = 0; j < p.privilegedFillers; j++) privilegedFiller(p, j);
  for (let j = 0; j < p.unprivilegedFillers; j++) unprivilegedFiller(p, j);
  policies(p.b);
  licences(p.b);
  return p.b.out;
}

/** The demo tenant as one snapshot (as `directory import` takes it). Same options, same snapshot. */
export function generateDemoSnapshot(options: DemoOptions): DirectorySnapshot {
  const p = plan(options);
  return { users: demoUsers(p, 0, p.users), ...demoObjects(p) };
}

/** The same snapshot as JSON text, in pieces: users a chunk at a time, so any size fits in memory. */
export function* demoSnapshotJson(options: DemoOptions): Generator<string> {
  const p = plan(options);
  yield '{"users":[';
  for (let from = 0; from < p.users; from += USER_CHUNK) {
    const users = demoUsers(p, from, Math.min(p.users, from + USER_CHUNK)).map((u) => JSON.stringify(u));
    yield (from > 0 ? ',\n' : '\n') + users.join(',\n');
  }
  yield '\n]';
  for (const [name, items] of Object.entries(demoObjects(p))) {
    yield `,\n${JSON.stringify(name)}:[\n${(items as unknown[]).map((item) => JSON.stringify(item)).join(',\n')}\n]`;
  }
  yield '}\n';
}

/**
 * Replaces the tenant's directory with a demo tenant (default 1,000 users), storing users a chunk
 * at a time; the rows are those importing generateDemoSnapshot() would give.
 */
export async function seedDemoTenant(db: Db, tenantId: string, options: Omit<DemoOptions, 'tenantId' | 'users'> & { users?: number } = {}): Promise<ImportSummary> {
  const p = plan({ ...options, tenantId, users: options.users ?? DEMO_DEFAULT_USERS });
  const problems = new Problems();
  const rows = toRows({ users: [], ...demoObjects(p) }, problems);
  if (problems.count > 0) throw new Error(`the demo generator made a bad directory: ${problems.list().join('; ')}`);
  return replaceDirectory(db, p.b.tenantId, async (writer) => {
    for (const kind of DIRECTORY_KINDS) if (kind !== 'users') await writer.insert(kind, rows[kind]);
    for (let from = 0; from < p.users; from += USER_CHUNK) await writer.insert('users', demoUsers(p, from, Math.min(p.users, from + USER_CHUNK)).map(userRow));
  });
}
