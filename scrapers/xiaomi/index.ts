// Xiaomi MiMo: the console (https://platform.xiaomimimo.com/#/docs/…) is a single-page app; the
// Markdown behind it is static, e.g. https://platform.xiaomimimo.com/static/docs/price/pay-as-you-go.md
// (older path: …/static/docs/pricing.md). Reported layout: China (CNY) and Overseas (USD) price
// lists, cache hit / cache miss / output per 1M tokens, and the Token Plan (monthly fee, credits per
// month, credits per token per model component).
//
// No copy of the page exists anywhere we could find, so the only fixture is constructed from
// public reports (see fixtures/*.meta.json). This parser reads tables by their column names, not by
// position, and takes each list's currency from its heading and its money symbols (which must
// agree); a page in another shape fails with LayoutChangedError instead of being guessed at.
import { LayoutChangedError } from '../../src/errors.ts';
import { Decimal } from '../../src/decimal.ts';
import type { Observation, ParseResult } from '../../src/model.ts';
import type { ParseContext, Scraper } from '../../src/scrape/contract.ts';
import { assertRealPage } from '../../src/scrape/page-guards.ts';
import { CoverageBuilder } from '../_kit/coverage.ts';
import { assertPlausible, parseDisplayedNumber, readMoneyCell } from '../_kit/money.ts';
import { pipeTablesUnderHeadings } from '../_kit/tables.ts';

type Component = 'cache_read' | 'input' | 'output';

/** Price / credit columns: "Input (cache hit)", "Cache Hit Input", "输入（缓存命中）", … */
function componentOf(header: string): Component | undefined {
  const h = header.toLowerCase().replace(/\s+/g, ' ').trim();
  if (/cache hit|缓存命中/.test(h)) return 'cache_read';
  if (/cache miss|缓存未命中/.test(h)) return 'input';
  if (/^(output|输出)/.test(h)) return 'output';
  return undefined;
}


interface Table {
  headings: string[]; // the headings above it, outermost first
  header: string[];
  rows: string[][];
}

function tables(text: string): Table[] {
  return pipeTablesUnderHeadings(text).map(({ headings, header, rows }) => ({ headings, header, rows }));
}

function headingCurrency(headings: string[]): 'CNY' | 'USD' | undefined {
  const h = headings.join(' / ');
  if (/\bCNY\b|人民币|¥|￥/.test(h)) return 'CNY';
  if (/\bUSD\b|美元|\$/.test(h)) return 'USD';
  return undefined;
}

function decimal(raw: string, where: string): string {
  // Fees, credits per token: plain numbers; the page prints fractional amounts ("0.025").
  return parseDisplayedNumber(raw, `xiaomi: ${where}`, { dotIsDecimal: true });
}

/** "¥0.025/M tokens" → CNY 0.025; "$0.435 / M tokens" → USD 0.435. */
function price(raw: string, where: string): { currency: 'CNY' | 'USD'; amount: string } | null {
  const m = readMoneyCell(raw, `xiaomi: ${where}`, { dotIsDecimal: true });
  if (!m) return null;
  if (m.free || !m.per || !/^(1?m|百万)\s*tokens?$/i.test(m.per)) throw new LayoutChangedError(`xiaomi: ${where}: "${raw}" is not a price per 1M tokens`);
  assertPlausible(m.amount, m.currency, '1M tokens', `xiaomi: ${where}`);
  return { currency: m.currency, amount: m.amount };
}

/** "4.1B" → "4100000000"; "60M" → "60000000"; "1,600,000,000" → "1600000000". */
function credits(raw: string, where: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*([KMB])?$/i.exec(raw.replace(/,/g, '').trim());
  if (!m) throw new LayoutChangedError(`xiaomi: ${where}: "${raw}" is not a credit count`);
  const factor = { K: 1e3, M: 1e6, B: 1e9 }[(m[2] ?? '').toUpperCase() as 'K' | 'M' | 'B'] ?? 1;
  const n = new Decimal(m[1]).times(factor);
  if (!n.isInteger()) throw new LayoutChangedError(`xiaomi: ${where}: "${raw}" is not a whole number of credits`);
  return n.toFixed();
}

const modelId = (cell: string, where: string) => {
  const name = cell.replace(/\*\*/g, '').trim().toLowerCase();
  if (!/^mimo-[a-z0-9.-]+$/.test(name)) throw new LayoutChangedError(`xiaomi: ${where}: "${cell}" is not a MiMo model name`);
  return `xiaomi/${name}`;
};

export function parseXiaomi(text: string, _ctx: ParseContext): ParseResult {
  assertRealPage(text, 'markdown');
  const observations: Observation[] = [];
  const planTerms: NonNullable<ParseResult['planTerms']> = [];
  const planRates: NonNullable<ParseResult['planRates']> = [];
  const rates: { model: string; component: Component; creditsPerToken: string }[] = [];
  const coverage = new CoverageBuilder([{}]);
  const seen = new Set<string>();

  for (const t of tables(text)) {
    const first = t.header[0].toLowerCase();
    const inPlanSection = t.headings.some((h) => /token plan|套餐/i.test(h));
    const columns = t.header.map(componentOf);

    if (/^(plan|套餐)$/.test(first)) {
      // | Plan | Monthly fee | Credits per month |
      const feeCol = t.header.findIndex((h) => /fee|价格|费用/i.test(h));
      const creditCol = t.header.findIndex((h) => /credits|额度|积分/i.test(h));
      if (feeCol < 0 || creditCol < 0) throw new LayoutChangedError('xiaomi: the plan table lacks a fee or credits column');
      const period = /month|月/i.test(t.header[feeCol]) && /month|月/i.test(t.header[creditCol]) ? 'month' : undefined;
      if (!period) throw new LayoutChangedError(`xiaomi: plan table columns "${t.header[feeCol]}" / "${t.header[creditCol]}" do not state a monthly period`);
      for (const row of t.rows) {
        const name = row[0].replace(/\*\*/g, '').trim();
        if (!/^[A-Za-z]+$/.test(name)) throw new LayoutChangedError(`xiaomi: "${row[0]}" is not a plan name`);
        const fee = readMoneyCell(row[feeCol], `xiaomi: plan ${name} fee`, { dotIsDecimal: true });
        if (!fee || fee.free || fee.per) throw new LayoutChangedError(`xiaomi: plan ${name}: fee "${row[feeCol]}" is not an amount`);
        planTerms.push({
          plan: `xiaomi/token-plan-${name.toLowerCase()}`,
          fee: fee.amount,
          currency: fee.currency,
          period,
          credits: credits(row[creditCol], `plan ${name}`),
        });
      }
      continue;
    }

    if (!/^(model|模型)$/.test(first) || !columns.some(Boolean)) continue;
    for (const row of t.rows) {
      // One row = one model of one list: unread on its own when it cannot be read.
      let model: string | undefined;
      const read = coverage.optional(
        `${t.headings.join(' / ') || 'price table'} row "${row[0] ?? ''}"`,
        () => {
          if (row.length !== t.header.length) throw new LayoutChangedError(`xiaomi: row "${row.join(' | ')}" has ${row.length} cells, the header ${t.header.length}`);
          const m = modelId(row[0], 'price table');
          model = m;
          const obs: Observation[] = [];
          const rowRates: typeof rates = [];
          columns.forEach((component, i) => {
            if (!component) return;
            const where = `${m} ${t.header[i]}`;
            if (inPlanSection) {
              // Credits per token: bare numbers under the Token Plan heading.
              rowRates.push({ model: m, component, creditsPerToken: decimal(row[i].trim(), where) });
              return;
            }
            const p = price(row[i], where);
            if (!p) return;
            const expected = headingCurrency(t.headings);
            if (expected && expected !== p.currency) throw new LayoutChangedError(`xiaomi: ${where}: ${p.currency} price under a ${expected} heading`);
            const key = `${m}|${component}|${p.currency}`;
            if (seen.has(key) || obs.some((o) => `${o.model}|${o.component}|${o.currency}` === key)) throw new LayoutChangedError(`xiaomi: ${m} ${component} in ${p.currency} listed twice`);
            obs.push({ model: m, component, currency: p.currency, unit: '1M tokens', conditions: {}, amount: p.amount, kind: 'list' });
          });
          return { obs, rowRates };
        },
        { scope: () => (model ? [{ model, ...(headingCurrency(t.headings) ? { currency: headingCurrency(t.headings) } : {}) }] : undefined) },
      );
      coverage.row(read !== undefined);
      if (!read) continue;
      for (const o of read.obs) seen.add(`${o.model}|${o.component}|${o.currency}`);
      observations.push(...read.obs);
      rates.push(...read.rowRates);
    }
  }

  if (coverage.rowsOnPage === 0) throw new LayoutChangedError('xiaomi: no MiMo price table found');
  if (rates.length && !planTerms.length) throw new LayoutChangedError('xiaomi: credits per token without any plan');
  // The page gives one credits-per-token table for all plans.
  for (const terms of planTerms) for (const r of rates) planRates.push({ plan: terms.plan, ...r });

  const result: ParseResult = { provider: 'xiaomi', coverage: coverage.build(), observations };
  if (planTerms.length) result.planTerms = planTerms;
  if (planRates.length) result.planRates = planRates;
  return result;
}

const scraper: Scraper = {
  id: 'xiaomi',
  name: 'Xiaomi MiMo',
  homepage: 'https://platform.xiaomimimo.com',
  // A Chinese console (CNY and USD lists): bare dates in Beijing time.
  pages: [{ url: 'https://platform.xiaomimimo.com/static/docs/price/pay-as-you-go.md', zone: 'Asia/Shanghai' }],
  kind: 'static',
  parse: parseXiaomi,
  // Two models × three components in CNY, plus the USD list: 12; fewer than 6 = a list is gone.
  minRows: 6,
  changeThreshold: 0.5,
};

export default scraper;
