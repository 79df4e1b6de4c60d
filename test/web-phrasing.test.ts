// The pure pieces behind the pages: the one phrasing of price changes (Atom titles, Slack, the
// page), the one number format, the table's matching and sorting, and the calculator's timed
// workloads and usage-log reader. Real figures: DeepSeek V4-Pro's April 2026 promotion.
import { describe, expect, it } from 'vitest';
import { eventWords, changeWords, groupByEvent, moveWords, shownPct, type PhraseChange } from '../src/phrasing.ts';
import { formatDecimal, formatMoney } from '../api/web/assets/format.js';
import { matchesQuery, selectRows, sparkPath } from '../api/web/assets/price-table.js';
import { dayGroups, localModelFor, parseUsageLog, slotCounts, slotWeights } from '../api/web/assets/workload.js';
import type { OverviewRow } from '../api/routes/overview.ts';

const promo = (component: string, before: number, after: number): PhraseChange => ({
  model: 'deepseek/deepseek-v4-pro',
  component,
  currency: 'USD',
  unit: '1M tokens',
  conditions: {},
  type: 'promo_started',
  before,
  after,
  listBefore: before,
  listAfter: before,
  changePct: -75,
  effectiveAt: '2026-04-25T16:00:00.000Z',
});
const names = new Map([['deepseek/deepseek-v4-pro', 'DeepSeek V4-Pro']]);

describe('phrasing', () => {
  it('says a change in words, with the model name, the move and the instant', () => {
    expect(changeWords(promo('input', 1.74, 0.435), { names })).toBe('DeepSeek V4-Pro: input −75% (promotion) from 2026-04-25 16:00 UTC');
  });

  it('makes one title per model and event, lines with the same move sharing it', () => {
    const events = groupByEvent([promo('input', 1.74, 0.435), promo('output', 3.48, 0.87), promo('cache_read', 0.145, 0.03625)]);
    expect(events).toHaveLength(1);
    expect(eventWords(events[0], { names })).toBe('DeepSeek V4-Pro: input, output and cache read −75% (promotion) from 2026-04-25 16:00 UTC');
  });

  it('reports a list_changed row by its list price’s move, not the 0% of its effective price', () => {
    const c: PhraseChange = { ...promo('input', 0.435, 0.435), type: 'list_changed', listBefore: '1.74', listAfter: '0.435', changePct: 0, effectiveAt: '2026-05-31T16:00:00Z' };
    expect(shownPct(c)).toEqual({ pct: -75, ofList: true });
    expect(moveWords(c)).toBe('list −75% (effective price unchanged at 0.435 USD)');
    expect(eventWords({ model: c.model, effectiveAt: c.effectiveAt, changes: [c] }, { names })).toBe(
      'DeepSeek V4-Pro: input list −75% (effective price unchanged) from 2026-05-31 16:00 UTC',
    );
  });

  it('names conditions in a few words, never as JSON', () => {
    const c = { ...promo('input', 2, 1), conditions: { hours: { tz: 'Asia/Shanghai', ranges: [['00:30', '08:30']], label: 'off-peak' } } };
    expect(changeWords(c)).toBe('deepseek/deepseek-v4-pro: input (off-peak) −75% (promotion) from 2026-04-25 16:00 UTC');
    expect(changeWords(c)).not.toContain('{');
  });
});

describe('one number format', () => {
  it('is exact, grouped and trims trailing zeros', () => {
    expect(formatDecimal(0.003625)).toBe('0.003625');
    expect(formatDecimal(1650)).toBe('1,650');
    expect(formatDecimal(53.2875)).toBe('53.2875');
    expect(formatDecimal('8.00')).toBe('8');
    expect(formatDecimal(3.625e-7)).toBe('0.0000003625');
    expect(formatDecimal(1234567.891)).toBe('1,234,567.891');
    expect(formatMoney(54.6, 'CNY')).toBe('CNY 54.6');
    expect(formatMoney(null, 'CNY')).toBe('—');
  });
});

describe('price table', () => {
  const row = (model: string, name: string, output: number | null): OverviewRow =>
    ({
      model,
      name,
      provider: model.split('/')[0],
      providerName: model.split('/')[0],
      status: 'active',
      currency: 'USD',
      input: null,
      cacheRead: null,
      cacheWrite: null,
      output: output === null ? null : { amount: output, list: null, conditioned: false, variants: 0 },
      contextWindow: null,
      features: [],
      lastConfirmedAt: null,
      stale: null,
      staleLines: 0,
      staleReason: null,
      fx: null,
      disputed: false,
      lastChange: null,
      pricedSince: null,
      spark: [],
    }) as OverviewRow;
  const rows = [row('anthropic/claude-sonnet-4-6', 'Claude Sonnet 4.6', 15), row('anthropic/claude-opus-4-6', 'Claude Opus 4.6', 25), row('deepseek/deepseek-v4-pro', 'DeepSeek-V4-Pro', null)];

  it('matches typos, dotted ids and words in any form', () => {
    expect(matchesQuery(rows[0], 'sonet')).toBe(true);
    expect(matchesQuery(rows[1], 'claude-opus-4.6')).toBe(true);
    expect(matchesQuery(rows[1], 'opus 4.6')).toBe(true);
    expect(matchesQuery(rows[0], 'opus')).toBe(false);
  });

  it('sorts by a column either way, missing values last', () => {
    const state = { q: '', provider: '', currency: '', feature: '', show: '', sort: 'output', dir: 'asc' as const, page: 1 };
    expect(selectRows(rows, state).map((r) => r.output?.amount ?? null)).toEqual([15, 25, null]);
    expect(selectRows(rows, { ...state, dir: 'desc' }).map((r) => r.output?.amount ?? null)).toEqual([25, 15, null]);
  });

  it('draws a step sparkline (log scale: a −98% cut is a drop, not a line at 0)', () => {
    const d = sparkPath([['2026-01-01T00:00:00Z', 0.2], ['2026-05-26T00:00:00Z', 0.0036]], Date.parse('2026-12-01T00:00:00Z'));
    expect(d).toMatch(/^M1\.0 2\.0H[\d.]+V18\.0H79\.0$/);
  });
});

describe('calculator workloads', () => {
  it('spreads a day’s requests over quarter hours, exactly n in all, by zone', () => {
    expect(slotCounts(1440, slotWeights('2026-08-20', 'uniform'))).toEqual(new Array(96).fill(15));
    const business = slotCounts(1000, slotWeights('2026-08-20', 'business', 'Asia/Shanghai'));
    expect(business.reduce((a, b) => a + b, 0)).toBe(1000);
    // 09:00–17:00 in Shanghai is 01:00–09:00 UTC: slots 4 to 35.
    expect(business.findIndex((c) => c > 0)).toBe(4);
    expect(95 - [...business].reverse().findIndex((c) => c > 0)).toBe(35);
    const groups = dayGroups('2026-08-20', business, { inputTokens: 10, outputTokens: 1 });
    expect(groups.reduce((n, g) => n + g.count * g.log.length, 0)).toBe(1000);
    expect(groups[0].log[0].at).toBe('2026-08-20T01:07:30.000Z');
    expect(() => slotWeights('2026-08-20', 'profile', 'UTC', [1, 2])).toThrow(/24 non-negative numbers/);
  });

  it('reads usage logs as the providers export them (CSV and OpenAI-style JSONL) and says which lines it skipped', () => {
    const csv = parseUsageLog('timestamp,model,input_tokens,cache_read_input_tokens,cache_creation_input_tokens,output_tokens\n2026-05-01 10:00:00,claude-sonnet-4-5,100,800,50,20\nnope,x,1,0,0,1\n', { inputIncludesCache: false });
    expect(csv.rows).toEqual([{ at: '2026-05-01T10:00:00.000Z', model: 'claude-sonnet-4-5', inputTokens: 950, cacheReadTokens: 800, cacheWriteTokens: 50, outputTokens: 20 }]);
    expect(csv.errors).toEqual(['line 3: no readable timestamp']);
    const jsonl = parseUsageLog('{"created":1777629600,"model":"deepseek-chat","usage":{"prompt_tokens":1000,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":200}}}\n');
    expect(jsonl.rows[0]).toMatchObject({ at: '2026-05-01T10:00:00.000Z', inputTokens: 1000, cacheReadTokens: 200, outputTokens: 50 });
    expect(parseUsageLog('a,b\n1,2').errors[0]).toMatch(/no at column/);
  });

  it('maps a raw API model name to an id or alias, direct providers before aggregators', () => {
    const models = [{ id: 'deepseek/deepseek-v4-flash', aliases: [{ alias: 'deepseek/deepseek-chat' }] }, { id: 'openrouter/deepseek/deepseek-chat' }];
    expect(localModelFor('deepseek-chat', models)).toBe('deepseek/deepseek-chat');
    expect(localModelFor('DeepSeek/DeepSeek-V4-Flash', models)).toBe('deepseek/deepseek-v4-flash');
    expect(localModelFor('gpt-9', models)).toBeNull();
  });
});

describe('CLI tables', () => {
  it('label a list_changed row by its list move', async () => {
    const { pctLabel } = await import('../src/phrasing.ts');
    expect(pctLabel({ ...promo('input', 0.435, 0.435), type: 'list_changed', listBefore: '1.74', listAfter: '0.435', changePct: 0 })).toBe('list −75%');
    expect(pctLabel(promo('input', 1.74, 0.435))).toBe('−75%');
  });
});
