// The catalog → tokentrail id tables: every entry is a valid provider id, no two catalog ids land on
// one tokentrail id, and each table inverts back to its catalog id.
import { describe, expect, it } from 'vitest';
import { ProviderId } from '../src/model.ts';
import { MODELS_DEV_PROVIDERS, modelsDevProvider } from '../scrapers/models-dev/mapping.ts';
import { GENAI_PRICES_PROVIDERS, genaiPricesProvider } from '../scrapers/genai-prices/mapping.ts';
import { LLM_PRICES_VENDORS, llmPricesProvider } from '../scrapers/llm-prices/mapping.ts';
import { catalogModelId } from '../src/catalog/contract.ts';
import { catalogFixtureOutcome, catalogFixtures } from '../src/catalog/fixtures.ts';
import { getCatalog } from '../scrapers/catalogs.ts';

const tables = [
  { name: 'models.dev', table: MODELS_DEV_PROVIDERS, map: modelsDevProvider, catalog: 'models.dev' },
  { name: 'genai-prices', table: GENAI_PRICES_PROVIDERS, map: genaiPricesProvider, catalog: 'genai-prices' },
  { name: 'llm-prices', table: LLM_PRICES_VENDORS, map: llmPricesProvider, catalog: 'llm-prices' },
];

for (const t of tables) {
  describe(`${t.name} provider table`, () => {
    it('maps every listed id to a valid provider id, and the table inverts', () => {
      const inverse = new Map<string, string>();
      for (const [from, to] of Object.entries(t.table)) {
        expect(ProviderId.safeParse(to).success, to).toBe(true);
        expect(t.map(from)).toBe(to);
        expect(inverse.has(to), `${from} and ${inverse.get(to)} both map to ${to}`).toBe(false);
        inverse.set(to, from);
      }
      for (const [to, from] of inverse) expect(t.map(from)).toBe(to);
    });

    it('maps the providers of the real fixtures one to one', () => {
      const c = getCatalog(t.catalog);
      const seen = new Map<string, string>();
      for (const f of catalogFixtures(c))
        for (const p of catalogFixtureOutcome(c, f).providers) {
          expect(p.provider.id).toBe(t.map(p.catalogProvider));
          const prior = seen.get(p.provider.id);
          expect(prior === undefined || prior === p.catalogProvider).toBe(true);
          seen.set(p.provider.id, p.catalogProvider);
        }
      expect(seen.size).toBeGreaterThan(1);
    });
  });
}

describe('model ids', () => {
  it('lowercase, characters ids cannot hold become "-"', () => {
    expect(catalogModelId('google-vertex', 'claude-3-5-sonnet-v2@20241022')).toBe('google-vertex/claude-3-5-sonnet-v2-20241022');
    expect(catalogModelId('siliconflow', 'Qwen/Qwen3-8B')).toBe('siliconflow/qwen/qwen3-8b');
    expect(catalogModelId('amazon-bedrock', 'anthropic.claude-3-5-sonnet-20240620-v1:0')).toBe('amazon-bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0');
  });
  it('known mappings: moonshotai → moonshot, x-ai → xai, aws → amazon-bedrock, wafer.ai → wafer-ai', () => {
    expect(modelsDevProvider('moonshotai')).toBe('moonshot');
    expect(genaiPricesProvider('x-ai')).toBe('xai');
    expect(genaiPricesProvider('aws')).toBe('amazon-bedrock');
    expect(genaiPricesProvider('huggingface_groq')).toBe('huggingface-groq');
    expect(modelsDevProvider('wafer.ai')).toBe('wafer-ai');
    expect(llmPricesProvider('qwen')).toBe('alibaba');
  });
});
