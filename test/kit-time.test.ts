// Dates, instants and hours windows in the zone the page states (issue 10: zones are read, not
// assumed): UTC and Beijing footnotes give the same instants, DST is right on both sides of a
// change, weekday-only and wrapping windows, and the off-peak complement.
import { describe, expect, it } from 'vitest';
import { inHours } from '../src/pricing.ts';
import { HoursWindow } from '../src/model.ts';
import { complementWindow, readPeakHours, statedDays } from '../scrapers/_kit/hours.ts';
import { localToInstant } from '../src/zones.ts';
import { dayEnd, dayStart, toIso, untilStatedMinute, zoneAround, zoneNamed } from '../scrapers/_kit/time.ts';
import { footnoteInstants } from '../scrapers/deepseek/index.ts';

const at = (iso: string) => Date.parse(iso);

describe('zones as pages name them', () => {
  it('maps page wording to IANA zones', () => {
    expect(zoneNamed('UTC')).toBe('UTC');
    expect(zoneNamed('GMT')).toBe('UTC');
    expect(zoneNamed('北京时间')).toBe('Asia/Shanghai');
    expect(zoneNamed('Beijing time')).toBe('Asia/Shanghai');
    expect(zoneNamed('CST')).toBe('Asia/Shanghai');
    expect(zoneNamed('UTC+8')).toBe('Etc/GMT-8');
    expect(zoneNamed('PT')).toBe('America/Los_Angeles');
    expect(zoneNamed('PDT')).toBe('America/Los_Angeles');
    expect(zoneNamed('CEST')).toBe('Europe/Berlin');
    expect(zoneNamed('UTC+05:30')).toBe('+05:30');
    expect(zoneNamed('Europe/Paris')).toBe('Europe/Paris');
    expect(zoneNamed('Mars time')).toBeUndefined();
  });

  it('finds the zone next to a time or earlier in its clause', () => {
    expect(zoneAround('valid until ', ' UTC.')).toBe('UTC');
    expect(zoneAround('优惠活动截至北京时间 ', '。')).toBe('Asia/Shanghai');
    expect(zoneAround('ends ', ' (UTC+8)')).toBe('Etc/GMT-8');
    expect(zoneAround('ends ', '.')).toBeUndefined();
  });
});

describe('instants', () => {
  it('a UTC footnote and a Beijing footnote give the same instants', () => {
    const utc = footnoteInstants('The discount is valid until 2026/05/05 15:59 UTC.', 't', 'UTC');
    const bj = footnoteInstants('优惠截至北京时间 2026/05/05 23:59。', 't', 'Asia/Shanghai');
    const offset = footnoteInstants('Valid until 2026/05/05 23:59 (UTC+8).', 't', 'UTC');
    expect(utc).toEqual({ until: '2026-05-05T16:00:00Z' });
    expect(bj).toEqual(utc);
    expect(offset).toEqual(utc);
  });

  it('a bare date on a Beijing page starts at Beijing midnight (2026-08-17 is 08-16T16:00Z)', () => {
    expect(footnoteInstants('新价格自 2026/08/17 起生效。', 't', 'Asia/Shanghai')).toEqual({ from: '2026-08-16T16:00:00Z' });
    expect(footnoteInstants('New prices take effect from 2026/08/17.', 't', 'UTC')).toEqual({ from: '2026-08-17T00:00:00Z' });
    expect(dayStart({ year: 2026, month: 8, day: 17 }, 'Asia/Shanghai')).toBe('2026-08-16T16:00:00Z');
  });

  it('"until 15:59" runs through that minute; "through August 31" through that day', () => {
    expect(untilStatedMinute({ year: 2026, month: 5, day: 5, hour: 15, minute: 59 }, 'UTC')).toBe('2026-05-05T16:00:00Z');
    expect(untilStatedMinute({ year: 2026, month: 5, day: 5, hour: 16, minute: 0 }, 'UTC')).toBe('2026-05-05T16:00:00Z');
    expect(dayEnd({ year: 2026, month: 8, day: 31 }, 'UTC')).toBe('2026-09-01T00:00:00Z');
    expect(dayEnd({ year: 2026, month: 12, day: 31 }, 'Asia/Shanghai')).toBe('2026-12-31T16:00:00Z');
  });

  it('America/Los_Angeles across the March change (PST −8 before, PDT −7 after)', () => {
    expect(toIso(localToInstant({ year: 2026, month: 3, day: 7, hour: 9, minute: 0 }, 'America/Los_Angeles'))).toBe('2026-03-07T17:00:00Z');
    expect(toIso(localToInstant({ year: 2026, month: 3, day: 9, hour: 9, minute: 0 }, 'America/Los_Angeles'))).toBe('2026-03-09T16:00:00Z');
    // 02:30 on 2026-03-08 does not exist in Los Angeles: refused, not guessed.
    expect(() => localToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/Los_Angeles')).toThrow(/does not exist/);
    // Europe: CET → CEST on 2026-03-29.
    expect(toIso(localToInstant({ year: 2026, month: 3, day: 28, hour: 12, minute: 0 }, 'Europe/Berlin'))).toBe('2026-03-28T11:00:00Z');
    expect(toIso(localToInstant({ year: 2026, month: 3, day: 30, hour: 12, minute: 0 }, 'Europe/Berlin'))).toBe('2026-03-30T10:00:00Z');
  });

  it('refuses dates that do not exist', () => {
    expect(() => localToInstant({ year: 2026, month: 2, day: 30 }, 'UTC')).toThrow(/not a real date/);
  });
});

describe('hours windows', () => {
  it('reads "Peak hours are 01:00 - 04:00 and 06:00 - 10:00 UTC"; off-peak is the rest', () => {
    const h = readPeakHours('Off-peak prices are half of the peak prices. Peak hours are 01:00 - 04:00 and 06:00 - 10:00 UTC.', 'UTC');
    expect(h.peak).toEqual([{ tz: 'UTC', ranges: [['01:00', '04:00'], ['06:00', '10:00']], label: 'peak' }]);
    expect(h['off-peak']).toEqual([{ tz: 'UTC', ranges: [['00:00', '01:00'], ['04:00', '06:00'], ['10:00', '24:00']], label: 'off-peak' }]);
  });

  it('the same hours stated in UTC and in Beijing time cover the same instants', () => {
    const utc = readPeakHours('Peak hours are 01:00 - 04:00 and 06:00 - 10:00 UTC.', 'UTC');
    const bj = readPeakHours('高峰时段为北京时间 9:00 - 12:00、14:00 - 18:00（其余为空闲时段）。', 'Asia/Shanghai');
    for (let t = at('2026-08-20T00:00:00Z'); t < at('2026-08-21T00:00:00Z'); t += 15 * 60_000) {
      expect(inHours(utc.peak[0], t), new Date(t).toISOString()).toBe(inHours(bj.peak[0], t));
      expect(bj['off-peak'].some((w) => inHours(w, t))).toBe(!inHours(bj.peak[0], t));
    }
  });

  it('a bare statement uses the page zone; two zones in one sentence are refused', () => {
    expect(readPeakHours('高峰时段为 9:00 - 12:00（其余为空闲时段）', 'Asia/Shanghai').peak[0].tz).toBe('Asia/Shanghai');
    expect(() => readPeakHours('Peak hours are 01:00 - 04:00 UTC (09:00 - 12:00 Beijing time)', 'UTC')).toThrow(/two zones/);
  });

  it('a Monday–Friday window: days [1..5]; off-peak is the rest of weekdays and the whole weekend', () => {
    const h = readPeakHours('Peak hours are 01:00 - 04:00 and 06:00 - 10:00 UTC, Monday to Friday.', 'UTC');
    expect(h.peak[0].days).toEqual([1, 2, 3, 4, 5]);
    expect(h['off-peak']).toEqual([
      { tz: 'UTC', ranges: [['00:00', '01:00'], ['04:00', '06:00'], ['10:00', '24:00']], days: [1, 2, 3, 4, 5], label: 'off-peak' },
      { tz: 'UTC', ranges: [['00:00', '24:00']], days: [6, 7], label: 'off-peak' },
    ]);
    for (const w of [...h.peak, ...h['off-peak']]) expect(HoursWindow.safeParse(w).success).toBe(true);
    expect(statedDays('工作日 9:00 - 12:00')).toEqual([1, 2, 3, 4, 5]);
    expect(statedDays('周一至周五')).toEqual([1, 2, 3, 4, 5]);
    expect(statedDays('Mon–Fri')).toEqual([1, 2, 3, 4, 5]);
    expect(statedDays('every day')).toBeUndefined();
  });

  it('a window wrapping midnight, in any IANA zone, and its complement', () => {
    const h = readPeakHours('Off-peak hours are 22:00 - 06:00 PT; other times are peak.', 'UTC');
    expect(h['off-peak'][0]).toEqual({ tz: 'America/Los_Angeles', ranges: [['22:00', '06:00']], label: 'off-peak' });
    expect(h.peak[0].ranges).toEqual([['06:00', '22:00']]);
    const w = h['off-peak'][0];
    expect(inHours(w, at('2026-01-15T07:00:00Z'))).toBe(true); // 23:00 PST
    expect(inHours(w, at('2026-07-15T13:30:00Z'))).toBe(false); // 06:30 PDT
    expect(complementWindow({ tz: 'UTC', ranges: [['00:00', '24:00']] })).toEqual([]);
  });

  it('overlapping or empty ranges are refused', () => {
    expect(() => readPeakHours('Peak hours are 01:00 - 05:00 and 04:00 - 06:00 UTC.', 'UTC')).toThrow(/overlapping/);
    expect(() => readPeakHours('Peak hours are 01:00 - 01:00 UTC.', 'UTC')).toThrow(/empty/);
  });
});
