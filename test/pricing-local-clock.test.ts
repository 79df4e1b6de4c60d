// The local clock that time-of-day windows are read in (src/pricing.ts keeps each zone's offset per
// UTC quarter hour) equals Intl's own reading of the instant, around every offset change too.
import { describe, expect, it } from 'vitest';
import { localClock } from '../src/pricing.ts';

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
function reference(at: number, tz: string) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), weekday: WEEKDAY[get('weekday')] };
}

// Zones with DST at whole hours (New York, London), half-hour shifts (Lord Howe), quarter-hour
// offsets (Kathmandu, Chatham), none (Shanghai, DeepSeek's), and one that changed its offset for good.
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Europe/Moscow'];

describe('localClock', () => {
  it('agrees with Intl on 20,000 random instants over 2010–2030 in every zone', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const lo = Date.parse('2010-01-01T00:00:00Z');
    const hi = Date.parse('2030-12-31T00:00:00Z');
    for (let i = 0; i < 20_000; i++) {
      const at = Math.floor(lo + rand() * (hi - lo));
      const tz = ZONES[i % ZONES.length];
      expect(localClock(at, tz), `${new Date(at).toISOString()} ${tz}`).toEqual(reference(at, tz));
    }
  });

  it('agrees minute by minute across offset changes (2026 DST starts and ends, Moscow 2014)', () => {
    const around = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/London', '2026-03-29T01:00:00Z'],
      ['Europe/London', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Pacific/Chatham', '2026-04-04T14:00:00Z'],
      ['Europe/Moscow', '2014-10-25T22:00:00Z'],
    ] as const;
    for (const [tz, iso] of around) {
      const t = Date.parse(iso);
      for (let m = -90; m <= 90; m++) {
        const at = t + m * 60_000 + 17_000;
        expect(localClock(at, tz), `${new Date(at).toISOString()} ${tz}`).toEqual(reference(at, tz));
      }
    }
  });
});
