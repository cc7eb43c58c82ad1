// The load: client loops that each start one operation (a PIM alert refresh or an industry data
// validation) and follow it with Prefer: wait until it is final, then start the next. A refresh
// target (an alert, or refresh-all, of a tenant) and a connector are used by one loop at a time,
// so every 202 is a new operation. Every operation is recorded for the report.
import type { Api } from './http.js';
import type { Variant } from './fixtures.js';
import { ALERT_NAMES } from './fixtures.js';
import { createConnector, follow, startRefresh, startValidate, upload, uploadSession, validationResult } from './graph.js';
import type { Clock } from './util.js';
import { canonical, sleep } from './util.js';

export interface Tenant {
  id: string;
  api: Api;
  sourceSystem: string;
}

export interface OpRecord {
  n: number;
  family: 'alerts' | 'industryData';
  kind: string;
  tenant: string;
  target: string;
  variant?: string;
  /** Validations: the connector's how-many-th validation (1 = first). */
  validation?: number;
  phase: string;
  location: string;
  createdAtMs: number;
  endedAtMs?: number;
  createdDateTime?: string;
  status: string;
  statusDetail?: string;
  result?: string;
  sawRunning: boolean;
  /** Same operation as an earlier record (a retried POST answered the existing one). */
  sameAs?: number;
}

interface Connector {
  id: string;
  tenant: Tenant;
  variant: Variant;
  validations: number;
  busy: boolean;
}

export interface LoadOptions {
  refreshShare: number;
  newConnectorShare: number;
}

export class Load {
  readonly ops: OpRecord[] = [];
  readonly clientErrors: { atSec: number; phase: string; message: string }[] = [];
  uploads = 0;
  uploadBytes = 0;
  private readonly connectors: Connector[] = [];
  private readonly busy = new Set<string>();
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  private followUntil = Infinity;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly tenants: Tenant[],
    private readonly variants: Variant[],
    private readonly clock: Clock,
    private readonly rand: () => number,
    private readonly options: LoadOptions,
  ) {}

  start(clients: number): void {
    for (let i = 0; i < clients; i++) this.loops.push(this.loop(i));
  }

  /** No new operations; those being followed are followed for `drainMs` more at most. */
  async drain(drainMs: number): Promise<void> {
    this.stopping = true;
    this.followUntil = this.clock.ms() + drainMs;
    await Promise.all(this.loops);
  }

  get created(): number {
    return this.ops.filter((o) => o.sameAs === undefined).length;
  }

  private async loop(i: number): Promise<void> {
    await sleep(i * 37);
    while (!this.stopping) {
      try {
        if (this.rand() < this.options.refreshShare && (await this.refreshCycle())) continue;
        await this.validateCycle();
      } catch (err) {
        this.clientErrors.push({ atSec: this.clock.sec(), phase: this.clock.phase(), message: (err as Error).message.slice(0, 400) });
        await sleep(500);
      }
    }
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  private pickVariant(): Variant {
    const total = this.variants.reduce((n, v) => n + (v.weight ?? 1), 0);
    let x = this.rand() * total;
    for (const v of this.variants) if ((x -= v.weight ?? 1) < 0) return v;
    return this.variants.at(-1)!;
  }

  private async refreshCycle(): Promise<boolean> {
    const tenant = this.pick(this.tenants);
    const targets = [...ALERT_NAMES, 'all'].filter((t) => !this.busy.has(`${tenant.id}/${t}`));
    if (targets.length === 0) return false;
    const target = this.pick(targets);
    const key = `${tenant.id}/${target}`;
    this.busy.add(key);
    try {
      const location = await startRefresh(tenant.api, tenant.id, target);
      await this.track({ family: 'alerts', kind: target === 'all' ? 'refreshAll' : 'refreshAlert', tenant: tenant.id, target }, tenant.api, location);
    } finally {
      this.busy.delete(key);
    }
    return true;
  }

  private async validateCycle(): Promise<void> {
    const tenant = this.pick(this.tenants);
    const idle = this.connectors.filter((c) => !c.busy && c.tenant === tenant);
    let connector: Connector;
    if (idle.length === 0 || this.rand() < this.options.newConnectorShare) {
      const variant = this.pickVariant();
      connector = { id: '', tenant, variant, validations: 0, busy: true };
      connector.id = await createConnector(tenant.api, tenant.sourceSystem, `chaos ${variant.name}`);
      const session = await uploadSession(tenant.api, connector.id);
      await upload(tenant.api, session, variant.files);
      this.uploads += variant.files.size;
      for (const b of variant.files.values()) this.uploadBytes += b.length;
      this.connectors.push(connector);
    } else {
      connector = this.pick(idle);
      connector.busy = true;
    }
    try {
      const location = await startValidate(tenant.api, connector.id);
      connector.validations++;
      await this.track(
        { family: 'industryData', kind: 'validate', tenant: tenant.id, target: connector.id, variant: connector.variant.name, validation: connector.validations },
        tenant.api,
        location,
      );
    } finally {
      connector.busy = false;
    }
  }

  private async track(what: Pick<OpRecord, 'family' | 'kind' | 'tenant' | 'target' | 'variant' | 'validation'>, api: Api, location: string): Promise<void> {
    const record: OpRecord = { n: this.ops.length, ...what, phase: this.clock.phase(), location, createdAtMs: this.clock.ms(), status: 'notSeen', sawRunning: false };
    this.ops.push(record);
    const op = await follow(api, location, () => this.clock.ms() > this.followUntil, (seen) => {
      if (seen.status === 'running') record.sawRunning = true;
      if (!record.createdDateTime && seen.createdDateTime) {
        record.createdDateTime = String(seen.createdDateTime);
        const key = `${location} ${record.createdDateTime}`;
        const earlier = this.seen.get(key);
        if (earlier !== undefined) record.sameAs = earlier;
        else this.seen.set(key, record.n);
      }
    });
    record.status = op.status;
    record.statusDetail = op.statusDetail;
    record.endedAtMs = this.clock.ms();
    if (record.family === 'industryData' && op.status === 'succeeded') record.result = canonical(validationResult(op.body));
  }
}
