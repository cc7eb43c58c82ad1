// Small hand-built directories for the scanner and API tests: rows inserted straight into the
// directory tables of migration 0002 (the import lives elsewhere and is not needed here).
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../../src/db/db.js';

export const ROLES = {
  globalAdministrator: { id: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator', privileged: true },
  privilegedRoleAdministrator: { id: 'e8611ab8-c189-46e8-94e1-60213ab1f814', displayName: 'Privileged Role Administrator', privileged: true },
  userAdministrator: { id: 'fe930be7-5e62-47db-91af-98c3a49a38b1', displayName: 'User Administrator', privileged: true },
  securityReader: { id: '5d6b6bb7-de71-4623-b4af-96380a352509', displayName: 'Security Reader', privileged: false },
} as const;
export type RoleKey = keyof typeof ROLES;

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** A fixed scan time and instants relative to it. */
export const NOW = '2025-06-15T12:00:00.000Z';
export const at = (msBeforeNow: number) => new Date(Date.parse(NOW) - msBeforeNow).toISOString();
export const daysAgo = (days: number, plusMs = 0) => at(days * DAY + plusMs);

export interface UserOptions {
  displayName?: string;
  upn?: string;
  enabled?: boolean;
  lastSignIn?: string | null;
}

export class Directory {
  private n = 0;

  constructor(
    readonly q: Queryable,
    readonly tenantId: string = randomUUID(),
    /** The moment the defaults are relative to (NOW for the scanner tests, the clock for API tests). */
    readonly now: string = NOW,
  ) {}

  /** `ms` before `now` (negative: after). */
  ago(ms: number): string {
    return new Date(Date.parse(this.now) - ms).toISOString();
  }

  /** Marks the tenant as having a directory and adds the built-in roles above. */
  static async create(q: Queryable, options: { tenantId?: string; now?: string } = {}): Promise<Directory> {
    const d = new Directory(q, options.tenantId, options.now);
    await q.query('INSERT INTO directory_tenants (tenant_id) VALUES ($1)', [d.tenantId]);
    for (const key of Object.keys(ROLES) as RoleKey[]) await d.role(key);
    return d;
  }

  id(prefix = 'x'): string {
    this.n += 1;
    return `${prefix}-${String(this.n).padStart(4, '0')}`;
  }

  async role(key: RoleKey): Promise<string> {
    const r = ROLES[key];
    await this.q.query(
      'INSERT INTO directory_roles (tenant_id, id, template_id, display_name, is_built_in, is_privileged) VALUES ($1, $2, $2, $3, true, $4)',
      [this.tenantId, r.id, r.displayName, r.privileged],
    );
    return r.id;
  }

  async user(options: UserOptions = {}): Promise<string> {
    const id = randomUUID();
    const name = options.displayName ?? `User ${this.n + 1}`;
    await this.q.query(
      `INSERT INTO directory_users (tenant_id, id, display_name, user_principal_name, account_enabled, last_sign_in_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [this.tenantId, id, name, options.upn ?? `${id.slice(0, 8)}@contoso.test`, options.enabled ?? true, options.lastSignIn === undefined ? this.now : options.lastSignIn, this.ago(400 * DAY)],
    );
    this.n += 1;
    return id;
  }

  async assign(principalId: string, role: RoleKey, options: { createdAt?: string; viaPim?: boolean; activated?: boolean; endAt?: string | null; id?: string } = {}): Promise<string> {
    const id = options.id ?? this.id('assignment');
    await this.q.query(
      `INSERT INTO directory_role_assignments (tenant_id, id, principal_id, role_id, created_at, via_pim, activated, end_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [this.tenantId, id, principalId, ROLES[role].id, options.createdAt ?? this.ago(100 * DAY), options.viaPim ?? true, options.activated ?? false, options.endAt ?? null],
    );
    return id;
  }

  async eligible(principalId: string, role: RoleKey, options: { createdAt?: string; startAt?: string | null; endAt?: string | null; id?: string } = {}): Promise<string> {
    const id = options.id ?? this.id('eligibility');
    await this.q.query(
      `INSERT INTO directory_role_eligibilities (tenant_id, id, principal_id, role_id, created_at, start_at, end_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [this.tenantId, id, principalId, ROLES[role].id, options.createdAt ?? this.ago(100 * DAY), options.startAt ?? null, options.endAt ?? null],
    );
    return id;
  }

  async activation(principalId: string, role: RoleKey, activatedAt: string, id?: string): Promise<string> {
    const activationId = id ?? this.id('activation');
    await this.q.query(
      `INSERT INTO directory_role_activations (tenant_id, id, principal_id, role_id, activated_at, end_at)
       VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '8 hours')`,
      [this.tenantId, activationId, principalId, ROLES[role].id, activatedAt],
    );
    return activationId;
  }

  async policy(role: RoleKey, mfaRequired: boolean): Promise<void> {
    await this.q.query('INSERT INTO directory_role_policies (tenant_id, role_id, mfa_required_on_activation) VALUES ($1, $2, $3)', [
      this.tenantId,
      ROLES[role].id,
      mfaRequired,
    ]);
  }

  async license(status: string, grantsPim = true): Promise<void> {
    await this.q.query(
      'INSERT INTO directory_licenses (tenant_id, sku_id, sku_part_number, capability_status, grants_pim) VALUES ($1, $2, $3, $4, $5)',
      [this.tenantId, randomUUID(), grantsPim ? 'AAD_PREMIUM_P2' : 'ENTERPRISEPACK', status, grantsPim],
    );
  }
}
