// A broken page never becomes prices: each case damages a real fixture the way pages really break
// (empty, challenge, login, error page, cut off, a missing row/column, a 0 not called free, other
// number formats, another language or currency). Damage to the whole page (empty, challenge, wrong
// language, no table) refuses it with LayoutChangedError and a clear reason; damage to one cell,
// row or section leaves that part unread (coverage.unread names it with the same reason) and the
// rest of the page read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LayoutChangedError } from '../src/errors.ts';
import type { ParseResult } from '../src/model.ts';
import type { Scraper } from '../src/scrape/contract.ts';
import { SCRAPERS_DIR } from '../src/scrape/fixtures.ts';
import anthropic from '../scrapers/anthropic/index.ts';
import deepseek from '../scrapers/deepseek/index.ts';
import openrouter from '../scrapers/openrouter/index.ts';

const fixture = (provider: string, file: string): string => readFileSync(join(SCRAPERS_DIR, provider, 'fixtures', file), 'utf8');

const DS_EN = 'https://api-docs.deepseek.com/quick_start/pricing';
const DS_ZH = 'https://api-docs.deepseek.com/zh-cn/quick_start/pricing';
const ANTHROPIC = 'https://platform.claude.com/docs/en/about-claude/pricing.md';
const OPENROUTER = 'https://openrouter.ai/api/v1/models';

const zhPeak = fixture('deepseek', 'deepseek-zh-2026-08-17-modelscn-fixture-trimmed.html');
const zhJuly = fixture('deepseek', 'deepseek-zh-2026-07-html-fragment.html');
const enPromo = fixture('deepseek', 'deepseek-en-2026-05-23-constructed-from-clipping.html');
const claude = fixture('anthropic', 'anthropic-2026-07-25-6e8a3426.md');
const claudeJan = fixture('anthropic', 'anthropic-2026-01-15-e18d1579.md');
const modelsJson = JSON.stringify({ data: (JSON.parse(fixture('openrouter', 'openrouter-models-2025-12-29T123412-95e496d.json')) as { data: unknown[] }).data });

function expectRefused(scraper: Scraper, text: string, url: string, reason: RegExp): void {
  let error: unknown;
  try {
    scraper.parse(text, { url, observedAt: '2026-09-01T00:00:00Z' });
  } catch (e) {
    error = e;
  }
  expect(error, 'parse should have thrown').toBeInstanceOf(LayoutChangedError);
  const message = (error as Error).message;
  expect(message).toMatch(reason);
  expect(message, 'one line').not.toContain('\n');
}

/** The page parses; the damaged part is an unread section whose reason matches; returns the result. */
function expectUnread(scraper: Scraper, text: string, url: string, reason: RegExp): ParseResult {
  const result = scraper.parse(text, { url, observedAt: '2026-09-01T00:00:00Z' });
  const unread = result.coverage?.unread ?? [];
  expect(unread.map((u) => u.reason).join('\n'), 'an unread section with the reason').toMatch(reason);
  for (const u of unread) expect(u.reason, 'one line').not.toContain('\n');
  expect(result.coverage!.rowsRead).toBeLessThanOrEqual(result.coverage!.rowsOnPage!);
  return result;
}

/** Replace exactly one occurrence, so a damaged fixture fails loudly if the fixture itself changes. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
  expect(count, `fixture should contain ${String(from)} once`).toBe(1);
  return text.replace(from, to);
}

describe('the undamaged fixtures parse (so each case below fails for its own reason)', () => {
  it('deepseek, anthropic and openrouter', () => {
    expect(deepseek.parse(zhPeak, { url: DS_ZH, observedAt: '' }).observations.length).toBe(12);
    expect(deepseek.parse(enPromo, { url: DS_EN, observedAt: '' }).observations.length).toBe(12); // 6 flash/pro list + 3 promo + 3 permanent list prices from footnote (3)
    expect(anthropic.parse(claude, { url: ANTHROPIC, observedAt: '' }).observations.length).toBeGreaterThan(100);
    expect(openrouter.parse(modelsJson, { url: OPENROUTER, observedAt: '' }).observations.length).toBeGreaterThan(2000);
  });
});

describe('deepseek refuses a broken page, and leaves a broken cell unread', () => {
  it('an empty body', () => expectRefused(deepseek, '  \n', DS_ZH, /^empty body$/));

  it('a Cloudflare "Just a moment..." challenge', () =>
    expectRefused(deepseek, '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>', DS_EN, /bot challenge/));

  it('a login page', () =>
    expectRefused(deepseek, '<!doctype html><html lang="en"><head><title>Sign in | DeepSeek</title></head><body><form></form></body></html>', DS_EN, /login page/));

  it('an HTTP error page served with 200', () =>
    expectRefused(deepseek, '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>', DS_ZH, /HTTP error page \("502 Bad Gateway"\)/));

  it('HTML cut off in the middle of the table', () => expectRefused(deepseek, zhPeak.slice(0, zhPeak.indexOf('百万tokens输出')), DS_ZH, /truncated HTML/));

  it('a table cut off inside its rowspan (rows missing, tags closed)', () => {
    const cut = zhPeak.slice(0, zhPeak.indexOf('<tr><td rowspan="2">百万tokens输入（缓存未命中）')) + '</table></b></div></div></div></div></body></html>';
    expectRefused(deepseek, cut, DS_ZH, /table row \d+ has \d+ of 5 cells/);
  });

  it('a table without the CACHE MISS rows', () => {
    const damaged = replaceOnce(zhJuly, /<tr><td>百万tokens输入（缓存未命中）<\/td>.*?<\/tr>/, '').replace('rowspan="3">价格', 'rowspan="2">价格');
    expectRefused(deepseek, damaged, DS_ZH, /no CACHE MISS input row/);
  });

  it('the Chinese (CNY) page served at the English URL', () => expectRefused(deepseek, zhPeak, DS_EN, /Chinese \(CNY\) but .*quick_start\/pricing is the English \(USD\) page/));

  it('a USD price on the CNY page', () => expectUnread(deepseek, replaceOnce(zhJuly, '<td>1元</td>', '<td>$1</td>'), DS_ZH, /price "\$1" is in USD but .* is the Chinese \(CNY\) page/));

  it('"$0" not stated as free', () => expectUnread(deepseek, replaceOnce(enPromo, '<td>$0.14</td>', '<td>$0</td>'), DS_EN, /price 0 is not stated as free/));

  it('a European decimal comma ("1,5元")', () => expectUnread(deepseek, replaceOnce(zhPeak, '<td>1.5元</td>', '<td>1,5元</td>'), DS_ZH, /separator we refuse to guess/));

  it('an ambiguous "3.350元" (thousands separator plausible)', () => expectUnread(deepseek, replaceOnce(zhJuly, '<td>3元</td>', '<td>3.350元</td>'), DS_ZH, /"3.350" is ambiguous/));

  it('peak/off-peak rows whose hours footnote is gone: those rows unread, the models still read', () => {
    const r = expectUnread(deepseek, replaceOnce(zhPeak, /<p>\(1\) 空闲时段.*?<\/p>/, ''), DS_ZH, /footnote \(1\), which should state the hours, is missing/);
    expect(r.observations).toEqual([]);
    expect(r.models!.length).toBe(2);
    expect(r.coverage!.unread[0].scope!.length).toBe(6);
  });

  it('an hours footnote without a time zone is read in the page zone (Beijing on the Chinese page)', () => {
    const r = deepseek.parse(replaceOnce(zhPeak, '北京时间 ', ''), { url: DS_ZH, observedAt: '' });
    const stated = deepseek.parse(zhPeak, { url: DS_ZH, observedAt: '' });
    expect(r.observations.map((o) => o.conditions)).toEqual(stated.observations.map((o) => o.conditions));
    expect(r.observations[0].conditions.hours!.tz).toBe('Asia/Shanghai');
  });

  it('a promotion whose discount does not match its list price', () =>
    expectUnread(deepseek, replaceOnce(enPromo, '<td>$0.435 (75% off', '<td>$0.5 (75% off'), DS_EN, /75% off of 1.74 is 0.435, but the cell shows 0.5/));

  it('a page without the pricing table', () => expectRefused(deepseek, '<!doctype html><html lang="en"><head><title>Models</title></head><body><p>moved</p></body></html>', DS_EN, /no pricing table/));
});

describe('anthropic refuses a broken page, and leaves a broken row or section unread', () => {
  it('an empty body', () => expectRefused(anthropic, '', ANTHROPIC, /^empty body$/));

  it('an HTML page where the Markdown export was expected', () =>
    expectRefused(anthropic, '<!DOCTYPE html><html><head><title>Pricing - Claude Docs</title></head><body>…</body></html>', ANTHROPIC, /HTML page where the Markdown export was expected/));

  it('a "Verify you are human" page', () => expectRefused(anthropic, '# Verify you are human\n\nComplete the action below.', ANTHROPIC, /bot challenge/));

  it('a model table missing the "1h Cache Writes" column', () => {
    const damaged = claudeJan.replace(/^(\|[^|\n]*\|[^|\n]*\|[^|\n]*\|)[^|\n]*\|/gm, (row, keep: string, offset: number) => {
      // Drop the 4th column only inside the model pricing table.
      const start = claudeJan.indexOf('## Model pricing');
      const end = claudeJan.indexOf('## Third-party');
      return offset > start && offset < end ? keep : row;
    });
    expectRefused(anthropic, damaged, ANTHROPIC, /model pricing table has no "1h Cache Writes" column/);
  });

  it('a Markdown export cut off in the model table', () =>
    expectUnread(anthropic, claude.slice(0, claude.indexOf('$6.25 / MTok    | $10 / MTok', claude.indexOf('Claude Opus 4.7'))), ANTHROPIC, /model pricing table row 5 \(Claude Opus 4\.7\) has 2 of 6 cells/));

  it('a copy cut off at a row boundary inside the batch table', () => {
    const batch = claude.indexOf('### Batch processing');
    const cut = claude.slice(0, claude.indexOf('| Claude Haiku 4.5', batch));
    expectUnread(anthropic, cut, ANTHROPIC, /batch table has no row for Claude Haiku 4.5 \(cut off\?\)/);
  });

  it('a page that lost the batch section', () => expectUnread(anthropic, replaceOnce(claude, '### Batch processing', '### Batching'), ANTHROPIC, /no "Batch processing" section/));

  it('"$0 / MTok" not stated as free', () => expectUnread(anthropic, replaceOnce(claudeJan, '| $0.25 / MTok      |', '| $0 / MTok      |'), ANTHROPIC, /Claude Haiku 3 Base Input Tokens: price 0 is not stated as free/));

  it('a European amount ("$1.099,00 / MTok")', () => expectUnread(anthropic, replaceOnce(claudeJan, '| $0.25 / MTok      |', '| $1.099,00 / MTok      |'), ANTHROPIC, /separator we refuse to guess/));

  it('a price in another currency', () => expectUnread(anthropic, replaceOnce(claudeJan, '| $0.25 / MTok      |', '| €0.25 / MTok      |'), ANTHROPIC, /Claude Haiku 3 Base Input Tokens: no price in "€0.25 \/ MTok"/));

  it('a page stating another currency', () => expectRefused(anthropic, replaceOnce(claude, 'All prices are in USD.', 'All prices are in EUR.'), ANTHROPIC, /all prices are in EUR, expected USD/));

  it('the Japanese page served at the English URL', () => {
    const ja = claude.replace('# Pricing', '# 料金').replace('## Model pricing', '## モデルの料金');
    expectRefused(anthropic, ja, ANTHROPIC, /not in English \("料金"\)/);
  });

  it('a model label it cannot read', () => {
    // The first "Claude Haiku 3" row is the model table's (the batch table repeats it).
    const damaged = claudeJan.replace('| Claude Haiku 3    |', '| Haiku 3 (new) |');
    expect(damaged).not.toBe(claudeJan);
    expectUnread(anthropic, damaged, ANTHROPIC, /model pricing row 10: unrecognised model label "Haiku 3 \(new\)"/);
  });

  it('a changed data residency sentence (no multiplier to apply)', () =>
    expectUnread(anthropic, replaceOnce(claude, 'incurs a 1.1x multiplier on all token pricing categories', 'is priced separately'), ANTHROPIC, /US-only multiplier sentence has changed/));
});

describe('openrouter refuses a broken response, and leaves a broken price unread', () => {
  it('an empty body', () => expectRefused(openrouter, '', OPENROUTER, /^empty body$/));

  it('an HTML error page instead of JSON', () =>
    expectRefused(openrouter, '<html><head><title>503 Service Unavailable</title></head><body>upstream down</body></html>', OPENROUTER, /HTTP error page/));

  it('a challenge page', () => expectRefused(openrouter, '<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>', OPENROUTER, /bot challenge/));

  it('JSON cut off mid-way', () => expectRefused(openrouter, modelsJson.slice(0, 50_000), OPENROUTER, /not valid JSON \(cut off\?\)/));

  it('an API error object', () => expectRefused(openrouter, '{"error":{"code":401,"message":"No auth credentials found"}}', OPENROUTER, /the API answered an error/));

  it('a response without the data array', () => expectRefused(openrouter, '{"models":[]}', OPENROUTER, /no "data" array/));

  it('a price sent as a JSON number (already a float)', () => {
    const damaged = modelsJson.replace('"prompt":"0.000000075"', '"prompt":7.5e-8');
    expect(damaged).not.toBe(modelsJson);
    expectUnread(openrouter, damaged, OPENROUTER, /pricing.prompt is 7.5e-8, expected a decimal string/);
  });

  it('a price in exponent notation', () => {
    const damaged = modelsJson.replace('"prompt":"0.000000075"', '"prompt":"7.5e-8"');
    expectUnread(openrouter, damaged, OPENROUTER, /"7.5e-8" is not a plain decimal string/);
  });
});
