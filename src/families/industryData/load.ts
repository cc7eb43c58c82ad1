// The load of one inbound flow in a run. The records validation keeps reach a spool file as the
// validator reads them (RecordSink: nothing is held in memory); then one transaction stages them,
// merges them into the tenant's education store (industry_data_records: new → first seen now;
// changed or back → rewritten, last seen now; seen again unchanged → untouched, last seen by the
// flow's last load; no longer present → inactive, last seen by the previous load), matches people
// to directory users and answers the flow's counts. A run retried after a crash redoes the whole
// transaction or finds it committed: never half-applied, never doubled.
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db, Queryable } from '../../db/db.js';
import type { UserMatchingSetting } from './store.js';
import type { RecordSink, SdsFile } from './validator/index.js';
import { fileSpec } from './validator/index.js';

const FLUSH_BYTES = 1 << 16;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyField = (value: string) => value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
const BATCH_ROWS = 2000;

/**
 * Spools accepted records to a file, a line each. Rejections (the validator takes back the rows of
 * a file found unusable after they were accepted) are remembered by row number per file.
 */
export class RecordSpool implements RecordSink {
  private readonly dir = mkdtempSync(join(tmpdir(), 'graph-lro-load-'));
  readonly path = join(this.dir, 'records.jsonl');
  private readonly fd = openSync(this.path, 'w');
  private buffer = '';
  private readonly rejected = new Map<SdsFile, Set<number>>();
  /** Accepted and not taken back, per file. */
  private readonly kept = new Map<SdsFile, number>();

  accept(file: SdsFile, row: number, values: readonly (string | undefined)[]): void {
    const spec = fileSpec(file);
    const data: Record<string, string> = {};
    spec.columns.forEach((column, i) => {
      if (values[i] !== undefined) data[column.name] = values[i]!;
    });
    const key = spec.key !== undefined ? data[spec.key]! : spec.association!.map((c) => data[c] ?? '').join('\u001f');
    // `[file, row, key]`, a tab (JSON escapes its own), the data as JSON: read back without parsing the data.
    this.buffer += `${JSON.stringify([file, row, key])}\t${JSON.stringify(data)}\n`;
    this.kept.set(file, (this.kept.get(file) ?? 0) + 1);
    if (this.buffer.length >= FLUSH_BYTES) this.flush();
  }

  reject(file: SdsFile, row: number): void {
    let rows = this.rejected.get(file);
    if (!rows) this.rejected.set(file, (rows = new Set()));
    rows.add(row);
    this.kept.set(file, this.kept.get(file)! - 1);
  }

  /** Files with at least one record kept. */
  get loaded(): SdsFile[] {
    return [...this.kept].filter(([, n]) => n > 0).map(([file]) => file);
  }

  private flush(): void {
    if (this.buffer) writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** The kept records in batches of columns (file, key, data), read back from the spool. */
  async *batches(): AsyncGenerator<[string[], string[], string[]]> {
    this.flush();
    let batch: [string[], string[], string[]] = [[], [], []];
    const lines = createInterface({ input: createReadStream(this.path), crlfDelay: Infinity });
    for await (const line of lines) {
      const tab = line.indexOf('\t');
      const [file, row, key] = JSON.parse(line.slice(0, tab)) as [SdsFile, number, string];
      if (this.rejected.get(file)?.has(row)) continue;
      batch[0].push(file);
      batch[1].push(key);
      batch[2].push(line.slice(tab + 1));
      if (batch[0].length >= BATCH_ROWS) {
        yield batch;
        batch = [[], [], []];
      }
    }
    if (batch[0].length) yield batch;
  }

  /** The same records as COPY text (file, key, data), in chunks of about FLUSH_BYTES. */
  async *copyText(): AsyncGenerator<string> {
    for await (const [files, keys, data] of this.batches()) {
      let chunk = '';
      for (let i = 0; i < files.length; i++) chunk += `${copyField(files[i]!)}\t${copyField(keys[i]!)}\t${copyField(data[i]!)}\n`;
      yield chunk;
    }
  }

  close(): void {
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface FlowLoad {
  tenantId: string;
  flowId: string;
  yearId: string | null;
  runId: string;
  /** The files of the upload (a file no longer uploaded has its records made inactive). */
  uploaded: readonly SdsFile[];
  /** The source system's settings; none: username → userPrincipalName. */
  matching: readonly UserMatchingSetting[];
}

export interface EntityCount {
  active: number;
  inactive: number;
  total: number;
}

export interface FlowCounts {
  people: EntityCount;
  organizations: EntityCount;
  groups: EntityCount;
  memberships: EntityCount;
  matchedPeopleByRole: { role: string; count: number }[];
  unmatchedPeopleByRole: { role: string; count: number }[];
}

const DEFAULT_MATCHING = [{ sourceIdentifier: { code: 'username' }, matchTarget: { code: 'userPrincipalName' }, priorityOrder: 0 }];

/** Loads the spooled records of one flow and matches its people, in one transaction. */
export async function loadFlow(db: Db, spool: RecordSpool, load: FlowLoad): Promise<FlowCounts> {
  const { tenantId, flowId } = load;
  return db.transaction(async (tx) => {
    // Runs of one flow load one at a time (two runs at once would fight over "last seen").
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`industryData.load:${tenantId}:${flowId}`]);
    await tx.query('CREATE TEMP TABLE industry_data_staging (file text NOT NULL, record_key text NOT NULL, data jsonb NOT NULL) ON COMMIT DROP');
    if (tx.copyIn) await tx.copyIn('COPY industry_data_staging (file, record_key, data) FROM STDIN', spool.copyText());
    else {
      for await (const [files, keys, data] of spool.batches()) {
        await tx.query('INSERT INTO industry_data_staging SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', [files, keys, data]);
      }
    }
    // Statistics for the joins below: the staging table is new and the records table may be too.
    await tx.query('ANALYZE industry_data_staging');
    const [flow] = await tx.query<{ last_loaded_at: string | null; had_active: boolean }>(
      `SELECT last_loaded_at, EXISTS (SELECT 1 FROM industry_data_records WHERE tenant_id = $1 AND flow_id = $2 AND active) AS had_active
       FROM industry_data_inbound_flows WHERE tenant_id = $1 AND id = $2`,
      [tenantId, flowId],
    );
    // Only what changed is written: a record seen again unchanged keeps its row (its flow's
    // last_loaded_at says when it was last seen); changed or back: rewritten; new: inserted.
    await tx.query(
      `UPDATE industry_data_records r SET data = s.data, year_id = $3, active = true, last_seen_at = now(), last_run_id = $4
       FROM industry_data_staging s
       WHERE r.tenant_id = $1 AND r.flow_id = $2 AND r.file = s.file AND r.record_key = s.record_key
         AND (NOT r.active OR r.data IS DISTINCT FROM s.data OR r.year_id IS DISTINCT FROM $3)`,
      [tenantId, flowId, load.yearId, load.runId],
    );
    await tx.query(
      `INSERT INTO industry_data_records (tenant_id, flow_id, file, record_key, year_id, data, active, first_seen_at, last_seen_at, last_run_id)
       SELECT $1, $2, s.file, s.record_key, $3, s.data, true, now(), now(), $4 FROM industry_data_staging s
       WHERE NOT EXISTS (SELECT 1 FROM industry_data_records r WHERE r.tenant_id = $1 AND r.flow_id = $2 AND r.file = s.file AND r.record_key = s.record_key)
       ORDER BY s.file, s.record_key`, // in key order: at a million records the key's pages no longer stay cached
      [tenantId, flowId, load.yearId, load.runId],
    );
    // Not seen by this run: inactive, last seen by the flow's previous load (in the files this run
    // loaded and those no longer uploaded; a file uploaded but wholly rejected keeps its records).
    // A first load has nothing to compare (an anti-join over every record it just wrote).
    if (flow?.had_active) await tx.query(
      `UPDATE industry_data_records r SET active = false, last_seen_at = coalesce($5::timestamptz, r.last_seen_at)
       WHERE r.tenant_id = $1 AND r.flow_id = $2 AND r.active AND (r.file = ANY($3::text[]) OR NOT r.file = ANY($4::text[]))
         AND NOT EXISTS (SELECT 1 FROM industry_data_staging s WHERE s.file = r.file AND s.record_key = r.record_key)`,
      [tenantId, flowId, spool.loaded, [...load.uploaded], flow?.last_loaded_at ?? null],
    );
    await tx.query('UPDATE industry_data_inbound_flows SET last_loaded_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, flowId]);
    // Fresh statistics for the joins that follow: the table may have just grown from nothing, and a
    // plan for an empty table (nested loops) takes hours on a million people.
    await tx.query('ANALYZE industry_data_records');
    await matchPeople(tx, load);
    return counts(tx, tenantId, flowId);
  });
}

/**
 * Links each active person to the directory user their identifier names, by the first setting (in
 * priorityOrder) of their role group that finds one: set-based, one statement per match target so
 * each join can use its index.
 */
async function matchPeople(tx: Queryable, load: FlowLoad): Promise<void> {
  const settings = (load.matching.length ? load.matching : DEFAULT_MATCHING).map((s, i) => ({
    priority: s.priorityOrder ?? i,
    source: s.sourceIdentifier?.code ?? null,
    target: s.matchTarget?.code ?? null,
    roleGroup: 'roleGroupId' in s ? (s.roleGroupId ?? null) : null,
  }));
  await tx.query(
    `WITH settings AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS s(priority integer, source text, target text, "roleGroup" text)
     ), students AS (
       SELECT DISTINCT r.data->>'userSourcedId' AS record_key FROM industry_data_records r
       WHERE r.tenant_id = $1 AND r.flow_id = $2 AND r.file = 'roles.csv' AND r.active AND r.data->>'role' = 'student'
     ), people AS (
       SELECT p.record_key, p.data, CASE WHEN s.record_key IS NULL THEN 'staff' ELSE 'students' END AS role_group
       FROM industry_data_records p LEFT JOIN students s ON s.record_key = p.record_key
       WHERE p.tenant_id = $1 AND p.flow_id = $2 AND p.file = 'users.csv' AND p.active
     ), identifiers AS (
       SELECT pe.record_key, st.priority, st.target,
         CASE st.source WHEN 'sourcedId' THEN pe.record_key ELSE pe.data->>st.source END AS value
       FROM people pe JOIN settings st ON st."roleGroup" IS NULL OR st."roleGroup" = pe.role_group
     ), hits AS (
       SELECT i.record_key, i.priority, u.id FROM identifiers i
         JOIN directory_users u ON u.tenant_id = $1 AND lower(u.user_principal_name) = lower(i.value) WHERE i.target = 'userPrincipalName'
       UNION ALL
       SELECT i.record_key, i.priority, u.id FROM identifiers i
         JOIN directory_users u ON u.tenant_id = $1 AND lower(u.mail) = lower(i.value) WHERE i.target = 'mail'
       UNION ALL
       SELECT i.record_key, i.priority, u.id FROM identifiers i
         JOIN directory_users u ON u.tenant_id = $1 AND u.employee_id = i.value WHERE i.target = 'employeeId'
     ), best AS (
       SELECT DISTINCT ON (record_key) record_key, id FROM hits ORDER BY record_key, priority, id
     )
     UPDATE industry_data_records p SET matched_user_id = b.id
     FROM people pe LEFT JOIN best b ON b.record_key = pe.record_key
     WHERE p.tenant_id = $1 AND p.flow_id = $2 AND p.file = 'users.csv' AND p.record_key = pe.record_key
       AND p.matched_user_id IS DISTINCT FROM b.id`,
    [load.tenantId, load.flowId, JSON.stringify(settings)],
  );
}

const ENTITY_FILES = { people: 'users.csv', organizations: 'orgs.csv', groups: 'classes.csv', memberships: 'enrollments.csv' } as const;

/** The flow's records, active and inactive, and its active people by role, matched or not. */
async function counts(tx: Queryable, tenantId: string, flowId: string): Promise<FlowCounts> {
  const byFile = await tx.query<{ file: string; active: number; inactive: number }>(
    `SELECT file, count(*) FILTER (WHERE active)::int AS active, count(*) FILTER (WHERE NOT active)::int AS inactive
     FROM industry_data_records WHERE tenant_id = $1 AND flow_id = $2 GROUP BY file`,
    [tenantId, flowId],
  );
  const entity = (file: string): EntityCount => {
    const row = byFile.find((r) => r.file === file);
    return { active: row?.active ?? 0, inactive: row?.inactive ?? 0, total: (row?.active ?? 0) + (row?.inactive ?? 0) };
  };
  const roles = await tx.query<{ role: string; matched: number; unmatched: number }>(
    `SELECT r.data->>'role' AS role,
       count(DISTINCT p.record_key) FILTER (WHERE p.matched_user_id IS NOT NULL)::int AS matched,
       count(DISTINCT p.record_key) FILTER (WHERE p.matched_user_id IS NULL)::int AS unmatched
     FROM industry_data_records p JOIN industry_data_records r
       ON r.tenant_id = p.tenant_id AND r.flow_id = p.flow_id AND r.file = 'roles.csv' AND r.active AND r.data->>'userSourcedId' = p.record_key
     WHERE p.tenant_id = $1 AND p.flow_id = $2 AND p.file = 'users.csv' AND p.active
     GROUP BY 1 ORDER BY 1`,
    [tenantId, flowId],
  );
  return {
    people: entity(ENTITY_FILES.people),
    organizations: entity(ENTITY_FILES.organizations),
    groups: entity(ENTITY_FILES.groups),
    memberships: entity(ENTITY_FILES.memberships),
    matchedPeopleByRole: roles.filter((r) => r.matched > 0).map((r) => ({ role: r.role, count: r.matched })),
    unmatchedPeopleByRole: roles.filter((r) => r.unmatched > 0).map((r) => ({ role: r.role, count: r.unmatched })),
  };
}
