// Dates and instants in the zone the page states. A stated zone ("UTC", "北京时间", "PT", "CEST",
// "UTC+8") wins; a bare date or time is read in the page's declared zone (every scraper declares
// one: DeepSeek's Chinese page is Asia/Shanghai). Local times become instants through the IANA
// zone rules (Intl), so daylight saving is right on both sides of a change.
import { LayoutChangedError } from '../../src/errors.ts';
import { type LocalTime, localToInstant } from '../../src/zones.ts';


/**
 * A time zone as a page states it → an IANA zone (fixed offsets of whole hours become Etc/GMT∓N,
 * other offsets "+05:30" stay as an offset, usable for instants but not for hours windows).
 * Returns undefined when the text names no zone we know.
 */
export function zoneNamed(text: string): string | undefined {
  const t = text.trim();
  const offset = /^(?:UTC|GMT)?\s*([+-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(t);
  if (offset && /^(UTC|GMT|[+-−])/i.test(t)) return offsetZone(offset[1] === '+' ? 1 : -1, Number(offset[2]), Number(offset[3] ?? '0'));
  if (/^(UTC|GMT|Z|Coordinated Universal Time)$/i.test(t)) return 'UTC';
  if (/^(北京时间|Beijing(?: time)?|China Standard Time|CST|Asia\/Shanghai)$/i.test(t)) return 'Asia/Shanghai';
  if (/^(PT|PST|PDT|Pacific(?: Time)?|Pacific (?:Standard|Daylight) Time)$/i.test(t)) return 'America/Los_Angeles';
  if (/^(ET|EST|EDT|Eastern(?: Time)?)$/i.test(t)) return 'America/New_York';
  if (/^(CET|CEST|Central European(?: Summer)? Time)$/i.test(t)) return 'Europe/Berlin';
  if (isIanaZone(t) && t.includes('/')) return t;
  return undefined;
}

/** Zone words a page may put next to a time, longest first (for building patterns). */
export const ZONE_WORDS =
  '北京时间|Beijing time|China Standard Time|Coordinated Universal Time|Pacific (?:Standard|Daylight) Time|Central European(?: Summer)? Time|(?:UTC|GMT)\\s*[+-−]\\s*\\d{1,2}(?::?\\d{2})?|UTC|GMT|CEST|CET|PST|PDT|PT|CST|EST|EDT';

function offsetZone(sign: 1 | -1, hours: number, minutes: number): string {
  if (hours > 14 || minutes > 59) throw new LayoutChangedError(`UTC offset ${sign > 0 ? '+' : '-'}${hours}:${minutes} is not a real offset`);
  if (hours === 0 && minutes === 0) return 'UTC';
  // IANA's Etc zones invert the sign: UTC+8 is Etc/GMT-8.
  if (minutes === 0) return `Etc/GMT${sign > 0 ? '-' : '+'}${hours}`;
  return `${sign > 0 ? '+' : '-'}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

export function isIanaZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The start of a local calendar day in `zone` ("August 17, 2026" on a Beijing page → 2026-08-16T16:00:00Z). */
export function dayStart(t: Omit<LocalTime, 'hour' | 'minute'>, zone: string, where?: string): string {
  return toIso(localToInstant({ ...t, hour: 0, minute: 0 }, zone, where));
}

/** The end of a local calendar day (the next day's start): "through August 31" ends here. */
export function dayEnd(t: Omit<LocalTime, 'hour' | 'minute'>, zone: string, where?: string): string {
  const next = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
  return dayStart({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, zone, where);
}

/**
 * The end of a stated minute: "valid until 2026/05/05 15:59 UTC" runs through that minute, so
 * the period ends at 16:00Z. A stated ":00" end is the instant itself ("until 16:00").
 */
export function untilStatedMinute(t: LocalTime, zone: string, where?: string): string {
  const ms = localToInstant(t, zone, where);
  return toIso(t.minute === 59 ? ms + 60_000 : ms);
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** "August 31, 2026" / "Aug 31, 2026" → a local date. */
export function parseEnglishDate(text: string, where: string): Omit<LocalTime, 'hour' | 'minute'> {
  const m = /^([A-Z][a-z]+)\.? (\d{1,2}), (\d{4})$/.exec(text.trim());
  const month = m ? MONTHS.findIndex((name) => name === m[1].toLowerCase() || (m[1].length >= 3 && name.startsWith(m[1].toLowerCase()))) : -1;
  if (!m || month < 0) throw new LayoutChangedError(`${where}: "${text}" is not a date`);
  const out = { year: Number(m[3]), month: month + 1, day: Number(m[2]) };
  localToInstant(out, 'UTC', where); // refuses February 30
  return out;
}

/** "2026/05/05 15:59", "2026-4-26 12:15", "2026年8月17日 00:00" (time optional). */
export const NUMERIC_DATE_TIME = /(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2}))?/g;

/**
 * The zone stated right next to a time ("15:59 UTC", "(UTC+8)") or just before it in the same
 * clause ("北京时间 2026/05/31 23:59"); undefined when none is.
 */
export function zoneAround(before: string, after: string): string | undefined {
  const a = new RegExp(`^\\s*\\(?\\s*(${ZONE_WORDS})\\b`, 'i').exec(after);
  if (a) return zoneNamed(a[1]);
  const b = new RegExp(`(${ZONE_WORDS})\\s*[:：]?\\s*$`, 'i').exec(before.trimEnd());
  if (b) return zoneNamed(b[1]);
  const clause = new RegExp(`(${ZONE_WORDS})`, 'i').exec(before);
  return clause ? zoneNamed(clause[1]) : undefined;
}
