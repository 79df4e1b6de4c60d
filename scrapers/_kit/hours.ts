// Hours windows as pages state them: "Peak hours are 01:00 - 04:00 and 06:00 - 10:00 UTC",
// "高峰时段为北京时间 9:00 - 12:00、14:00 - 18:00（其余为空闲时段）", "Monday to Friday" / "工作日" →
// HoursWindow { tz, ranges, days? } (src/model.ts). Ranges may wrap midnight; the zone is the one
// stated, else the page's declared zone. The off-peak complement is computed, days included.
import { LayoutChangedError } from '../../src/errors.ts';
import type { HoursWindow } from '../../src/model.ts';
import { ZONE_WORDS, isIanaZone, zoneNamed } from './time.ts';

export type Period = 'peak' | 'off-peak';

const RANGE = /(\d{1,2})[:：](\d{2})\s*(?:-|–|—|~|～|至|到|to)\s*(\d{1,2})[:：](\d{2})/gi;
const PERIOD_WORD = /off-peak|off peak|non-peak|空闲|闲时|低谷|非高峰|peak|高峰/gi;
const REST_WORDS = /其余|其他时间|其它时间|rest of|other times|all other|remaining|otherwise|outside/i;

const DAY_NAMES: [RegExp, number][] = [
  [/^(mon(day)?|周一|星期一|礼拜一)$/i, 1],
  [/^(tue(s|sday)?|周二|星期二)$/i, 2],
  [/^(wed(nesday)?|周三|星期三)$/i, 3],
  [/^(thu(rs|rsday)?|周四|星期四)$/i, 4],
  [/^(fri(day)?|周五|星期五)$/i, 5],
  [/^(sat(urday)?|周六|星期六)$/i, 6],
  [/^(sun(day)?|周日|周天|星期日|星期天)$/i, 7],
];
const DAY = '(?:Mon(?:day)?|Tue(?:s|sday)?|Wed(?:nesday)?|Thu(?:rs|rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?|周[一二三四五六日天]|星期[一二三四五六日天])';

function dayNumber(name: string): number {
  const hit = DAY_NAMES.find(([re]) => re.test(name.trim()));
  if (!hit) throw new LayoutChangedError(`"${name}" is not a weekday`);
  return hit[1];
}

/**
 * The weekdays a statement limits itself to: "Monday–Friday", "Mon to Fri", "weekdays",
 * "工作日", "周一至周五"; undefined = every day (nothing said). A weekend-only statement gives [6, 7].
 */
export function statedDays(text: string): number[] | undefined {
  const span = new RegExp(`(${DAY})\\s*(?:-|–|—|~|～|至|到|to|through|thru)\\s*(${DAY})`, 'i').exec(text);
  if (span) {
    const from = dayNumber(span[1]);
    const to = dayNumber(span[2]);
    const out: number[] = [];
    for (let d = from; ; d = (d % 7) + 1) {
      out.push(d);
      if (d === to) break;
    }
    return out.sort((a, b) => a - b);
  }
  if (/\bweekdays?\b|工作日|business days?/i.test(text) && !/weekends? and weekdays|weekdays and weekends/i.test(text)) return [1, 2, 3, 4, 5];
  if (/\bweekends?\b|周末/i.test(text) && /only|仅/i.test(text)) return [6, 7];
  return undefined;
}

function hhmm(h: string, m: string, text: string): string {
  if (Number(h) > 24 || Number(m) > 59 || (Number(h) === 24 && m !== '00')) throw new LayoutChangedError(`"${h}:${m}" is not a time of day in "${text}"`);
  return `${h.padStart(2, '0')}:${m}`;
}

function minutes(t: string): number {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
}

function fmt(mins: number): string {
  return `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
}

/** Ranges as [start, end) minute intervals within one day; a wrapping range splits in two. */
function intervals(ranges: [string, string][], text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const [s, e] of ranges) {
    const a = minutes(s);
    const b = minutes(e);
    if (a === b) throw new LayoutChangedError(`empty hours range ${s}–${e} in "${text}"`);
    if (a < b) out.push([a, b]);
    else {
      if (a < 1440) out.push([a, 1440]);
      if (b > 0) out.push([0, b]);
    }
  }
  out.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < out.length; i++) if (out[i][0] < out[i - 1][1]) throw new LayoutChangedError(`overlapping hours in "${text}"`);
  return out;
}

/** The parts of the day (00:00–24:00) not covered by `ranges`. */
export function complementRanges(ranges: [string, string][], text = ''): [string, string][] {
  const out: [string, string][] = [];
  let cursor = 0;
  for (const [a, b] of intervals(ranges, text)) {
    if (a > cursor) out.push([fmt(cursor), fmt(a)]);
    cursor = Math.max(cursor, b);
  }
  if (cursor < 1440) out.push([fmt(cursor), '24:00']);
  return out;
}

/**
 * Every moment not in `w`, as windows: without days, the complement ranges every day; with days,
 * the complement ranges on those days and the whole day on the others (off-peak on weekends when
 * peak is Monday–Friday). A range of `w` that wraps past midnight into a day outside `w.days` is
 * counted from its start day, as the model reads it.
 */
export function complementWindow(w: HoursWindow, label?: string): HoursWindow[] {
  const base = label ? { label } : {};
  const ranges = complementRanges(w.ranges);
  const wraps = w.ranges.some(([s, e]) => minutes(e) < minutes(s) && minutes(e) > 0);
  if (!w.days || w.days.length === 7) return ranges.length ? [{ tz: w.tz, ranges, ...base }] : [];
  if (wraps) throw new LayoutChangedError('off-peak of a weekday-limited window that wraps midnight cannot be written as time-of-day ranges');
  const others = [1, 2, 3, 4, 5, 6, 7].filter((d) => !w.days!.includes(d));
  const out: HoursWindow[] = [];
  if (ranges.length) out.push({ tz: w.tz, ranges, days: [...w.days].sort((a, b) => a - b), ...base });
  out.push({ tz: w.tz, ranges: [['00:00', '24:00']], days: others, ...base });
  return out;
}

export interface StatedHours {
  peak: HoursWindow[];
  'off-peak': HoursWindow[];
  /** How each period was read, for the observation note. */
  notes: Record<Period, string>;
}

/**
 * Peak/off-peak windows from the sentence that states them. Ranges belong to the nearest period
 * word before them; a period stated as "the rest" (or not stated at all, when the other is) is the
 * complement. The zone is the one the sentence names, else `pageZone`; days as statedDays reads them.
 */
export function readPeakHours(text: string, pageZone: string): StatedHours {
  if (!new RegExp(RANGE.source, 'i').test(text)) throw new LayoutChangedError(`no hours stated in "${text}"`);
  const zones = [...text.matchAll(new RegExp(`(${ZONE_WORDS})`, 'gi'))].map((m) => zoneNamed(m[1])).filter((z): z is string => Boolean(z));
  const distinct = [...new Set(zones)];
  if (distinct.length > 1) throw new LayoutChangedError(`the hours sentence names two zones (${distinct.join(', ')}): "${text}"`);
  const tz = distinct[0] ?? pageZone;
  if (!isIanaZone(tz)) throw new LayoutChangedError(`hours stated in ${tz}, which is no IANA zone`);
  const stated = distinct.length ? 'as stated' : `in the page's zone ${pageZone}`;
  const days = statedDays(text);

  const words = [...text.matchAll(PERIOD_WORD)].map((m) => ({ at: m.index ?? 0, period: (/off|non|空闲|闲时|低谷|非/i.test(m[0]) ? 'off-peak' : 'peak') as Period }));
  const ranges: Record<Period, [string, string][]> = { peak: [], 'off-peak': [] };
  for (const m of text.matchAll(RANGE)) {
    const owner = words.filter((w) => w.at < (m.index ?? 0)).pop();
    if (!owner) throw new LayoutChangedError(`hours "${m[0]}" are not introduced as peak or off-peak: "${text}"`);
    ranges[owner.period].push([hhmm(m[1], m[2], text), hhmm(m[3], m[4], text)]);
  }
  const dayText = days ? ` on ISO weekdays ${days.join(',')}` : '';
  const out: StatedHours = { peak: [], 'off-peak': [], notes: { peak: '', 'off-peak': '' } };
  for (const period of ['peak', 'off-peak'] as const) {
    if (ranges[period].length === 0) continue;
    intervals(ranges[period], text);
    out[period] = [{ tz, ranges: ranges[period], ...(days ? { days } : {}), label: period }];
    out.notes[period] = `${period} hours ${stated} (${tz})${dayText}`;
  }
  for (const period of ['peak', 'off-peak'] as const) {
    const other: Period = period === 'peak' ? 'off-peak' : 'peak';
    if (out[period].length > 0) continue;
    if (out[other].length === 0) throw new LayoutChangedError(`the hours sentence states neither peak nor off-peak hours: "${text}"`);
    // Peak and off-peak split the week between them: hours stated for one make the other its
    // complement, whether or not the sentence says "the rest" (其余为空闲时段).
    const said = REST_WORDS.test(text) ? 'as the sentence states' : 'as peak and off-peak split the week';
    out[period] = complementWindow(out[other][0], period);
    out.notes[period] = `${period} hours: the rest of the week, the complement of the stated ${other} hours (${tz}), ${said}`;
  }
  return out;
}
