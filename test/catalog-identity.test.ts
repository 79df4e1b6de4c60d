// Catalog ids that name one model become one model, the others its aliases; ids that name a model
// under a condition become its lines with that condition (src/catalog/identity.ts). Real slices:
// LiteLLM's published file at an archive commit (Anthropic's dated, -latest, fast/ and us/ ids,
// OpenAI snapshots, Azure data-zone ids) and llm-prices' data/anthropic.json (">200k" entries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalizeSlice, identityKey, type IdentityOutcome, type KnownModels } from '../src/catalog/identity.ts';
import { ingestCatalog } from '../src/catalog/ingest.ts';
import { catalogFixtures } from '../src/catalog/fixtures.ts';
import { conditionsKey } from '../src/conditions.ts';
import { resolveIndex } from '../src/resolve/index-db.ts';
import { resolveName } from '../src/resolve/resolve.ts';
import { priceSheet } from '../src/timeline/queries.ts';
import type { Database } from '../src/db/client.ts';
import type { ParseResult } from '../src/model.ts';
import { getCatalog } from '../scrapers/catalogs.ts';
import { importOwnFacts } from './helpers/catalog.ts';
import { freshDatabase } from './helpers/db.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'catalog-identity');
const litellm = getCatalog('litellm');
const llmPrices = getCatalog('llm-prices');
const sliceText = readFileSync(join(FIXTURES, 'litellm-3bd228e11f.json'), 'utf8');
const meta = JSON.parse(readFileSync(join(FIXTURES, 'litellm-3bd228e11f.meta.json'), 'utf8')) as { date: string; url: string; commit: string; paths: string[]; archive: string };
const parsed = litellm.parse(sliceText, { url: meta.url, observedAt: meta.date });
const slice = (provider: string) => parsed.providers.find((p) => p.provider.id === provider)!.result;

/** Anthropic's page prices these ids (data/anthropic.json, facts without an origin). */
const anthropicOwn: KnownModels = (() => {
  const d = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'data', 'anthropic.json'), 'utf8')) as { facts: Array<{ model: string; origin?: string }> };
  const ids = new Set(d.facts.filter((f) => !f.origin).map((f) => f.model));
  return { ids, official: ids };
})();
const none: KnownModels = { ids: new Set(), official: new Set() };

const collapsed = (o: IdentityOutcome) => Object.fromEntries(o.collapses.map((c) => [c.from, [c.to, c.rule, c.conditions?.variant ?? c.conditions?.contextAbove ?? null]]));
const modelIds = (r: ParseResult) => (r.models ?? []).map((m) => m.id);
const lineKeys = (r: ParseResult) => r.observations.map((o) => `${o.model} ${o.component} ${conditionsKey(o.conditions)} ${o.validFrom ?? ''}`);

describe('identity rules on LiteLLM ids (archive commit 3bd228e11f, 2026-02-21)', () => {
  const anthropic = canonicalizeSlice('anthropic', slice('anthropic'), anthropicOwn, litellm.identity, 'litellm');

  it("dated snapshots, LiteLLM's order, -latest: one model, the page's id, the rule named", () => {
    const c = collapsed(anthropic);
    expect(c['anthropic/claude-opus-4-6-20260205']).toEqual(['anthropic/claude-opus-4-6', 'snapshot', null]);
    expect(c['anthropic/claude-4-opus-20250514']).toEqual(['anthropic/claude-opus-4', 'snapshot', null]);
    expect(c['anthropic/claude-opus-4-20250514']).toEqual(['anthropic/claude-opus-4', 'snapshot', null]);
    expect(c['anthropic/claude-sonnet-4-5-20250929']).toEqual(['anthropic/claude-sonnet-4-5', 'snapshot', null]);
    expect(c['anthropic/claude-3-7-sonnet-20250219']).toEqual(['anthropic/claude-3-7-sonnet', 'snapshot', null]);
    expect(c['anthropic/claude-3-7-sonnet-latest']).toEqual(['anthropic/claude-3-7-sonnet', 'latest', null]);
    expect(c['anthropic/claude-3-haiku-20240307']).toEqual(['anthropic/claude-3-haiku', 'snapshot', null]);
  });

  it('fast/ and us/ are variant lines of the model (fast-mode, us-only, both), not models', () => {
    const c = collapsed(anthropic);
    expect(c['anthropic/fast/claude-opus-4-6']).toEqual(['anthropic/claude-opus-4-6', 'variant', 'fast-mode']);
    expect(c['anthropic/fast/claude-opus-4-6-20260205']).toEqual(['anthropic/claude-opus-4-6', 'variant', 'fast-mode']);
    expect(c['anthropic/us/claude-opus-4-6']).toEqual(['anthropic/claude-opus-4-6', 'variant', 'us-only']);
    expect(c['anthropic/fast/us/claude-opus-4-6']).toEqual(['anthropic/claude-opus-4-6', 'variant', 'fast-mode-us-only']);
    expect(c['anthropic/us/claude-sonnet-4-6']).toEqual(['anthropic/claude-sonnet-4-6', 'variant', 'us-only']);
    const opus = anthropic.result.observations.filter((o) => o.model === 'anthropic/claude-opus-4-6' && o.component === 'input' && o.conditions.contextAbove === undefined);
    expect(Object.fromEntries(opus.map((o) => [o.conditions.variant ?? '', o.amount]))).toEqual({ '': '5', 'fast-mode': '30', 'us-only': '5.5', 'fast-mode-us-only': '30' });
  });

  it('two snapshots of one name stay two models (claude-3-5-sonnet-20240620, -20241022); -latest has no undated model to join', () => {
    const ids = modelIds(anthropic.result);
    expect(ids).toContain('anthropic/claude-3-5-sonnet-20240620');
    expect(ids).toContain('anthropic/claude-3-5-sonnet-20241022');
    expect(ids).toContain('anthropic/claude-3-5-sonnet-latest');
    const gpt = canonicalizeSlice('openai', slice('openai'), none, litellm.identity, 'litellm');
    expect(modelIds(gpt.result)).toEqual(expect.arrayContaining(['openai/gpt-4o', 'openai/gpt-4o-2024-05-13', 'openai/gpt-4o-2024-08-06', 'openai/gpt-4o-2024-11-20', 'openai/gpt-4o-mini']));
    expect(collapsed(gpt)).toEqual({ 'openai/gpt-4o-mini-2024-07-18': ['openai/gpt-4o-mini', 'snapshot', null] });
  });

  it('an id whose prices differ from the model it would join keeps its own (Azure o1-mini snapshot), and its data-zone variants follow it', () => {
    const azure = canonicalizeSlice('azure', slice('azure'), none, litellm.identity, 'litellm');
    const c = collapsed(azure);
    expect(c['azure/o1-mini-2024-09-12']).toBeUndefined();
    expect(azure.notes.join('\n')).toMatch(/azure\/o1-mini-2024-09-12 not read as azure\/o1-mini \(snapshot\): its cache_read 0\.55 differs from 0\.605/);
    expect(c['azure/eu/o1-mini-2024-09-12']).toEqual(['azure/o1-mini-2024-09-12', 'variant', 'data-zone-eu']);
    expect(c['azure/us/o1-mini-2024-09-12']).toEqual(['azure/o1-mini-2024-09-12', 'variant', 'data-zone-us']);
    expect(c['azure/global/gpt-4o-2024-08-06']).toEqual(['azure/gpt-4o-2024-08-06', 'variant', 'global']);
    // No undated azure/gpt-4o-mini in the slice: the snapshot is the model, its data zone a variant of it.
    expect(c['azure/gpt-4o-mini-2024-07-18']).toBeUndefined();
    expect(c['azure/eu/gpt-4o-mini-2024-07-18']).toEqual(['azure/gpt-4o-mini-2024-07-18', 'variant', 'data-zone-eu']);
  });

  it('round-trips: every catalog id is a model or an alias of one, one price per line, and the output is a fixed point', () => {
    for (const p of parsed.providers) {
      const known = p.provider.id === 'anthropic' ? anthropicOwn : none;
      const out = canonicalizeSlice(p.provider.id, p.result, known, litellm.identity, 'litellm');
      const models = new Map((out.result.models ?? []).map((m) => [m.id, m]));
      for (const id of modelIds(p.result)) {
        const c = out.collapses.find((x) => x.from === id);
        if (!c) expect(models.has(id), id).toBe(true);
        else expect(models.get(c.to)?.aliases?.map((a) => a.alias), id).toContain(id);
      }
      const keys = lineKeys(out.result);
      expect(new Set(keys).size).toBe(keys.length);
      for (const o of out.result.observations) expect(models.has(o.model), o.model).toBe(true);
      const again = canonicalizeSlice(p.provider.id, out.result, { ids: new Set([...known.ids, ...models.keys()]), official: known.official }, litellm.identity, 'litellm');
      expect(again.collapses).toEqual([]);
      expect(lineKeys(again.result)).toEqual(keys);
    }
  });
});

describe('llm-prices ">200k" entries and separator spellings (data/anthropic.json at 723ef0bd3a)', () => {
  const fixture = catalogFixtures(llmPrices).find((f) => f.name.startsWith('anthropic-'))!;
  const p = llmPrices.parse(readFileSync(fixture.inputFile, 'utf8'), { url: fixture.meta.url, observedAt: fixture.meta.date }).providers[0];
  const out = canonicalizeSlice('anthropic', p.result, anthropicOwn, llmPrices.identity, 'llm-prices');

  it('"Claude Sonnet 4 and 4.5 >200k" is the > 200K-token tier of claude-sonnet-4-5; dotted ids take Anthropic\'s spelling', () => {
    const c = collapsed(out);
    expect(c['anthropic/claude-sonnet-4.5-200k']).toEqual(['anthropic/claude-sonnet-4-5', 'context-tier', 200000]);
    expect(c['anthropic/claude-sonnet-4.5']).toEqual(['anthropic/claude-sonnet-4-5', 'separator', null]);
    expect(c['anthropic/claude-3.5-sonnet']).toEqual(['anthropic/claude-3-5-sonnet', 'separator', null]);
    expect(c['anthropic/claude-4.5-haiku']).toEqual(['anthropic/claude-haiku-4-5', 'order', null]);
    const input = out.result.observations.filter((o) => o.model === 'anthropic/claude-sonnet-4-5' && o.component === 'input');
    expect(input.map((o) => [o.conditions.contextAbove ?? null, o.amount])).toEqual([
      [null, '3'],
      [200000, '6'],
    ]);
  });

  it('identity keys fold separators, case and both Claude orders, never a date', () => {
    expect(identityKey('Claude-3.5-Sonnet')).toBe(identityKey('claude-3-5-sonnet'));
    expect(identityKey('claude-4-opus-20250514')).toBe(identityKey('claude-opus-4-20250514'));
    expect(identityKey('claude-opus-4-0')).toBe(identityKey('claude-opus-4'));
    expect(identityKey('claude-opus-4-1')).not.toBe(identityKey('claude-opus-4'));
    expect(identityKey('claude-3-5-sonnet-20240620')).not.toBe(identityKey('claude-3-5-sonnet-20241022'));
  });
});

describe('collapsed ids in the timeline: aliases that resolve and price', () => {
  let d: Database;
  const at = Date.parse(meta.date);
  beforeAll(async () => {
    d = await freshDatabase();
    await importOwnFacts(d, 'anthropic', { ownModelsOnly: true });
    const run = await ingestCatalog(d, litellm, sliceText, { url: meta.url, observedAt: at, confirmed: true, commit: { sha: meta.commit, path: meta.paths[0], repo: meta.archive }, officialProviders: new Set(['anthropic']) });
    expect(run.outcome).toBe('ok');
  });
  afterAll(() => d?.close());

  // Real ids LiteLLM gives for models Anthropic's page names otherwise, and the model each is.
  const collapsedIds: Array<[string, string]> = [
    ['anthropic/claude-opus-4-6-20260205', 'anthropic/claude-opus-4-6'],
    ['claude-opus-4-6-20260205', 'anthropic/claude-opus-4-6'],
    ['anthropic/fast/claude-opus-4-6', 'anthropic/claude-opus-4-6'],
    ['anthropic/us/claude-opus-4-6-20260205', 'anthropic/claude-opus-4-6'],
    ['anthropic/fast/us/claude-opus-4-6', 'anthropic/claude-opus-4-6'],
    ['anthropic/us/claude-sonnet-4-6', 'anthropic/claude-sonnet-4-6'],
    ['anthropic/claude-4-opus-20250514', 'anthropic/claude-opus-4'],
    ['anthropic/claude-3-7-sonnet-latest', 'anthropic/claude-3-7-sonnet'],
    ['anthropic/claude-3-haiku-20240307', 'anthropic/claude-3-haiku'],
  ];

  it('the resolver answers each old id with the canonical model by rule alias', async () => {
    const index = await resolveIndex(d.db);
    for (const [name, model] of collapsedIds) {
      const r = resolveName(index, name, { at });
      expect(r, name).toMatchObject({ model, rule: 'alias' });
      expect(index.models, name).not.toContain(name.includes('/') ? name : `anthropic/${name}`);
    }
  });

  it('/v1/prices for a collapsed id is the model\'s sheet: the page\'s price effective, LiteLLM one series per line', async () => {
    const s = await priceSheet(d.db, { model: 'anthropic/claude-opus-4-6-20260205', at, asOf: at });
    expect(s.model).toBe('anthropic/claude-opus-4-6');
    const input = s.prices.filter((p: any) => p.component === 'input' && p.currency === 'USD' && Object.keys(p.conditions).length === 0);
    expect(input).toHaveLength(1);
    expect(input[0]).toMatchObject({ confidence: 'high' });
    expect(input[0].alsoReportedBy ?? []).toContain('litellm');
    const r = await d.client.execute(`SELECT count(*) AS n FROM series WHERE origin = 'litellm' AND model = 'anthropic/claude-opus-4-6' AND component = 'input' AND conditions = '{}'`);
    expect(Number(r.rows[0].n)).toBe(1);
    const fast = await d.client.execute(`SELECT conditions FROM series WHERE origin = 'litellm' AND model = 'anthropic/claude-opus-4-6' AND component = 'input' AND conditions LIKE '%fast-mode%' ORDER BY conditions`);
    expect(fast.rows.map((x) => JSON.parse(String(x.conditions)).variant)).toEqual(expect.arrayContaining(['fast-mode', 'fast-mode-us-only']));
  });
});
