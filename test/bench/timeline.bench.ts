// Timeline benchmark: does a price-at query stay flat as history grows 20×? Also diff across all
// models and import throughput. Synthetic data (generated here, never published): prices are
// made up on purpose and live only in a temp directory.
//   npx tsx test/bench/timeline.bench.ts [--scale 20]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/client.ts';
import { importDataset } from '../../src/dataset/import.ts';
import { diff, priceSheet } from '../../src/timeline/queries.ts';
import type { PriceFact, ProviderDataset } from '../../src/model.ts';

const PROVIDERS = 5;
const MODELS_PER_PROVIDER = 100;
const SERIES = [
  ['input', 'USD'],
  ['output', 'USD'],
  ['cache_read', 'USD'],
  ['input', 'CNY'],
  ['output', 'CNY'],
  ['cache_read', 'CNY'],
] as const;
const START = Date.parse('2020-01-01T00:00:00Z');
const END = Date.parse('2026-01-01T00:00:00Z');

/** Deterministic pseudo-random numbers, so both sizes are comparable run to run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** One provider with `depth` facts per series; every tenth change is later corrected (superseded). */
function synthProvider(p: number, depth: number): ProviderDataset {
  const id = `bench${p}`;
  const src = [{ url: 'https://example.com/synthetic-benchmark-data', note: 'synthetic benchmark data, not a real price' }];
  const facts: PriceFact[] = [];
  const step = Math.floor((END - START) / depth);
  for (let m = 0; m < MODELS_PER_PROVIDER; m++) {
    for (const [component, currency] of SERIES) {
      for (let i = 0; i < depth; i++) {
        const from = START + i * step;
        const to = i === depth - 1 ? null : START + (i + 1) * step;
        const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
        const amount = ((m + 1) * 0.01 + i * 0.001).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
        if (i % 10 === 5) {
          // A wrong first reading, corrected a day later.
          facts.push({ model: `${id}/m${m}`, component, currency, unit: '1M tokens', conditions: {}, amount: `${amount}1`, kind: 'list', validFrom: iso(from), validTo: to === null ? null : iso(to), recordedAt: iso(from), supersededAt: iso(from + 86_400_000), sources: src, confidence: 'low' });
          facts.push({ model: `${id}/m${m}`, component, currency, unit: '1M tokens', conditions: {}, amount, kind: 'list', validFrom: iso(from), validTo: to === null ? null : iso(to), recordedAt: iso(from + 86_400_000), sources: src, confidence: 'low' });
        } else {
          facts.push({ model: `${id}/m${m}`, component, currency, unit: '1M tokens', conditions: {}, amount, kind: 'list', validFrom: iso(from), validTo: to === null ? null : iso(to), recordedAt: iso(from), sources: src, confidence: 'low' });
        }
      }
    }
  }
  return {
    provider: { id, name: `Benchmark ${p}`, url: 'https://example.com/' },
    models: Array.from({ length: MODELS_PER_PROVIDER }, (_, m) => ({ id: `${id}/m${m}`, provider: id, name: `m${m}` })),
    plans: [],
    facts,
    planTerms: [],
    planRates: [],
  };
}

async function build(depth: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-bench-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  let facts = 0;
  for (let p = 0; p < PROVIDERS; p++) {
    const d = synthProvider(p, depth);
    facts += d.facts.length;
    writeFileSync(join(data, `${d.provider.id}.json`), JSON.stringify(d));
  }
  const database = await openDatabase({ url: `file:${join(dir, 'bench.db')}` });
  const t0 = performance.now();
  await importDataset(database, data);
  const importSeconds = (performance.now() - t0) / 1000;
  rmSync(data, { recursive: true, force: true });
  return { dir, database, facts, importSeconds, importFactsPerSecond: Math.round(facts / importSeconds) };
}

type Built = Awaited<ReturnType<typeof build>>;

async function priceAtRound(b: Built, rand: () => number, n: number, asOf: number): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    const model = `bench${Math.floor(rand() * PROVIDERS)}/m${Math.floor(rand() * MODELS_PER_PROVIDER)}`;
    await priceSheet(b.database.db, { model, at: START + Math.floor(rand() * (END - START)), asOf });
  }
  return (performance.now() - t) / n;
}

async function diffOnce(b: Built, asOf: number): Promise<{ ms: number; changes: number }> {
  const t = performance.now();
  const d = await diff(b.database.db, { from: Date.parse('2022-01-01T00:00:00Z'), to: Date.parse('2024-01-01T00:00:00Z'), asOf });
  return { ms: performance.now() - t, changes: d.changes.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runTimelineBench(scale = 20) {
  const baseDepth = 17; // ≈ 57,000 facts over 3,000 series
  const small = await build(baseDepth);
  const large = await build(baseDepth * scale);
  const asOf = Date.now();
  // Rounds alternate between the two databases so machine noise hits both alike.
  const rounds = 9;
  const smallMs: number[] = [];
  const largeMs: number[] = [];
  const ratios: number[] = [];
  await priceAtRound(small, rng(1), 300, asOf);
  await priceAtRound(large, rng(1), 300, asOf);
  for (let r = 0; r < rounds; r++) {
    const s = await priceAtRound(small, rng(100 + r), 300, asOf);
    const l = await priceAtRound(large, rng(100 + r), 300, asOf);
    smallMs.push(s);
    largeMs.push(l);
    ratios.push(l / s);
  }
  const diffs = { small: [] as number[], large: [] as number[] };
  let diffChanges = 0;
  for (let r = 0; r < 3; r++) {
    diffs.small.push((await diffOnce(small, asOf)).ms);
    const d = await diffOnce(large, asOf);
    diffs.large.push(d.ms);
    diffChanges = d.changes;
  }
  for (const b of [small, large]) {
    b.database.close();
    rmSync(b.dir, { recursive: true, force: true });
  }
  return {
    facts: { small: small.facts, large: large.facts },
    importFactsPerSecond: { small: small.importFactsPerSecond, large: large.importFactsPerSecond },
    importSeconds: { small: Number(small.importSeconds.toFixed(1)), large: Number(large.importSeconds.toFixed(1)) },
    priceAtMs: { small: Number(median(smallMs).toFixed(3)), large: Number(median(largeMs).toFixed(3)) },
    priceAtRatio: Number(median(ratios).toFixed(3)),
    diffAllModelsMs: { small: Math.round(median(diffs.small)), large: Math.round(median(diffs.large)), changes: diffChanges },
    diffRatio: Number((median(diffs.large) / median(diffs.small)).toFixed(3)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--scale');
  const r = await runTimelineBench(i > 0 ? Number(process.argv[i + 1]) : 20);
  console.log(JSON.stringify(r, null, 2));
}
