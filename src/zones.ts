// Wall-clock times in IANA zones → instants, through the zone rules Intl knows, so daylight saving
// is right on both sides of a change. The one implementation: scrapers (scrapers/_kit/time.ts) and
// fixtures use it.
import { LayoutChangedError } from './errors.ts';

/** Offset of `zone` from UTC at instant `ms`, in minutes (east positive). */
export function offsetMinutes(zone: string, ms: number): number {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === '+' ? 1 : -1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
}

/**
 * A wall-clock time in `zone` → the instant (ms). A time that does not exist (skipped by a DST
 * change) or a date that does not exist is refused; an ambiguous one (repeated hour) takes the
 * earlier instant.
 */
export function localToInstant(t: LocalTime, zone: string, where = 'date'): number {
  const { year, month, day } = t;
  const hour = t.hour ?? 0;
  const minute = t.minute ?? 0;
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(naive) || month < 1 || month > 12 || check.getUTCDate() !== day || hour > 24 || minute > 59 || (hour === 24 && minute !== 0))
    throw new LayoutChangedError(`${where}: ${year}-${month}-${day} ${hour}:${minute} is not a real date and time`);
  // Two passes find the offset in force at the local time (the first guess may sit across a change).
  const candidates = new Set<number>();
  for (const guess of [naive - offsetMinutes(zone, naive - 86_400_000) * 60_000, naive - offsetMinutes(zone, naive + 86_400_000) * 60_000]) {
    const ms = naive - offsetMinutes(zone, guess) * 60_000;
    if (ms + offsetMinutes(zone, ms) * 60_000 === naive) candidates.add(ms);
  }
  if (candidates.size === 0) throw new LayoutChangedError(`${where}: ${year}-${month}-${day} ${hour}:${String(minute).padStart(2, '0')} does not exist in ${zone} (skipped by a clock change)`);
  return Math.min(...candidates);
}

