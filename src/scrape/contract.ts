// The contract every provider scraper implements. Parsing is a pure function of the page text
// (and the context below): no network, no clock, so saved pages test it exactly.
import type { ParseResult, ProviderId } from '../model.ts';

export interface ParseContext {
  /** The URL the text came from (a scraper may serve several pages, e.g. English and Chinese). */
  url: string;
  /** When the page was observed; only for resolving relative statements, never `Date.now()`. */
  observedAt: string;
}

export interface ScraperPage {
  url: string;
  /** What this page is expected to hold, e.g. `USD` for DeepSeek's English page. */
  currency?: string;
  lang?: string;
  /** IANA zone the page's bare dates and times are read in (a zone the page states wins). Every scraper declares it. */
  zone?: string;
}

/** How a browser scraper gets to the prices on a rendered page. */
export interface BrowserSteps {
  /** CSS selector or text that shows the prices are rendered (waited for, no fixed sleeps). */
  waitFor: string;
  /** Things to click in order before reading (e.g. an "All models" toggle, tabs); missing ones are skipped. */
  clicks?: string[];
  /** What to hand to parse: the rendered HTML of `selector` (default: body) or its inner text. */
  extract?: { selector?: string; as: 'html' | 'text' };
}

export interface Scraper {
  id: ProviderId;
  name: string;
  /** Provider home page, for the dataset's provider record. */
  homepage: string;
  pages: ScraperPage[];
  kind: 'static' | 'browser';
  browser?: BrowserSteps;
  parse(text: string, ctx: ParseContext): ParseResult;
  /** Fewer observations than this from one page make the run suspect. */
  minRows: number;
  /** A move of the effective price larger than this fraction (0.5 = 50%) needs a second observation. */
  changeThreshold: number;
  /** Aggregators whose listed price can flap between routes (OpenRouter). */
  flappy?: boolean;
  /**
   * URL of the module whose default export is this scraper (its import.meta.url), so pages can be
   * parsed in a worker thread with limits (src/scrape/parse-worker.ts); without it, in-process.
   */
  module?: string;
  /** Largest page body accepted from a fetch, decoded (default 20 MB, src/scrape/fetch-static.ts). */
  maxBodyBytes?: number;
}
