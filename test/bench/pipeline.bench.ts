// Scrape pipeline benchmark: parse time per page per provider, and a year of daily snapshots per
// provider where few change — an unchanged page must cost a small fraction of a changed one.
//   npx tsx test/bench/pipeline.bench.ts
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { scrapers } from '../../scrapers/registry.ts';
import { getScraper } from '../../scrapers/registry.ts';
import { fixtureBody, listFixtures, runFixture } from '../../src/scrape/fixtures.ts';
import { ingestPage } from '../../src/scrape/pipeline.ts';
import { openDatabase } from '../../src/db/client.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median parse time of each provider's fixtures (pure parse, no I/O). */
export function parseTimes(repeats = 15): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of scrapers) {
    const fixtures = listFixtures(s.id).filter((f) => !('error' in runFixture(s, f)));
    if (!fixtures.length) continue;
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const f of fixtures) {
        const body = fixtureBody(f);
        const t = performance.now();
        s.parse(body, { url: f.meta.url, observedAt: f.meta.date });
        times.push(performance.now() - t);
      }
    }
    out[s.id] = Number(median(times).toFixed(2));
  }
  return out;
}

/**
 * 365 daily observations of one real page; on 12 days a price moves (by 10%, back and forth),
 * on the others the bytes are identical. Returns median ms per unchanged and per changed page.
 */
async function year(provider: string, pageName: string, mutate: (text: string, k: number) => string) {
  const fixture = listFixtures(provider).find((f) => f.name === pageName)!;
  const base = fixtureBody(fixture);
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-pipeline-bench-'));
  const database = await openDatabase({ url: `file:${join(dir, 'bench.db')}` });
  const scraper = getScraper(provider);
  const start = Date.parse('2027-01-01T06:00:00Z');
  const unchanged: number[] = [];
  const changed: number[] = [];
  let version = 0;
  let text = base;
  for (let day = 0; day < 365; day++) {
    const moves = day > 0 && day % 30 === 0;
    if (moves) text = mutate(base, ++version);
    const t = performance.now();
    const run = await ingestPage(database, { scraper, url: fixture.meta.url, body: Buffer.from(text), observedAt: start + day * 86_400_000, confirmed: true });
    const ms = performance.now() - t;
    if (day === 0) continue; // the first page fills an empty timeline: not a typical day
    if (moves) {
      if (run.changes.length === 0) throw new Error(`${provider} day ${day}: the moved price produced no change`);
      changed.push(ms);
    } else {
      if (run.outcome !== 'unchanged') throw new Error(`${provider} day ${day}: expected unchanged, got ${run.outcome}`);
      unchanged.push(ms);
    }
  }
  database.close();
  rmSync(dirname(join(dir, 'bench.db')), { recursive: true, force: true });
  const u = median(unchanged);
  const c = median(changed);
  return { unchangedMs: Number(u.toFixed(2)), changedMs: Number(c.toFixed(2)), ratio: Number((u / c).toFixed(4)), days: 365, changedDays: changed.length };
}

export async function runPipelineBench() {
  // Each mutation moves one real price by 10% on alternate versions, so it is a change but not suspect.
  const ingest = {
    deepseek: await year('deepseek', 'deepseek-zh-2026-07-html-fragment', (t, k) => (k % 2 ? t.replace('>3元', '>3.3元') : t)),
    anthropic: await year('anthropic', 'anthropic-2026-08-21-30e477cd', (t, k) => (k % 2 ? t.replace('| $5 / MTok', '| $5.5 / MTok') : t)),
    openrouter: await year('openrouter', listFixtures('openrouter')[0].name, (t, k) => (k % 2 ? t.replace('"prompt":"0.000003"', '"prompt":"0.0000033"') : t)),
  };
  return { parseMsPerPage: parseTimes(), ingest365: ingest };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runPipelineBench(), null, 2));
}
