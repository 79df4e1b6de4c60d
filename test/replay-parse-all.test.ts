// Parse-level replay over every dated real copy each scraper holds (issue 10): each copy parses,
// its coverage says how many rows were read of those on the page, and damage to one part of a real
// page costs that part only. Mutation tests: reword one sentence in one section → that section
// unread, every other row read; drop a tier label → an unread section scoped to that model;
// delete one model → that model absent, everything else read.
//   REPLAY_REPORT=1 npx vitest run test/replay-parse-all.test.ts   prints the per-copy table
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Observation, ParseResult, ParseResult as ParseResultSchema } from '../src/model.ts';
import { fixtureBody, listFixtures, runFixture } from '../src/scrape/fixtures.ts';
import { scrapers } from '../scrapers/registry.ts';
import anthropic from '../scrapers/anthropic/index.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import openai from '../scrapers/openai/index.ts';
import openrouter from '../scrapers/openrouter/index.ts';

const ctx = (url: string) => ({ url, observedAt: '2026-09-01T00:00:00Z' });
const key = (o: Observation) => JSON.stringify([o.model, o.component, o.currency, o.conditions, o.kind, o.validFrom, o.validTo]);
const keys = (r: ParseResult) => r.observations.map(key).sort();

function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `the page should contain ${from} once`).toBe(1);
  return text.replace(from, to);
}

describe('every dated copy of every provider', () => {
  const rows: string[] = [];
  for (const scraper of scrapers) {
    for (const fixture of listFixtures(scraper.id)) {
      it(`${scraper.id}/${fixture.name}: parses, and reports rows read of rows on the page`, () => {
        const outcome = runFixture(scraper, fixture);
        if ('error' in outcome) {
          // Only pages that must be refused whole (a JavaScript shell without prices) may be.
          expect(fixture.meta.render, outcome.error.message).toBe('browser');
          rows.push(`${scraper.id}\t${fixture.name}\trefused\t${outcome.error.message}`);
          return;
        }
        const c = outcome.coverage!;
        expect(c.rowsRead).toBeLessThanOrEqual(c.rowsOnPage!);
        if (c.unread.length === 0) expect(c.rowsRead).toBe(c.rowsOnPage);
        const state = c.unread.length === 0 ? 'read' : 'partial';
        rows.push(`${scraper.id}\t${fixture.name}\t${state}\t${c.rowsRead}/${c.rowsOnPage}\t${c.unread.map((u) => `${u.section}: ${u.reason}`).join(' | ')}`);
      });
    }
  }
  it('report', () => {
    if (process.env.REPLAY_REPORT) console.log(['provider\tcopy\tstate\trows read/on page\tunread sections', ...rows.sort()].join('\n'));
    expect(rows.length).toBeGreaterThan(40);
  });

  it('all 31 Anthropic copies (Dec 2025 – Aug 2026) are read whole', () => {
    const copies = listFixtures('anthropic');
    expect(copies.length).toBe(31);
    for (const f of copies) {
      const r = runFixture(anthropic, f) as ParseResult;
      expect(r.coverage!.unread, f.name).toEqual([]);
      expect(r.observations.length, f.name).toBeGreaterThanOrEqual(anthropic.minRows);
    }
  });
});

describe('mutations of real Anthropic pages', () => {
  const fixture = listFixtures('anthropic').find((f) => f.name === 'anthropic-2026-08-21-30e477cd')!;
  const page = fixtureBody(fixture);
  const url = fixture.meta.url;
  const base = anthropic.parse(page, ctx(url));

  it('a reworded sentence in the data-residency section: that section unread, every other row read', () => {
    const mutated = replaceOnce(page, 'incurs a 1.1x multiplier on all token pricing categories', 'is billed at a premium on every token category');
    const r = anthropic.parse(mutated, ctx(url));
    expect(r.coverage!.unread).toEqual([
      {
        section: 'Data residency pricing',
        reason: '"Data residency pricing": the US-only multiplier sentence has changed',
        scope: [{ conditions: { variant: 'us-only' } }, { conditions: { variant: 'us-only', cacheTtl: '5m' } }, { conditions: { variant: 'us-only', cacheTtl: '1h' } }],
      },
    ]);
    const others = base.observations.filter((o) => o.conditions.variant !== 'us-only');
    expect(others.length).toBeGreaterThan(100);
    expect(keys(r)).toEqual(others.map(key).sort());
    expect(r.coverage!.rowsRead).toBe(base.coverage!.rowsRead);
  });

  it('a modifier section pricing one row twice: that section unread, not the page refused', () => {
    const feb = listFixtures('anthropic').find((f) => f.name === 'anthropic-2026-02-08-thevibeworks-0c811de')!;
    const febPage = fixtureBody(feb);
    // The fast-mode table of that copy splits at "> 200K input tokens"; make both rows the same tier.
    const mutated = replaceOnce(febPage, '| > 200K input tokens | $60 / MTok | $225 / MTok |', '| ≤ 200K input tokens | $60 / MTok | $225 / MTok |');
    const good = anthropic.parse(febPage, ctx(feb.meta.url));
    const r = anthropic.parse(mutated, ctx(feb.meta.url));
    expect(r.coverage!.unread.map((u) => u.section)).toEqual(['Fast mode pricing']);
    expect(r.coverage!.unread[0].reason).toMatch(/is priced twice on the page/);
    expect(keys(r)).toEqual(good.observations.filter((o) => o.conditions.variant !== 'fast-mode').map(key).sort());
  });

  it('a long-context header that loses its tier label: that section unread, the rest read', () => {
    const mar = listFixtures('anthropic').find((f) => f.name === 'anthropic-2026-03-10-e3713eb8')!;
    const marPage = fixtureBody(mar);
    const good = anthropic.parse(marPage, ctx(mar.meta.url));
    const r = anthropic.parse(replaceOnce(marPage, '| Model | ≤ 200K input tokens | > 200K input tokens |', '| Model | Standard | Long context |'), ctx(mar.meta.url));
    expect(r.coverage!.unread.map((u) => u.section)).toEqual(['Long context pricing']);
    expect(r.coverage!.unread[0].reason).toMatch(/long context table has no "> 200K input tokens" column/);
    expect(good.observations.some((o) => o.conditions.contextAbove === 200000)).toBe(true);
    expect(keys(r)).toEqual(good.observations.filter((o) => o.conditions.contextAbove === undefined).map(key).sort());
  });

  it('one model deleted from every table: that model absent, everything else read', () => {
    const gone = 'anthropic/claude-3-5-haiku';
    expect(base.observations.some((o) => o.model === gone)).toBe(true);
    const mutated = page
      .split('\n')
      .filter((l) => !l.startsWith('| Claude Haiku 3.5'))
      .join('\n');
    const r = anthropic.parse(mutated, ctx(url));
    expect(r.coverage!.unread).toEqual([]);
    expect(r.observations.some((o) => o.model === gone)).toBe(false);
    expect(r.models!.some((m) => m.id === gone)).toBe(false);
    expect(keys(r)).toEqual(base.observations.filter((o) => o.model !== gone).map(key).sort());
  });
});

describe('mutations of a real OpenAI page', () => {
  const fixture = listFixtures('openai').find((f) => f.name === 'openai-docs-pricing-2025-12-19-petehsu')!;
  const page = readFileSync(fixture.pageFile, 'utf8');
  const url = fixture.meta.url;
  // The long-context layout of the later page, on the real 2025-12-19 Batch table: short and long
  // columns, the first row's label stating where the short tier ends. (A test-local construction:
  // no copy of that layout exists here.)
  const header = '| Model | Input | Cached input | Output |\n| --- | --- | --- | --- |\n| gpt-5.2 | $0.875 | $0.0875 | $7.00 |';
  const long =
    '| Model | Short context input | Short context cached input | Short context output | Long context input | Long context output |\n| --- | --- | --- | --- | --- | --- |\n| gpt-5.2 (<272K context length) | $0.875 | $0.0875 | $7.00 | $1.75 | $10.50 |';
  // The first such table is the Text tokens Batch tab (the second, further down, another section's).
  expect(page.indexOf(header)).toBeGreaterThan(0);
  expect(page.indexOf(header)).toBeLessThan(page.indexOf('### Image tokens'));
  const withLong = page.replace(header, long);

  it('the long-context layout reads the tier the label states: ≥ 272,000 tokens, inclusive', () => {
    const r = openai.parse(fixLongTable(withLong), ctx(url));
    const tier = r.observations.filter((o) => o.model === 'openai/gpt-5.2' && o.conditions.contextAbove);
    expect(tier.map((o) => [o.component, o.amount, o.conditions])).toEqual([
      ['input', '1.75', { contextAbove: 272000, contextInclusive: true, serviceTier: 'batch' }],
      ['output', '10.5', { contextAbove: 272000, contextInclusive: true, serviceTier: 'batch' }],
    ]);
    expect(r.coverage!.unread).toEqual([]);
  });

  it('the same page with the tier label dropped: the long cells are unread, scoped to that model; nothing else changes', () => {
    const good = openai.parse(fixLongTable(withLong), ctx(url));
    const r = openai.parse(fixLongTable(withLong.replace('gpt-5.2 (<272K context length)', 'gpt-5.2')), ctx(url));
    expect(r.coverage!.unread).toEqual([
      { section: 'text tokens long-context cells of openai/gpt-5.2', reason: expect.stringMatching(/2 long-context price\(s\) shown, but the row states no context bound/), scope: [{ model: 'openai/gpt-5.2' }] },
    ]);
    expect(keys(r)).toEqual(good.observations.filter((o) => !o.conditions.contextAbove).map(key).sort());
  });

  it('one model deleted: that model absent, everything else read', () => {
    const base = openai.parse(page, ctx(url));
    const mutated = page
      .split('\n')
      .filter((l) => !/^\| gpt-5-nano \|/.test(l))
      .join('\n');
    const r = openai.parse(mutated, ctx(url));
    expect(r.coverage!.unread).toEqual([]);
    expect(keys(r)).toEqual(base.observations.filter((o) => o.model !== 'openai/gpt-5-nano').map(key).sort());
  });

  /** The rows under the widened header need the two long cells too ("-": no long price). */
  function fixLongTable(text: string): string {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.startsWith('| Model | Short context input'));
    for (let i = start + 3; i < lines.length && lines[i].startsWith('|'); i++) lines[i] = `${lines[i]} - | - |`;
    return lines.join('\n');
  }
});

describe('mutations of real DeepSeek and OpenRouter pages', () => {
  it('DeepSeek: one implausible cell ($ and 400 nines) is an unread row; the other rows are read', () => {
    const f = listFixtures('deepseek').find((x) => x.name === 'deepseek-en-2026-05-23-constructed-from-clipping')!;
    const page = fixtureBody(f);
    const good = deepseek.parse(page, ctx(f.meta.url));
    const r = deepseek.parse(replaceOnce(page, '<td>$0.14</td>', `<td>$${'9'.repeat(400)}</td>`), ctx(f.meta.url));
    expect(r.coverage!.unread).toHaveLength(1);
    expect(r.coverage!.unread[0]).toMatchObject({ section: 'deepseek-v4-flash 1M INPUT TOKENS (CACHE MISS)', scope: [{ model: 'deepseek/deepseek-v4-flash', component: 'input', currency: 'USD' }] });
    expect(r.coverage!.unread[0].reason).toMatch(/is not a price/);
    expect(keys(r)).toEqual(good.observations.filter((o) => !(o.model === 'deepseek/deepseek-v4-flash' && o.component === 'input')).map(key).sort());
    expect(r.observations.every((o) => o.amount.length < 20)).toBe(true);
  });

  it('DeepSeek: the English page whose hours footnote is missing reads models, leaves the hours-dependent rows unread', () => {
    const f = listFixtures('deepseek').find((x) => x.name === 'deepseek-en-2026-09-modelscn-fixture-v41-trimmed')!;
    const r = runFixture(deepseek, f) as ParseResult;
    expect(r.observations).toEqual([]);
    expect(r.models!.map((m) => m.id)).toEqual(['deepseek/deepseek-flash', 'deepseek/deepseek-v4-pro']);
    expect(r.coverage!).toMatchObject({ rowsOnPage: 12, rowsRead: 0 });
    expect(r.coverage!.unread[0].section).toBe('peak/off-peak hours footnote');
  });

  it('DeepSeek: the UTC (English) and Beijing (Chinese) weekday footnotes give the same peak instants over a week', () => {
    const en = runFixture(deepseek, listFixtures('deepseek').find((x) => x.name === 'deepseek-en-2026-09-constructed-weekday-footnote')!) as ParseResult;
    const zh = runFixture(deepseek, listFixtures('deepseek').find((x) => x.name === 'deepseek-zh-2026-09-constructed-weekday-footnote')!) as ParseResult;
    const peak = (r: ParseResult) => r.observations.find((o) => o.component === 'input' && o.conditions.hours?.label === 'peak')!.conditions.hours!;
    const offPeak = (r: ParseResult) => r.observations.filter((o) => o.model === r.observations[0].model && o.component === 'input' && o.conditions.hours?.label === 'off-peak').map((o) => o.conditions.hours!);
    expect(peak(en).days).toEqual([1, 2, 3, 4, 5]);
    // Saturday 2026-09-05 and Monday 2026-09-07, every 15 minutes.
    for (let t = Date.parse('2026-09-04T12:00:00Z'); t < Date.parse('2026-09-08T12:00:00Z'); t += 15 * 60_000) {
      const inEn = inWindow(peak(en), t);
      expect(inEn, new Date(t).toISOString()).toBe(inWindow(peak(zh), t));
      expect(offPeak(en).some((w) => inWindow(w, t))).toBe(!inEn);
      expect(offPeak(zh).some((w) => inWindow(w, t))).toBe(!inEn);
    }
    expect(inWindow(peak(en), Date.parse('2026-09-05T02:00:00Z'))).toBe(false); // Saturday: off-peak all day
    expect(inWindow(peak(en), Date.parse('2026-09-07T02:00:00Z'))).toBe(true); // Monday 02:00 UTC = 10:00 Beijing
  });

  it('OpenRouter: "-1" and implausible prices are unread rows, never removals; the rest of the model is read', () => {
    const f = listFixtures('openrouter')[0];
    const body = JSON.parse(fixtureBody(f)) as { data: { id: string; pricing: Record<string, string> }[] };
    const victim = body.data.find((m) => m.pricing.prompt !== '0' && m.pricing.prompt !== '-1' && 'input_cache_read' in m.pricing)!;
    victim.pricing.prompt = '1000000';
    victim.pricing.completion = '-1';
    const r = openrouter.parse(JSON.stringify(body), ctx(f.meta.url));
    const id = `openrouter/${victim.id.toLowerCase()}`;
    const unread = r.coverage!.unread.filter((u) => u.section.startsWith(victim.id));
    expect(unread.map((u) => u.scope)).toEqual([[{ model: id, component: 'input', currency: 'USD' }], [{ model: id, component: 'output', currency: 'USD' }]]);
    expect(unread[0].reason).toMatch(/above the plausible maximum/);
    expect(unread[1].reason).toMatch(/negative price "-1" refused/);
    expect(r.observations.filter((o) => o.model === id).map((o) => o.component)).toContain('cache_read');
    expect(r.observations.some((o) => o.model === id && (o.component === 'input' || o.component === 'output'))).toBe(false);
  });
});

describe('OpenRouter: odd model fields are not prices and do not break the page', () => {
  it('a context_length of 1e20, -5 or "big" is left out; the model and its prices are read', () => {
    const f = listFixtures('openrouter')[0];
    const body = JSON.parse(fixtureBody(f)) as { data: Record<string, unknown>[] };
    const odd: unknown[] = [1e20, -5, 'big', 1.5];
    odd.forEach((v, i) => (body.data[i].context_length = v));
    const r = openrouter.parse(JSON.stringify(body), ctx(f.meta.url));
    for (let i = 0; i < odd.length; i++) {
      const m = r.models!.find((x) => x.id === `openrouter/${String(body.data[i].id).toLowerCase()}`)!;
      expect(m.contextWindow).toBeUndefined();
    }
    expect(() => ParseResultSchema.parse(r)).not.toThrow();
  });
});

/** Whether instant `t` is in window `w`, days read as the ISO weekday of the local day a range starts on. */
function inWindow(w: { tz: string; ranges: [string, string][]; days?: number[] }, t: number): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: w.tz, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(t));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  const now = Number(get('hour')) * 60 + Number(get('minute'));
  return w.ranges.some(([s, e]) => {
    const [a, b] = [s, e].map((x) => Number(x.slice(0, 2)) * 60 + Number(x.slice(3)));
    if (a < b) return now >= a && now < b && (!w.days || w.days.includes(day));
    // A wrapping range belongs to the day it starts on.
    const prev = day === 1 ? 7 : day - 1;
    return (now >= a && (!w.days || w.days.includes(day))) || (now < b && (!w.days || w.days.includes(prev)));
  });
}
