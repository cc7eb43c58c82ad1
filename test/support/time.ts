/**
 * An ISO timestamp with its fraction padded to seven digits. Graph (and PostgreSQL) trim
 * trailing zeros, so `.12Z` and `.1201Z` do not compare as strings the way the instants do.
 */
export function instant(iso: string): string {
  const [seconds, fraction = ''] = iso.replace(/Z$/, '').split('.');
  return `${seconds}.${fraction.padEnd(7, '0')}Z`;
}
