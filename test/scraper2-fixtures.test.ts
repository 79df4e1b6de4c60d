// The openai, xiaomi, google, moonshot and minimax scrapers parse every saved page in their
// fixtures/ folder to the committed expected output, which is a valid ParseResult. Pages that only
// render in a browser are checked here for what can be checked without one (the browser run is in
// browser-scrape.test.ts). Regenerate expected files with scripts/regen-fixtures.ts.
import { describe, expect, it } from 'vitest';
import { LayoutChangedError } from '../src/errors.ts';
import { ParseResult } from '../src/model.ts';
import { listFixtures, loadScraper, parseFixture, readExpected, readFixture } from './helpers/fixtures.ts';

const IDS = ['openai', 'xiaomi', 'google', 'moonshot', 'minimax'];
const fixtures = listFixtures(IDS);

describe('scraper fixtures (openai, xiaomi, google, moonshot, minimax)', () => {
  it('each of the five scrapers has at least one fixture with metadata', () => {
    for (const id of IDS) expect(fixtures.filter((f) => f.scraperId === id).length, id).toBeGreaterThan(0);
    for (const f of fixtures) {
      expect(f.meta.page, f.name).toMatch(/^https:\/\//);
      expect(f.meta.url, f.name).toMatch(/^https:\/\//);
      expect(f.meta.date, f.name).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(f.meta.origin, f.name).toBeTruthy();
      expect(f.meta.fidelity, f.name).toBeTruthy();
      if (f.meta.fidelity === 'constructed') expect(f.meta.constructedFrom?.length, `${f.name}: constructedFrom`).toBeGreaterThan(0);
    }
  });

  // Every fixture's parse against its committed expected file is checked for all registered
  // scrapers in scraper-fixtures.test.ts; here, what is particular to these five.
  for (const f of fixtures.filter((f) => f.meta.render !== 'browser')) {
    it(`${f.scraperId}/${f.name} gives at least the scraper's minimum rows`, async () => {
      const scraper = await loadScraper(f.scraperId);
      const result = parseFixture(scraper, f);
      expect(() => ParseResult.parse(result)).not.toThrow();
      expect(result.provider).toBe(scraper.id);
      expect(result.observations.length).toBeGreaterThanOrEqual(scraper.minRows);
    });
  }

  for (const f of fixtures.filter((f) => f.meta.render === 'browser')) {
    it(`${f.scraperId}/${f.name} (a JavaScript page) has no prices until rendered, and names the text it was built from`, async () => {
      const scraper = await loadScraper(f.scraperId);
      expect(scraper.kind).toBe('browser');
      // As served, before any script runs, the page has no price table: only a browser gets prices.
      let refusal: { error: { name: string; message: string } } | undefined;
      try {
        parseFixture(scraper, f);
      } catch (e) {
        expect(e).toBeInstanceOf(LayoutChangedError);
        refusal = { error: { name: (e as Error).name, message: (e as Error).message } };
      }
      expect(refusal, 'the unrendered page must be refused').toBeDefined();
      expect(readExpected(f)).toEqual(refusal);
      // The rendered page is compared, in the browser test, with the text fixture it was built from.
      const from = fixtures.find((g) => g.scraperId === f.scraperId && (f.meta.constructedFrom ?? []).some((c) => (c as { file?: string }).file === g.file.split('/').pop()));
      expect(from, 'constructedFrom names a text fixture of the same scraper').toBeDefined();
      expect(readExpected(from!)).toBeDefined();
    });
  }
});

const unreadReasons = (r: ParseResult): string => (r.coverage?.unread ?? []).map((u) => u.reason).join('\n');

describe('the five parsers refuse pages they do not know (LayoutChangedError), and leave a bad row unread', () => {
  const ctx = (url: string) => ({ url, observedAt: '2026-01-01T00:00:00Z' });

  it('empty bodies and challenge pages', async () => {
    for (const id of IDS) {
      const s = await loadScraper(id);
      const url = s.pages[0].url;
      expect(() => s.parse('', ctx(url)), `${id} empty`).toThrow(LayoutChangedError);
      expect(() => s.parse('<html><head><title>Just a moment...</title></head><body>Verify you are human</body></html>', ctx(url)), `${id} challenge`).toThrow(LayoutChangedError);
    }
  });

  it('openai: an unknown tab, a table missing its Model column, a non-dollar price', async () => {
    const s = await loadScraper('openai');
    const url = s.pages[0].url;
    const page = (body: string) => `### Text tokens\n\nPrices per 1M tokens.\n\n${body}\n`;
    expect(() => s.parse(page('Fast\n\n| Model | Input | Output |\n| --- | --- | --- |\n| gpt-5 | $1.00 | $2.00 |'), ctx(url))).toThrow(/unknown tab "Fast"/);
    expect(() => s.parse(page('| Name | Input | Output |\n| --- | --- | --- |\n| gpt-5 | $1.00 | $2.00 |'), ctx(url))).toThrow(LayoutChangedError);
    // A bad cell leaves its row unread (for that model), not the page refused.
    expect(unreadReasons(s.parse(page('| Model | Input | Output |\n| --- | --- | --- |\n| gpt-5 | €1.00 | $2.00 |'), ctx(url)))).toMatch(/no price in "€1.00"/);
    expect(unreadReasons(s.parse(page('| Model | Input | Output |\n| --- | --- | --- |\n| gpt-5 | $0 | $2.00 |'), ctx(url)))).toMatch(/not stated as free/);
    expect(() => s.parse('### Image tokens\n\n| Model | Input |\n| --- | --- |\n| gpt-image-1 | $1 |', ctx(url))).toThrow(/no "Text tokens"/);
  });

  it('openai: long-context columns use the threshold the model cell states, and only that', async () => {
    const s = await loadScraper('openai');
    const r = s.parse(
      '### Text tokens\n\nStandard\n\n| Model | Short context input | Short context output | Long context input | Long context output |\n| --- | --- | --- | --- | --- |\n| gpt-x (<272K context length) | $2.50 | $15.00 | $5.00 | $22.50 |\n| gpt-y | $1.00 | $2.00 | $3.00 | $4.00 |\n',
      ctx(s.pages[0].url),
    );
    expect(r.observations.filter((o) => o.model === 'openai/gpt-x').map((o) => [o.component, o.amount, o.conditions])).toEqual([
      ['input', '2.5', {}],
      ['output', '15', {}],
      // "<272K" for the short columns: the long ones apply from 272,000 tokens on, inclusive.
      ['input', '5', { contextAbove: 272000, contextInclusive: true }],
      ['output', '22.5', { contextAbove: 272000, contextInclusive: true }],
    ]);
    // No stated threshold: the long-context prices are an unread section scoped to the model, never guessed.
    expect(r.observations.filter((o) => o.model === 'openai/gpt-y').length).toBe(2);
    expect(r.coverage!.unread).toEqual([
      { section: 'text tokens long-context cells of openai/gpt-y', reason: expect.stringMatching(/2 long-context price\(s\) shown, but the row states no context bound/), scope: [{ model: 'openai/gpt-y' }] },
    ]);
  });

  it('google: an unknown price qualifier, and the Markdown page layout with headings and tab labels', async () => {
    const s = await loadScraper('google');
    const url = s.pages[0].url;
    const head = '|  | Free Tier | Paid Tier, per 1M tokens in USD |\n| --- | --- | --- |\n';
    expect(unreadReasons(s.parse(`## Gemini X\n\n*\`gemini-x\`*\n\n### Standard\n\n${head}| Input price | Free of charge | $1.00, for thinking |\n`, ctx(url)))).toMatch(/unrecognised qualifier/);
    const r = s.parse(
      `## Gemini X\n\n*\`gemini-x\`*\n\nA model.\n\n### Standard\n\n${head}| Input price | Free of charge | $1.00, prompts <= 200k tokens $2.00, prompts > 200k tokens |\n\n### Flex\n\n${head}| Input price | Not available | $0.50 |\n\n### Priority\n\n${head}| Output price | Not available | $9.00 |\n`,
      ctx(url),
    );
    expect(r.observations.map((o) => [o.model, o.component, o.amount, o.conditions])).toEqual([
      ['google/gemini-x', 'input', '1', {}],
      ['google/gemini-x', 'input', '2', { contextAbove: 200000 }],
      ['google/gemini-x', 'input', '0.5', { serviceTier: 'flex' }],
      ['google/gemini-x', 'output', '9', { serviceTier: 'priority' }],
    ]);
  });

  it('moonshot: a USD price on the CNY page, and an English page where the Chinese one is expected', async () => {
    const s = await loadScraper('moonshot');
    const url = s.pages[0].url;
    const table = (price: string) => `| 模型 | 计费单位 | 输入价格 | 输出价格 |\n| --- | --- | --- | --- |\n| kimi-x | 1M tokens | ${price} | ￥2.00 |\n`;
    expect(unreadReasons(s.parse(table('$1.00'), ctx(url)))).toMatch(/is in USD but the page is in CNY/);
    expect(() => s.parse('| Model | Unit | Input Price | Output Price |\n| --- | --- | --- | --- |\n| kimi-x | 1M tokens | $1 | $2 |\n', ctx(url))).toThrow(LayoutChangedError);
  });

  it('minimax: a text table missing its Output column is refused, not half read', async () => {
    const s = await loadScraper('minimax');
    expect(() => s.parse('# Pay as You Go\n\n## Text\n\n| Model | Input | Price |\n| --- | --- | --- |\n| MiniMax-M2 | $0.3 / M tokens | x |\n', ctx(s.pages[0].url))).toThrow(/unknown text price column/);
  });

  it('xiaomi: a USD price under the CNY heading', async () => {
    const s = await loadScraper('xiaomi');
    const r = s.parse('## China (CNY)\n\n| Model | Input (cache hit) | Input (cache miss) | Output |\n| --- | --- | --- | --- |\n| MiMo-V2.5 | $0.02/M tokens | ¥1/M tokens | ¥2/M tokens |\n', ctx(s.pages[0].url));
    expect(unreadReasons(r)).toMatch(/USD price under a CNY heading/);
    expect(r.observations).toEqual([]);
  });
});

describe('curated figures the constructed Xiaomi page must reproduce (2026-05-27)', () => {
  it('prices, plan terms and credit rates', async () => {
    const s = await loadScraper('xiaomi');
    const f = fixtures.find((x) => x.scraperId === 'xiaomi')!;
    const r = s.parse(readFixture(f), { url: f.meta.url, observedAt: '2026-05-27T00:00:00Z' });
    const price = (model: string, currency: string) =>
      ['cache_read', 'input', 'output'].map((c) => r.observations.find((o) => o.model === `xiaomi/${model}` && o.currency === currency && o.component === c)?.amount);
    expect(price('mimo-v2.5-pro', 'CNY')).toEqual(['0.025', '3', '6']);
    expect(price('mimo-v2.5-pro', 'USD')).toEqual(['0.0036', '0.435', '0.87']);
    expect(price('mimo-v2.5', 'CNY')).toEqual(['0.02', '1', '2']);
    expect(r.planTerms?.map((t) => [t.plan, t.fee, t.currency, t.period, t.credits])).toEqual([
      ['xiaomi/token-plan-lite', '39', 'CNY', 'month', '4100000000'],
      ['xiaomi/token-plan-standard', '99', 'CNY', 'month', '11000000000'],
      ['xiaomi/token-plan-pro', '329', 'CNY', 'month', '38000000000'],
      ['xiaomi/token-plan-max', '659', 'CNY', 'month', '82000000000'],
    ]);
    const rate = (plan: string, model: string) =>
      ['cache_read', 'input', 'output'].map((c) => r.planRates?.find((x) => x.plan === `xiaomi/token-plan-${plan}` && x.model === `xiaomi/${model}` && x.component === c)?.creditsPerToken);
    for (const plan of ['lite', 'standard', 'pro', 'max']) {
      expect(rate(plan, 'mimo-v2.5-pro')).toEqual(['2.5', '300', '600']);
      expect(rate(plan, 'mimo-v2.5')).toEqual(['2', '100', '200']);
    }
  });
});
