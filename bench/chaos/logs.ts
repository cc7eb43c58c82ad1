// What the servers logged, summarised for the report: pino lines at warn and above counted by
// message (with one error message as a sample), and stderr lines that are not JSON (Node's own
// crash output: "Unhandled 'error' event", stack frames left out) counted by their first words.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };

export interface LogSummary {
  [file: string]: { lines: number; byMessage: Record<string, { count: number; sample?: string }>; notJson: Record<string, number> };
}

export function summarizeLogs(dir: string, prefix: string): LogSummary {
  const out: LogSummary = {};
  if (!existsSync(dir)) return out;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.log')).sort()) {
    const stderr = file.endsWith('.stderr.log');
    const text = readFileSync(join(dir, file), 'utf8');
    const entry: LogSummary[string] = { lines: 0, byMessage: {}, notJson: {} };
    for (const line of text.split('\n')) {
      if (!line.trim() || line.startsWith('--- ')) continue;
      entry.lines++;
      if (line.startsWith('{')) {
        try {
          const rec = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; code?: string } };
          if ((rec.level ?? 0) < 40) continue;
          const key = `${LEVELS[rec.level!] ?? rec.level} ${rec.msg ?? ''}`.slice(0, 160);
          const e = (entry.byMessage[key] ??= { count: 0 });
          e.count++;
          if (!e.sample && rec.err?.message) e.sample = `${rec.err.code ? `${rec.err.code} ` : ''}${rec.err.message}`.slice(0, 200);
          continue;
        } catch {
          // not JSON after all
        }
      }
      if (!stderr || /^\s+at /.test(line)) continue; // the banner on stdout; stack frames
      const key = line.trim().slice(0, 120);
      entry.notJson[key] = (entry.notJson[key] ?? 0) + 1;
    }
    entry.notJson = Object.fromEntries(Object.entries(entry.notJson).sort((a, b) => b[1] - a[1]).slice(0, 8));
    if (Object.keys(entry.byMessage).length || Object.keys(entry.notJson).length) out[file] = entry;
  }
  return out;
}
