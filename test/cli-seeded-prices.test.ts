// The curated 2026 history answers the questions the project exists for, through the real CLI.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, tempDb } from './helpers/cli.ts';

const db = tempDb();
beforeAll(async () => {
  const r = await runCli(['import'], { db });
  expect(r.code, r.stderr).toBe(0);
});

type Row = { component: string; currency: string; amount: number; kind: string; listAmount: number | null; conditions: object };
const pick = (prices: Row[], component: string, currency: string) =>
  prices.find((p) => p.component === component && p.currency === currency && Object.keys(p.conditions).length === 0)!;

describe('DeepSeek V4-Pro during the 75% promotion (2026-05-01)', () => {
  it('USD: promo prices over list prices, cache hit after the cut to a tenth', async () => {
    const sheet = await runJson(['price', 'deepseek/deepseek-v4-pro', '--at', '2026-05-01T00:00:00Z', '--currency', 'USD'], db);
    expect(sheet.model).toBe('deepseek/deepseek-v4-pro');
    expect(sheet.at).toBe('2026-05-01T00:00:00.000Z');
    expect(sheet.prices.every((p: Row) => p.currency === 'USD')).toBe(true);
    expect(pick(sheet.prices, 'input', 'USD')).toMatchObject({ amount: '0.435', kind: 'promo', listAmount: '1.74' });
    expect(pick(sheet.prices, 'cache_read', 'USD')).toMatchObject({ amount: '0.003625', kind: 'promo', listAmount: '0.0145' });
    expect(pick(sheet.prices, 'output', 'USD')).toMatchObject({ amount: '0.87', kind: 'promo', listAmount: '3.48' });
    for (const p of sheet.prices) expect(p.sources.length).toBeGreaterThan(0);
  });

  it('CNY: the same promotion in the currency as published', async () => {
    const sheet = await runJson(['price', 'deepseek/deepseek-v4-pro', '--at', '2026-05-01T00:00:00Z', '--currency', 'CNY'], db);
    expect(pick(sheet.prices, 'input', 'CNY')).toMatchObject({ amount: '3', kind: 'promo', listAmount: '12' });
    expect(pick(sheet.prices, 'cache_read', 'CNY')).toMatchObject({ amount: '0.025', kind: 'promo', listAmount: '0.1' });
    expect(pick(sheet.prices, 'output', 'CNY')).toMatchObject({ amount: '6', kind: 'promo', listAmount: '24' });
  });
});

describe('after the promotion became the list price (2026-06-01)', () => {
  it('V4-Pro USD and CNY are list prices at the promotional level', async () => {
    const sheet = await runJson(['price', 'deepseek/deepseek-v4-pro', '--at', '2026-06-01T00:00:00Z'], db);
    const expected: Array<[string, string, string]> = [
      ['input', 'USD', '0.435'], ['cache_read', 'USD', '0.003625'], ['output', 'USD', '0.87'],
      ['input', 'CNY', '3'], ['cache_read', 'CNY', '0.025'], ['output', 'CNY', '6'],
    ];
    for (const [component, currency, amount] of expected) {
      expect(pick(sheet.prices, component, currency)).toMatchObject({ amount, kind: 'list', listAmount: amount });
    }
  });

  it('V4-Flash cache hit: 0.028 before the cut, 0.0028 after', async () => {
    const before = await runJson(['price', 'deepseek/deepseek-v4-flash', '--at', '2026-04-25T00:00:00Z', '--currency', 'USD'], db);
    const after = await runJson(['price', 'deepseek/deepseek-v4-flash', '--at', '2026-05-01T00:00:00Z', '--currency', 'USD'], db);
    expect(pick(before.prices, 'cache_read', 'USD').amount).toBe('0.028');
    expect(pick(after.prices, 'cache_read', 'USD').amount).toBe('0.0028');
  });
});

describe('knowledge time', () => {
  it('as known on 2026-05-21 the June price is the old list price; as known on 2026-05-23 it is the new one', async () => {
    const args = ['price', 'deepseek/deepseek-v4-pro', '--at', '2026-06-01T00:00:00Z', '--currency', 'USD'];
    const early = await runJson([...args, '--as-of', '2026-05-21T00:00:00Z'], db);
    const late = await runJson([...args, '--as-of', '2026-05-23T00:00:00Z'], db);
    expect(early.asOf).toBe('2026-05-21T00:00:00.000Z');
    expect(pick(early.prices, 'input', 'USD')).toMatchObject({ amount: '1.74', kind: 'list' });
    expect(pick(late.prices, 'input', 'USD')).toMatchObject({ amount: '0.435', kind: 'list' });
  });

  it('the promotion first ended 2026-05-05 until the extension became known', async () => {
    const args = ['price', 'deepseek/deepseek-v4-pro', '--at', '2026-05-10T00:00:00Z', '--currency', 'USD'];
    const early = await runJson([...args, '--as-of', '2026-04-30T00:00:00Z'], db);
    const now = await runJson(args, db);
    expect(pick(early.prices, 'input', 'USD')).toMatchObject({ amount: '1.74', kind: 'list' });
    expect(pick(now.prices, 'input', 'USD')).toMatchObject({ amount: '0.435', kind: 'promo' });
  });

  it('the changes table speaks as the feed and the page do: a list_changed row shows its list move, every row its words', async () => {
    const r = await runCli(['changes', '--upcoming', '--model', 'deepseek/deepseek-v4-pro', '--as-of', '2026-05-23T00:00:00Z'], { db });
    expect(r.code).toBe(0);
    const [head, , ...rows] = r.stdout.trimEnd().split('\n');
    expect(head).toMatch(/in words\s*$/);
    const usdInput = rows.find((l) => /deepseek-v4-pro\s+input\s+-\s+USD/.test(l));
    expect(usdInput).toMatch(/list −75%/);
    expect(usdInput).toMatch(/input/);
    for (const l of rows) expect(l).toMatch(/deepseek-v4-pro\s+\S+/);
  });

  it('changes --upcoming as of 2026-05-23 lists the list-price change effective 2026-05-31T16:00Z', async () => {
    const r = await runJson(['changes', '--upcoming', '--as-of', '2026-05-23T00:00:00Z'], db);
    expect(Object.keys(r).sort()).toEqual(['data', 'nextCursor']);
    const input = r.data.find((c: any) => c.model === 'deepseek/deepseek-v4-pro' && c.component === 'input' && c.currency === 'USD');
    expect(input).toMatchObject({
      type: 'list_changed',
      effectiveAt: '2026-05-31T16:00:00.000Z',
      before: '0.435',
      after: '0.435',
      listBefore: '1.74',
      listAfter: '0.435',
      upcoming: true,
    });
    expect(Date.parse(input.announcedAt)).toBeLessThanOrEqual(Date.parse('2026-05-23T00:00:00Z'));
    expect(Date.parse(input.announcedAt)).toBeGreaterThanOrEqual(Date.parse('2026-05-22T00:00:00Z'));
    // Not yet known on 2026-05-21.
    const before = await runJson(['changes', '--upcoming', '--as-of', '2026-05-21T00:00:00Z'], db);
    expect(before.data.filter((c: any) => c.type === 'list_changed')).toEqual([]);
  });
});

describe('Xiaomi MiMo-V2.5 after the 2026-05-27 cut', () => {
  it('MiMo-V2.5-Pro and MiMo-V2.5 prices on 2026-05-28', async () => {
    const pro = await runJson(['price', 'xiaomi/mimo-v2.5-pro', '--at', '2026-05-28T00:00:00Z'], db);
    const expected: Array<[string, string, string]> = [
      ['cache_read', 'CNY', '0.025'], ['input', 'CNY', '3'], ['output', 'CNY', '6'],
      ['cache_read', 'USD', '0.0036'], ['input', 'USD', '0.435'], ['output', 'USD', '0.87'],
    ];
    for (const [component, currency, amount] of expected) expect(pick(pro.prices, component, currency).amount).toBe(amount);
    expect(pro.prices.some((p: Row) => 'contextAbove' in p.conditions)).toBe(false);
    const base = await runJson(['price', 'xiaomi/mimo-v2.5', '--at', '2026-05-28T00:00:00Z', '--currency', 'CNY'], db);
    expect([pick(base.prices, 'cache_read', 'CNY').amount, pick(base.prices, 'input', 'CNY').amount, pick(base.prices, 'output', 'CNY').amount]).toEqual(['0.02', '1', '2']);
  });

  it('diff 05-20 → 06-01: the cache-hit cut, the removed long-context tier, CNY first known', async () => {
    const r = await runJson(['diff', '--from', '2026-05-20T00:00:00Z', '--to', '2026-06-01T00:00:00Z', '--provider', 'xiaomi'], db);
    expect(Object.keys(r).sort()).toEqual(['changes', 'from', 'to']);
    const cut = r.changes.find((c: any) => c.model === 'xiaomi/mimo-v2.5-pro' && c.component === 'cache_read' && c.currency === 'USD' && !('contextAbove' in c.conditions));
    expect(cut).toMatchObject({ before: '0.2', after: '0.0036', changePct: -98.2, type: 'price_cut' });
    const tiers = r.changes.filter((c: any) => 'contextAbove' in c.conditions);
    expect(tiers.length).toBeGreaterThan(0);
    for (const t of tiers) {
      expect(t.type).toBe('tier_removed');
      // after = what those long requests pay now: the single remaining row.
      const base = r.changes.find((c: any) => c.model === t.model && c.component === t.component && c.currency === t.currency && !('contextAbove' in c.conditions));
      expect(t.after).toBe(base.after);
    }
    const cny = r.changes.filter((c: any) => c.currency === 'CNY');
    expect(cny.length).toBeGreaterThan(0);
    for (const c of cny) expect(c).toMatchObject({ type: 'first_known', before: null });
  });
});

describe('bad input is one line on stderr and a non-zero exit', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown model', ['price', 'deepseek/nope', '--at', '2026-05-01'], /unknown model: deepseek\/nope/],
    ['malformed instant', ['price', 'deepseek/deepseek-v4-pro', '--at', 'yesterday'], /--at: "yesterday" is not an ISO 8601 instant/],
    ['impossible instant', ['price', 'deepseek/deepseek-v4-pro', '--at', '2026-02-30'], /not a real instant/],
    ['from after to', ['diff', '--from', '2026-06-01', '--to', '2026-05-01'], /--from must not be after --to/],
    ['unknown currency', ['price', 'deepseek/deepseek-v4-pro', '--currency', 'EUR'], /no prices in EUR .*known currencies: CNY, USD/],
    ['malformed currency', ['price', 'deepseek/deepseek-v4-pro', '--currency', 'dollars'], /not an ISO 4217 code/],
    ['bad cursor', ['changes', '--cursor', '!!!'], /cursor/],
    ['missing option', ['diff', '--from', '2026-05-01'], /required option/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await runCli(args, { db });
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    });
  }
});
