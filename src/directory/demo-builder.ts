// Building blocks of the demo tenant: deterministic ids and numbers, and the Graph objects a
// real tenant shows for each way of holding a role (docs/directory.md, "The demo tenant").
import { guidFromName } from '../auth/guid.js';
import type { BuiltInRole } from './catalogue.js';
import type { DirectorySnapshot } from './model.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What the demo has besides users; no groups or administrative units (the PIM alerts read none). */
export type DirectoryObjects = Required<Omit<DirectorySnapshot, 'users' | 'groups' | 'administrativeUnits'>>;

/** A 32-bit integer hash (murmur3's finaliser): the demo's only source of "randomness". */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class DemoBuilder {
  readonly out: DirectoryObjects = {
    roleDefinitions: [],
    roleAssignments: [],
    roleAssignmentScheduleInstances: [],
    roleAssignmentScheduleRequests: [],
    roleEligibilitySchedules: [],
    roleManagementPolicies: [],
    roleManagementPolicyAssignments: [],
    subscribedSkus: [],
  };
  private readonly salt: number;

  constructor(
    readonly tenantId: string,
    readonly seed: number,
    /** Epoch ms every date is relative to. */
    readonly now: number,
  ) {
    this.salt = mix(seed ^ mix([...tenantId].reduce((h, c) => mix(h ^ c.charCodeAt(0)), 0x6c726f)));
  }

  /** A GUID that depends only on the tenant, the seed and `parts`. */
  id(...parts: (string | number)[]): string {
    return guidFromName(['graph-lro demo', this.tenantId, this.seed, ...parts].join('|'));
  }

  /** A whole number in [min, max] for (`index`, `field`): same inputs, same number. */
  int(index: number, field: number, min: number, max: number): number {
    return min + (mix(this.salt ^ mix(index ^ mix(field + 0x9e3779b9))) % (max - min + 1));
  }

  ago(ms: number): string {
    return new Date(this.now - ms).toISOString();
  }

  private active(principalId: string, role: BuiltInRole, assignedAgo: number) {
    const id = this.id('assignment', principalId, role.templateId);
    const subject = { principalId, roleDefinitionId: role.templateId, directoryScopeId: '/' };
    this.out.roleAssignments.push({ id, ...subject });
    // Graph lists every active assignment as a schedule instance, PIM-made or not.
    this.out.roleAssignmentScheduleInstances.push({
      id: this.id('instance', id), ...subject, assignmentType: 'Assigned', memberType: 'Direct',
      startDateTime: this.ago(assignedAgo), endDateTime: null, roleAssignmentOriginId: id,
    });
    return id;
  }

  /** Permanently active, assigned by an administrator through PIM. */
  assignThroughPim(principalId: string, role: BuiltInRole, assignedAgo: number): void {
    const id = this.active(principalId, role, assignedAgo);
    this.out.roleAssignmentScheduleRequests.push({
      id: this.id('request', id), action: 'adminAssign', status: 'Provisioned', justification: 'Permanent assignment through PIM',
      principalId, roleDefinitionId: role.templateId, directoryScopeId: '/', createdDateTime: this.ago(assignedAgo),
      scheduleInfo: { startDateTime: this.ago(assignedAgo), expiration: { type: 'noExpiration' } },
    });
  }

  /** Permanently active, assigned directly (role assignments API or the classic portal): outside PIM. */
  assignDirectly(principalId: string, role: BuiltInRole, assignedAgo: number): void {
    this.active(principalId, role, assignedAgo);
  }

  makeEligible(principalId: string, role: BuiltInRole, sinceAgo: number): void {
    this.out.roleEligibilitySchedules.push({
      id: this.id('eligibility', principalId, role.templateId), status: 'Provisioned', memberType: 'Direct',
      principalId, roleDefinitionId: role.templateId, directoryScopeId: '/', createdDateTime: this.ago(sinceAgo),
      scheduleInfo: { startDateTime: this.ago(sinceAgo), expiration: { type: 'noExpiration' } },
    });
  }

  /** A granted activation of an eligible role, `startAgo` ms before now, lasting `minutes`. */
  activate(principalId: string, role: BuiltInRole, startAgo: number, minutes: number): string {
    const id = this.id('activation', principalId, role.templateId, startAgo);
    this.out.roleAssignmentScheduleRequests.push({
      id, action: 'selfActivate', status: 'Provisioned', justification: 'Routine administration',
      principalId, roleDefinitionId: role.templateId, directoryScopeId: '/', createdDateTime: this.ago(startAgo),
      scheduleInfo: { startDateTime: this.ago(startAgo), expiration: { type: 'afterDuration', duration: `PT${minutes}M` } },
    });
    return id;
  }

  /** An activation still running: the request, and the time-bound active assignment it made. */
  activateNow(principalId: string, role: BuiltInRole, startAgo: number, minutes: number): void {
    this.activate(principalId, role, startAgo, minutes);
    const id = this.id('activated assignment', principalId, role.templateId);
    const subject = { principalId, roleDefinitionId: role.templateId, directoryScopeId: '/' };
    this.out.roleAssignments.push({ id, ...subject });
    this.out.roleAssignmentScheduleInstances.push({
      id: this.id('instance', id), ...subject, assignmentType: 'Activated', memberType: 'Direct',
      startDateTime: this.ago(startAgo), endDateTime: this.ago(startAgo - minutes * MINUTE), roleAssignmentOriginId: id,
    });
  }
}
