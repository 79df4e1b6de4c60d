// Each catalog's parse on real slices of its files (repo, commit and path in .meta.json) gives its
// committed expected output (regenerate: npx tsx scripts/catalog-fixtures.ts), and reads numbers
// exactly as written.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogParse } from '../src/catalog/contract.ts';
import { ExactNumber, parseJsonExact, parseToml } from '../src/catalog/exact.ts';
import { catalogFixtureOutcome, catalogFixtures, catalogFixtureText, formatCatalogExpected } from '../src/catalog/fixtures.ts';
import { LayoutChangedError } from '../src/errors.ts';
import { ProviderId } from '../src/model.ts';
import { catalogs, getCatalog } from '../scrapers/catalogs.ts';

for (const catalog of catalogs) {
  describe(`${catalog.id} fixtures`, () => {
    const fixtures = catalogFixtures(catalog);
    it('has at least one real slice', () => expect(fixtures.length).toBeGreaterThan(0));
    for (const f of fixtures) {
      it(`${f.name}: names its repo, commit, paths and date`, () => {
        expect(f.meta.repo).toBe(catalog.repo);
        expect(f.meta.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(f.meta.paths.length).toBeGreaterThan(0);
        expect(Number.isNaN(Date.parse(f.meta.date))).toBe(false);
        expect(catalog.urls).toContain(f.meta.url);
      });
      it(`${f.name}: parses to its committed expected output`, () => {
        const out = catalogFixtureOutcome(catalog, f);
        expect(CatalogParse.safeParse(out).success).toBe(true);
        expect(formatCatalogExpected(out)).toBe(readFileSync(f.expectedFile, 'utf8'));
        for (const p of out.providers) {
          expect(ProviderId.safeParse(p.provider.id).success).toBe(true);
          expect(p.result.provider).toBe(p.provider.id);
          for (const o of p.result.observations) expect(o.model.startsWith(`${p.provider.id}/`)).toBe(true);
          // Coverage: the models the catalog lists are the read scope.
          expect(p.result.coverage!.read.map((s) => s.model).sort()).toEqual(p.result.models!.map((m) => m.id).sort());
        }
      });
    }
  });
}

const obs = (catalog: string, model: string) => {
  const c = getCatalog(catalog);
  return catalogFixtures(c).flatMap((f) => catalogFixtureOutcome(c, f).providers.flatMap((p) => p.result.observations)).filter((o) => o.model === model);
};

describe('what the catalogs say, exactly', () => {
  it('models.dev: Claude Opus 4.6 at 5 / 25 / 0.5 / 6.25 and fast mode at 30 / 150 as its own variant', () => {
    const o = obs('models.dev', 'anthropic/claude-opus-4-6');
    const at = (component: string, conditions: object = {}) => o.find((x) => x.component === component && JSON.stringify(x.conditions) === JSON.stringify(conditions))?.amount;
    expect([at('input'), at('output'), at('cache_read'), at('cache_write')]).toEqual(['5', '25', '0.5', '6.25']);
    expect([at('input', { variant: 'fast-mode' }), at('output', { variant: 'fast-mode' })]).toEqual(['30', '150']);
    for (const x of o) expect(x.currency).toBe('USD');
  });

  it('models.dev: context tiers become contextAbove rows; a price of 0 is not read', () => {
    const gem = obs('models.dev', 'google/gemini-2.5-pro');
    expect(gem.some((x) => x.conditions.contextAbove === 200000)).toBe(true);
    expect(obs('models.dev', 'lmstudio/qwen/qwen3-30b-a3b-2507')).toEqual([]);
  });

  it('models.dev: a hosted model links to the upstream model it serves (base_model)', () => {
    const c = getCatalog('models.dev');
    const p = catalogFixtureOutcome(c, catalogFixtures(c)[0]).providers.find((x) => x.provider.id === 'amazon-bedrock')!;
    expect(p.upstream?.['amazon-bedrock/anthropic.claude-opus-4-6-v1']).toBe('anthropic/claude-opus-4-6');
  });

  it('genai-prices: a start_date splits valid time; the 200K tier of Opus 4.6 ends on 2026-03-13', () => {
    const o = obs('genai-prices', 'anthropic/claude-opus-4-6');
    const tier = o.find((x) => x.component === 'input' && x.conditions.contextAbove === 200000)!;
    expect(tier).toMatchObject({ amount: '10', validTo: '2026-03-13T00:00:00Z' });
    expect(tier.validFrom).toBeUndefined();
    expect(o.find((x) => x.component === 'input' && x.validFrom === '2026-03-13T00:00:00Z')?.amount).toBe('5');
  });

  it('genai-prices: a time-of-day constraint is an hours window in UTC', () => {
    const o = obs('genai-prices', 'deepseek/deepseek-chat');
    expect(o.find((x) => x.component === 'input' && x.conditions.hours)).toMatchObject({ amount: '0.27', conditions: { hours: { tz: 'UTC', ranges: [['00:30', '16:30']] } } });
  });

  it('genai-prices: equals rules become aliases', () => {
    const c = getCatalog('genai-prices');
    const models = catalogFixtureOutcome(c, catalogFixtures(c)[0]).providers.flatMap((p) => p.result.models ?? []);
    expect(models.find((m) => m.id === 'openai/ada')?.aliases?.map((a) => a.alias)).toContain('openai/text-ada-001');
  });

  it('llm-prices: from_date / to_date bound the history entries', () => {
    const o = obs('llm-prices', 'deepseek/deepseek-chat').filter((x) => x.component === 'input');
    expect(o).toEqual([
      expect.objectContaining({ amount: '0.27', validFrom: '2025-02-08T00:00:00Z' }),
      expect.objectContaining({ amount: '0.14', validTo: '2025-02-08T00:00:00Z' }),
    ]);
    expect(obs('llm-prices', 'deepseek/deepseek-v4-flash').find((x) => x.component === 'cache_read')?.amount).toBe('0.028');
  });
});

describe('exact readers', () => {
  it('JSON numbers keep their literal text, strings are untouched', () => {
    const v = parseJsonExact('{"a":[1.50,2e-7,"0.1 \\" 2"],"b":0.000003625}') as { a: unknown[]; b: ExactNumber };
    expect(v.a[0]).toEqual(new ExactNumber('1.50'));
    expect(v.a[1]).toEqual(new ExactNumber('2e-7'));
    expect(v.a[2]).toBe('0.1 " 2');
    expect(v.b.text).toBe('0.000003625');
  });

  it('TOML: tables, arrays of tables, inline tables, underscores; numbers exact', () => {
    const t = parseToml('name = "X" # c\n[cost]\ninput = 0.10\n[[cost.tiers]]\ntier = { type = "context", size = 200_000 }\ninput = 0.2\n[limit]\ncontext = 1_000_000\n') as any;
    expect(t.cost.input.text).toBe('0.10');
    expect(t.cost.tiers[0].tier.size.text).toBe('200000');
    expect(t.limit.context.text).toBe('1000000');
  });

  it('TOML: what it does not support is refused with the line, never guessed', () => {
    expect(() => parseToml('a = 1\nb = """x\n"""', 'f.toml')).toThrow(/f\.toml:2: multi-line/);
    expect(() => parseToml('a = 1979-05-27', 'f.toml')).toThrow(LayoutChangedError);
    expect(() => parseToml('a = 1\na = 2', 'f.toml')).toThrow(/duplicate key/);
  });

  it('a cut-off catalog file is a layout change, not a silent partial read', () => {
    for (const c of catalogs) {
      const text = catalogFixtureText(c, catalogFixtures(c)[0]);
      expect(() => c.parse(text.slice(0, Math.floor(text.length / 2)), { url: c.urls[0], observedAt: '2026-01-01T00:00:00Z' })).toThrow(LayoutChangedError);
    }
  });
});
