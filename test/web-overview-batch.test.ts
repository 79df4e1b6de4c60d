// The overview builds every model's sheet in one pass (modelSheetsIn: one read of the lines in
// force, rates looked up once per pair and day). On the real dataset and reference rates, that pass
// gives exactly the per-model answer (priceSheetIn, as GET /v1/prices?model= serves it) and the
// per-provider one (providerSheetsIn): the same lines, flags, converted amounts and refusals — for
// the providers that publish CNY (DeepSeek, Xiaomi, Moonshot: conversion from USD and the
// currency check) and a few that publish USD only, on a rate day, a weekend, a day without rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { BadInputError } from '../src/errors.ts';
import { importFx } from '../src/fx/import.ts';
import { modelSheetsIn, priceSheetIn, providerSheetsIn } from '../src/fx/sheets.ts';
import { resolveModel } from '../src/timeline/queries.ts';
import { freshDatabase } from './helpers/db.ts';
import { DATA_DIR } from './helpers/server.ts';

type Seeded = Awaited<ReturnType<typeof freshDatabase>>;
let d: Seeded;

const PROVIDERS = ['deepseek', 'xiaomi', 'moonshot', 'anthropic', 'mistral'];
const INSTANTS = [
  '2026-04-13T12:00:00Z', // a publication day
  '2026-04-11T09:30:00Z', // a Saturday: the Friday's rates, with a note
  '2026-07-06T00:00:00Z', // the last day held
  '2026-09-01T00:00:00Z', // no rate held: refusals with the coverage text
];
const CURRENCIES = [undefined, 'EUR', 'USD', 'CNY'];

beforeAll(async () => {
  d = await freshDatabase({ seed: true });
  await importFx(d, DATA_DIR);
}, 180_000);
afterAll(() => d?.close());

/**
 * The per-model answer in the batch's shape: the sheet's lines, or the refusal's message; null
 * for an id that is an alias at `at` (GET /v1/prices?model= then answers for the model it names).
 */
async function perModel(model: string, at: number, currency: string | undefined) {
  if ((await resolveModel(d.db, model, at, at)).model !== model) return null;
  try {
    const sheet = await priceSheetIn(d.db, { model, at, asOf: at, currency });
    return { model, prices: sheet.prices };
  } catch (e) {
    if (!(e instanceof BadInputError)) throw e;
    return { model, prices: [], note: e.message };
  }
}

describe('overview sheets in one pass = per model', () => {
  it('on the real data: every model of DeepSeek, Xiaomi, Moonshot, Anthropic, Mistral, four instants, as published and in EUR, USD, CNY', async () => {
    let converted = 0;
    let flagged = 0;
    let refused = 0;
    let compared = 0;
    for (const provider of PROVIDERS) {
      const models = (await d.db.all<{ id: string }>(sql`SELECT id FROM models WHERE provider = ${provider} ORDER BY id`)).map((r) => r.id);
      expect(models.length, provider).toBeGreaterThan(0);
      for (const iso of INSTANTS) {
        const at = Date.parse(iso);
        for (const currency of CURRENCIES) {
          const batch = await modelSheetsIn(d.db, models, { at, asOf: at, currency });
          const byProvider = await providerSheetsIn(d.db, { provider, at, asOf: at, currency });
          const label = `${provider} at ${iso} in ${currency ?? 'published'}`;
          for (const b of batch) {
            const alone = await perModel(b.model, at, currency);
            if (alone === null) continue;
            compared++;
            expect(b, `${label}: ${b.model}`).toEqual(alone);
          }
          expect(batch, label).toEqual(byProvider.data);
          // A model the batch leaves out has nothing to show in that currency at `at`.
          for (const m of models.filter((id) => !batch.some((b) => b.model === id))) {
            const alone = await perModel(m, at, currency).catch(() => null); // none in force: the timeline's 4xx
            expect(alone?.prices ?? [], `${label}: ${m}`).toEqual([]);
          }
          for (const s of batch) {
            if (s.note) refused++;
            for (const p of s.prices as Array<{ convertedFrom?: string; flags?: string[] }>) {
              if (p.convertedFrom) converted++;
              if (p.flags?.includes('suspect-stale')) flagged++;
            }
          }
        }
      }
    }
    // The comparison covered conversions, the currency check's flags and refusals, not only copies.
    expect(converted).toBeGreaterThan(100);
    expect(flagged).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(10);
    expect(compared).toBeGreaterThan(200);
  }, 300_000);
});
