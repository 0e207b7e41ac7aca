/** Dates as the API writes them. */

/** Today's date on this machine, `YYYY-MM-DD`. */
export function today(now: Date = new Date()): string {
  return isoDate(now);
}

export function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `YYYY-MM-DD`, `YYYYMMDD` or a Date, as `YYYYMMDD` (the report endpoints' format). */
export function compactDate(value: string | Date): string {
  if (value instanceof Date) return isoDate(value).replaceAll('-', '');
  return value.replaceAll('-', '');
}
