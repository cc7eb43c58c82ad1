import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `15m`, `24h`, `7d` (a bare number is seconds) to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`'${text}' is not a duration (examples: 500ms, 30s, 15m, 24h, 7d).`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}
