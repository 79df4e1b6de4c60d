// Real headless Chromium for page tests: one browser per test file; each page records its console
// errors, uncaught exceptions and every request URL, so a test can assert none of them went wrong
// or left the server.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/db/client.ts';
import { CHROMIUM_ARGS, resolveChromiumPath } from '../../src/scrape/fetch-browser.ts';

export const ARTIFACTS_DIR = resolve(PACKAGE_ROOT, 'test', 'artifacts');

export async function launchBrowser(): Promise<Browser> {
  const executablePath = resolveChromiumPath();
  if (!executablePath) throw new Error('Chromium not found (set TOKENTRAIL_CHROMIUM or run scripts/ensure-chromium.sh)');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, chromiumSandbox: false, headless: true, timeout: 30_000 });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** console.error messages and uncaught exceptions. */
  errors: string[];
  /** Every URL the page asked for (documents, scripts, fetches, images…). */
  requests: string[];
}

/**
 * A fresh context and page. With `origin`, any request elsewhere is recorded and then aborted, so
 * a stray one fails the test instead of reaching the internet.
 */
export async function openPage(browser: Browser, opts: { width?: number; height?: number; origin?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  context.on('request', (req) => requests.push(req.url()));
  const origin = opts.origin;
  if (origin) await context.route((url) => url.origin !== origin, (route) => route.abort('blockedbyclient'));
  return { page, context, errors, requests };
}

/** Saves a full-page screenshot under test/artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A watched page at `width` px opened on `base + path` (the page's own origin is `base`'s). */
export async function visitPage(browser: Browser, base: string, path: string, width = 1280): Promise<WatchedPage> {
  const w = await openPage(browser, { width, origin: new URL(base).origin });
  await w.page.goto(base + path);
  return w;
}
