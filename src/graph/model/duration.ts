// Edm.Duration as Graph writes it: ISO 8601 day-time durations (`P30D`, `PT10S`, `P1DT2H`).
// OData durations have no years or months (their length varies), so neither is accepted.

const DURATION = /^P(?:(\d{1,6})D)?(?:T(?:(\d{1,8})H)?(?:(\d{1,10})M)?(?:(\d{1,12})(?:\.(\d{1,3}))?S)?)?$/;

/** Milliseconds of a duration such as `P30D` or `PT1H30M`, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [days, hours, minutes, seconds, fraction] = m.slice(1);
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Number((fraction ?? '').padEnd(3, '0'));
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The canonical form .NET writes (XmlConvert): `P30D`, `PT1H`, `P1DT2H3M4.5S`, `PT0S`. */
export function formatDuration(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  const date = days ? `${days}D` : '';
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}
