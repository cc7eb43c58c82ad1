// The Prefer request header (RFC 7240): `Prefer: wait=10, odata.maxpagesize=50`.

export function parsePrefer(header: string | string[] | undefined): Map<string, string> {
  const prefs = new Map<string, string>();
  if (header === undefined) return prefs;
  for (const part of [header ?? []].flat().join(',').split(',')) {
    const [token, ...rest] = part.split(';')[0]!.split('=');
    const name = token?.trim().toLowerCase();
    if (!name || prefs.has(name)) continue;
    prefs.set(name, rest.join('=').trim().replace(/^"(.*)"$/, '$1'));
  }
  return prefs;
}

/** A preference's value as a whole number of at most `max`, or undefined when absent or not a number. */
export function preferredInteger(prefs: Map<string, string>, name: string, max: number): number | undefined {
  const raw = prefs.get(name);
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return undefined;
  return Math.min(Number(raw), max);
}
