// Terminal output: tables, one-line live progress on a TTY (plain lines otherwise), JSON.
import type { AnyOperation, PublicError } from '../../packages/client/src/index.js';
import { isFileValidateOperation } from '../../packages/client/src/index.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A plain text table with a header row. */
export function table(headers: string[], rows: unknown[][]): string {
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n') + '\n';
}

export const elapsedOf = (op: AnyOperation): string => {
  const ms = Date.parse(op.lastActionDateTime) - Date.parse(op.createdDateTime);
  return Number.isFinite(ms) ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : '';
};

/** Live progress: one redrawn line when the stream is a terminal, else one line per change. */
export class Progress {
  private readonly stream: NodeJS.WriteStream | undefined;
  private readonly tty: boolean;
  private readonly started = Date.now();
  private last: AnyOperation | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(json: boolean) {
    // --json keeps stdout to the one document: progress goes to stderr, and only on a terminal.
    this.stream = json ? (process.stderr.isTTY ? process.stderr : undefined) : process.stdout;
    this.tty = Boolean(this.stream?.isTTY);
    if (this.tty) this.timer = setInterval(() => this.draw(), 1000).unref();
  }

  update(op: AnyOperation): void {
    this.last = op;
    if (this.tty) this.draw();
    else this.stream?.write(`${this.text(op)}\n`);
  }

  private text(op: AnyOperation): string {
    // Elapsed since the operation was created (ended: until its last action); the server's clock
    // may differ from ours, so a negative span falls back to the time this command has waited.
    const created = Date.parse(op.createdDateTime);
    const end = op.status === 'succeeded' || op.status === 'failed' ? Date.parse(op.lastActionDateTime) : Date.now();
    const span = end - created;
    const ms = Number.isFinite(span) && span >= 0 ? span : Date.now() - this.started;
    return `${op.status}${op.statusDetail ? ` - ${op.statusDetail}` : ''} (elapsed ${(ms / 1000).toFixed(1)}s)`;
  }

  private draw(): void {
    if (!this.last || !this.stream) return;
    const cols = this.stream.columns || 100;
    this.stream.write(`\r\x1b[K${this.text(this.last).slice(0, cols - 1)}`);
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.last) this.stream?.write('\n');
    this.last = undefined;
  }
}

/** Validation errors and warnings grouped by file (target) and code. */
export function issuesTable(errors: PublicError[], warnings: PublicError[]): string {
  const groups = new Map<string, { kind: string; file: string; code: string; count: number; message: string }>();
  for (const [kind, list] of [['error', errors], ['warning', warnings]] as const) {
    for (const e of list) {
      const file = e.target ?? '';
      const code = e.code ?? '';
      const key = `${kind}\u0000${file}\u0000${code}`;
      const g = groups.get(key);
      if (g) g.count++;
      else groups.set(key, { kind, file, code, count: 1, message: e.message ?? '' });
    }
  }
  const rows = [...groups.values()].sort((a, b) => a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind) || a.code.localeCompare(b.code));
  return table(['FILE', 'KIND', 'CODE', 'COUNT', 'FIRST MESSAGE'], rows.map((g) => [g.file, g.kind, g.code, g.count, g.message.slice(0, 100)]));
}

/** An operation for people: its fields, and for a validation its issues. */
export function renderOperation(op: AnyOperation): void {
  const rows: [string, unknown][] = [
    ['id', op.id],
    ['status', op.status],
    ['statusDetail', op.statusDetail],
    ['created', op.createdDateTime],
    ['lastAction', op.lastActionDateTime],
    ['elapsed', elapsedOf(op)],
    ['resourceLocation', op.resourceLocation],
  ];
  if (isFileValidateOperation(op)) rows.push(['validatedFiles', (op.validatedFiles ?? []).join(', ')]);
  process.stdout.write(rows.map(([k, v]) => `${k.padEnd(17)} ${cell(v)}`).join('\n') + '\n');
  if (isFileValidateOperation(op)) {
    const errors = op.errors ?? [];
    const warnings = op.warnings ?? [];
    process.stdout.write(`\n${errors.length} error(s), ${warnings.length} warning(s)\n`);
    if (errors.length + warnings.length) process.stdout.write(issuesTable(errors, warnings));
  }
}
