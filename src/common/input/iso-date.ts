/**
 * ISO 8601 dates and date-times as PostgreSQL's timestamptz takes them: `2026-03-01`,
 * `2026-03-01T12:30`, `2026-03-01T12:30:00.123Z`, `2026-03-01 12:30:00+01:00`. A time without
 * an offset is UTC (never the server's local zone).
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

export const ISO_DATE_MESSAGE =
  'must be an ISO 8601 date-time (e.g. 2026-03-01T12:30:00Z) between the years 0001 and 9999';

function daysIn(year: number, month: number): number {
  return [
    31,
    year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ][month - 1];
}

/**
 * The instant a strict ISO 8601 text names, or null. Unlike `Date.parse`, refuses what
 * PostgreSQL refuses or reads differently: `Feb 30 2020`, `0`, `March 7 2020 (hello)`, years
 * beyond 9999 (`+275760-09-13`), year 0000, the 30th of February, hour 24, offsets past 23:59.
 */
export function parseIsoDateTime(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(
    Number,
  );
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    if (hours > 23 || minutes > 59 || (digits.length !== 2 && digits.length !== 4)) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
