// Browser fetcher for `kind: 'browser'` scrapers: renders a page in headless Chromium (Playwright),
// waits for the prices, performs the scraper's clicks and hands back the rendered HTML or text, so
// browser and static scrapers share one pure parse and the same fixture tests.
//
// Failures are typed by whether a retry can help (src/errors.ts):
// - RetryableFetchError: navigation errors and timeouts, HTTP 429/5xx, and a browser that crashed or
//   was killed mid-page (the pool relaunches it on next use).
// - FatalFetchError: the site refuses us — HTTP 401/403/404/410, a captcha or bot-challenge page,
//   or an empty render (nothing visible at all: a blocked bundle or a bot wall serving an empty
//   shell). Retrying with the same client gives the same answer; an operator has to look.
// - LayoutChangedError: the page rendered real content but the prices never appeared (`waitFor`
//   never matched), or the extract selector is gone: the page changed and the scraper must be
//   updated. Retrying cannot help either, but the cause is ours, not the site's refusal.
//
// Requests to other sites than the page's own (trackers, analytics) are blocked by default. "Site"
// is the registrable domain (docs.example.com and cdn.example.com are one site), not the strict
// origin: documentation sites commonly serve their own scripts from a sibling host.
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, BrowserServer, Page } from 'playwright-core';
import { FatalFetchError, LayoutChangedError, RetryableFetchError } from '../errors.ts';
import type { BrowserSteps, Scraper, ScraperPage } from './contract.ts';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES } from './fetch-static.ts';

/** This machine (and CI) refuses Chromium's background connections; keep it quiet and headless. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Containers often have a tiny /dev/shm; Chromium then crashes on large pages.
  '--disable-dev-shm-usage',
];

export interface BrowserPoolOptions {
  /** Chromium binary; default: env TOKENTRAIL_CHROMIUM, else /usr/bin/chromium, else Playwright's own. */
  executablePath?: string;
  /** Whole-page budget (navigation + waiting + clicks + extraction), ms. */
  pageTimeoutMs?: number;
  /** How long to look for an optional click target before skipping it, ms. */
  clickTimeoutMs?: number;
  /** Block requests to other sites than the page's (trackers, analytics). Default true. */
  blockThirdParty?: boolean;
  /** Pages rendered at the same time in the one browser. */
  maxConcurrentPages?: number;
  /** User-Agent; default Chromium's own with "HeadlessChrome" reported as "Chrome". */
  userAgent?: string;
}

export interface RenderResult {
  /** The URL asked for and the URL the page ended on (after redirects). */
  url: string;
  finalUrl: string;
  status: number | null;
  /** What `steps.extract` asked for: outer HTML or inner text of the selector (default body HTML). */
  as: 'html' | 'text';
  body: string;
  /** Optional clicks whose target never appeared. */
  skippedClicks: string[];
  /** Requests refused because they went to another site. */
  blockedRequests: number;
}

/** TOKENTRAIL_CHROMIUM, else /usr/bin/chromium, else undefined (Playwright's own download). */
export function resolveChromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.TOKENTRAIL_CHROMIUM?.trim();
  if (fromEnv) return fromEnv;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return undefined;
}

// Pools alive in this process, killed synchronously if the process exits without close().
const livePools = new Set<BrowserPool>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pool of livePools) pool.killNow();
  });
}

/**
 * One Chromium reused across pages (a fresh incognito context per page), relaunched after a crash,
 * killed on `close()` and on process exit. Playwright gives the browser a fresh temporary
 * user-data dir and deletes it when the browser goes.
 */
export class BrowserPool {
  private readonly opts: Required<Omit<BrowserPoolOptions, 'executablePath' | 'userAgent'>> &
    Pick<BrowserPoolOptions, 'executablePath' | 'userAgent'>;
  private server?: BrowserServer;
  private browser?: Browser;
  private launching?: Promise<Browser>;
  private closed = false;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** How many times Chromium was started (1 + relaunches after crashes). */
  launches = 0;

  constructor(options: BrowserPoolOptions = {}) {
    this.opts = {
      executablePath: options.executablePath ?? resolveChromiumPath(),
      userAgent: options.userAgent,
      pageTimeoutMs: options.pageTimeoutMs ?? 45_000,
      clickTimeoutMs: options.clickTimeoutMs ?? 3_000,
      blockThirdParty: options.blockThirdParty ?? true,
      maxConcurrentPages: options.maxConcurrentPages ?? 2,
    };
  }

  /** PID of the running Chromium (the process group leader), if one is running. */
  get pid(): number | undefined {
    return this.server?.process().pid;
  }

  /**
   * Renders one page: navigate, wait for the prices, click, extract. `steps.waitFor` and each click
   * are Playwright selectors (CSS, or `text=…` / `role=button[name="…"]`). After each click the page
   * is given until its DOM has been quiet for 250 ms (not a fixed sleep) before the next step.
   */
  async render(url: string, steps: BrowserSteps, opts: { timeoutMs?: number; maxBodyBytes?: number } = {}): Promise<RenderResult> {
    if (this.closed) throw new Error('BrowserPool is closed');
    await this.acquire();
    try {
      return await this.renderOnce(url, steps, opts.timeoutMs ?? this.opts.pageTimeoutMs, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } finally {
      this.release();
    }
  }

  /** Closes the browser and waits until its process is gone. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.shutdown();
    livePools.delete(this);
  }

  /** Synchronous last resort for process exit: SIGKILL the browser's process group. */
  killNow(): void {
    const pid = this.pid;
    if (!pid) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.opts.maxConcurrentPages) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** True while the browser is connected and its process runs (a killed one may still look connected for a moment). */
  private alive(): boolean {
    const proc = this.server?.process();
    if (!this.browser?.isConnected() || !proc?.pid) return false;
    if (proc.exitCode !== null || proc.signalCode !== null) return false;
    return isAlive(proc.pid) && !isZombie(proc.pid);
  }

  private async ensureBrowser(): Promise<Browser> {
    if (this.browser && this.alive()) return this.browser;
    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    await this.shutdown(); // a crashed browser may leave its server object behind
    // Loaded on first launch: playwright-core costs ~0.25 s and ~20 MB at every start otherwise.
    const { chromium } = await import('playwright-core');
    let server: BrowserServer;
    try {
      server = await chromium.launchServer({
        executablePath: this.opts.executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        chromiumSandbox: false,
        timeout: 30_000,
      });
    } catch (err) {
      // A missing binary will not appear on retry; a slow start might.
      if (this.opts.executablePath && !existsSync(this.opts.executablePath))
        throw new FatalFetchError(`Chromium not found at ${this.opts.executablePath} (set TOKENTRAIL_CHROMIUM or run scripts/ensure-chromium.sh)`, { cause: err });
      throw new RetryableFetchError(`Chromium failed to start: ${firstLine(err)}`, { cause: err });
    }
    this.server = server;
    this.launches++;
    livePools.add(this);
    installExitHook();
    const browser = await chromium.connect(server.wsEndpoint());
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = undefined;
    });
    this.browser = browser;
    return browser;
  }

  private async shutdown(): Promise<void> {
    const browser = this.browser;
    const server = this.server;
    this.browser = undefined;
    this.server = undefined;
    if (browser?.isConnected()) await browser.close().catch(() => {});
    if (!server) return;
    const pid = server.process().pid;
    await withTimeout(server.close(), 5_000).catch(() => {});
    if (pid && isAlive(pid)) {
      await server.kill().catch(() => {});
      this.killGroup(pid);
    }
    if (pid) await waitUntilGone(pid, 5_000);
  }

  private killGroup(pid: number): void {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private async renderOnce(url: string, steps: BrowserSteps, timeoutMs: number, maxBodyBytes: number): Promise<RenderResult> {
    const browser = await this.ensureBrowser();
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    let page: Page | undefined;
    let blockedRequests = 0;
    try {
      const context = await browser.newContext({
        userAgent: this.opts.userAgent ?? defaultUserAgent(browser.version()),
        serviceWorkers: 'block',
      });
      page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      // Any response declaring more than the cap is a page we refuse (the browser would hold it).
      let oversize: string | null = null;
      page.on('response', (r) => {
        const declared = Number(r.headers()['content-length'] ?? NaN);
        if (declared > maxBodyBytes && oversize === null) {
          oversize = `${r.url()} (Content-Length ${declared})`;
          void page?.close().catch(() => {});
        }
      });
      const checkOversize = () => {
        if (oversize !== null) throw new BodyTooLargeError(url, maxBodyBytes, `a response, ${oversize},`);
      };
      if (this.opts.blockThirdParty) {
        const pageSite = siteOf(url);
        await page.route('**/*', (route) => {
          const target = route.request().url();
          if (target.startsWith('data:') || target.startsWith('blob:') || siteOf(target) === pageSite) return route.continue();
          blockedRequests++;
          return route.abort('blockedbyclient');
        });
      }

      // 1. Navigate. Network errors and timeouts may pass: retryable.
      let status: number | null = null;
      try {
        const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: left() });
        status = response?.status() ?? null;
      } catch (err) {
        checkOversize();
        throw this.crashOr(browser, url, err, () => new RetryableFetchError(`navigation to ${url} failed: ${firstLine(err)}`, { cause: err }));
      }
      checkOversize();
      if (status !== null && status >= 400) throw httpError(url, status);

      // 2. A challenge page will not turn into prices: fail fast.
      await this.assertNoChallenge(page, url);

      // 3. Wait for the prices (a selector, never a fixed sleep).
      try {
        await page.locator(steps.waitFor).first().waitFor({ state: 'attached', timeout: left() });
      } catch (err) {
        if (!this.alive()) throw crashed(url, err);
        await this.assertNoChallenge(page, url);
        const visible = await visibleText(page);
        if (visible.length === 0) throw new FatalFetchError(`${url} rendered nothing (empty page${blockedRequests ? `; ${blockedRequests} third-party requests were blocked` : ''})`, { cause: err });
        throw new LayoutChangedError(`${url}: prices never rendered ("${steps.waitFor}" not found within ${timeoutMs} ms)`);
      }

      // 4. Clicks in order; a target that does not appear is skipped.
      const skippedClicks: string[] = [];
      for (const selector of steps.clicks ?? []) {
        const target = page.locator(selector).first();
        try {
          await target.waitFor({ state: 'visible', timeout: Math.min(this.opts.clickTimeoutMs, left()) });
        } catch (err) {
          if (!this.alive()) throw crashed(url, err);
          skippedClicks.push(selector);
          continue;
        }
        try {
          await target.click({ timeout: left() });
        } catch (err) {
          throw this.crashOr(browser, url, err, () => new RetryableFetchError(`${url}: click on "${selector}" failed: ${firstLine(err)}`, { cause: err }));
        }
        await settle(page, Math.min(5_000, left()));
      }

      // 5. Extract.
      const as = steps.extract?.as ?? 'html';
      const selector = steps.extract?.selector ?? 'body';
      let body: string;
      try {
        const node = page.locator(selector).first();
        // Measured in the page first, so an oversize render never crosses into this process.
        const chars = await node.evaluate((el, html) => (html ? el.outerHTML.length : (el as HTMLElement).innerText.length), as === 'html', { timeout: left() });
        if (chars > maxBodyBytes) throw new BodyTooLargeError(url, maxBodyBytes, `the rendered ${as} (${chars} characters)`);
        body = as === 'html' ? await node.evaluate((el) => el.outerHTML, undefined, { timeout: left() }) : await node.innerText({ timeout: left() });
      } catch (err) {
        if (err instanceof BodyTooLargeError) throw err;
        checkOversize();
        throw this.crashOr(browser, url, err, () => new LayoutChangedError(`${url}: extract selector "${selector}" not found`));
      }
      if ((await visibleText(page)).length === 0) throw new FatalFetchError(`${url} rendered nothing (empty page)`);
      return { url, finalUrl: page.url(), status, as, body, skippedClicks, blockedRequests };
    } catch (err) {
      if (err instanceof RetryableFetchError || err instanceof FatalFetchError || err instanceof LayoutChangedError) throw err;
      throw this.crashOr(browser, url, err, () => new RetryableFetchError(`${url}: ${firstLine(err)}`, { cause: err }));
    } finally {
      if (page && browser.isConnected()) await page.context().close().catch(() => {});
    }
  }

  private crashOr(browser: Browser, url: string, err: unknown, otherwise: () => Error): Error {
    return browser === this.browser && this.alive() ? otherwise() : crashed(url, err);
  }

  private async assertNoChallenge(page: Page, url: string): Promise<void> {
    let title = '';
    let text = '';
    try {
      title = await page.title();
      text = (await visibleText(page)).slice(0, 3_000);
    } catch {
      return; // the page is still navigating; the next step reports what goes wrong
    }
    const reason = challengeReason(title, text);
    if (reason) throw new FatalFetchError(`${url} returned a ${reason} page instead of prices`);
  }
}

/** Renders a browser scraper's page with its steps. */
export async function fetchRendered(pool: BrowserPool, scraper: Scraper, page: ScraperPage, opts: { url?: string; timeoutMs?: number } = {}): Promise<RenderResult> {
  if (scraper.kind !== 'browser' || !scraper.browser) throw new Error(`${scraper.id} is not a browser scraper`);
  return pool.render(opts.url ?? page.url, scraper.browser, { timeoutMs: opts.timeoutMs });
}

/** Recognises bot walls and captchas from a page's title and first visible text. */
export function challengeReason(title: string, text: string): string | undefined {
  const sample = `${title}\n${text}`;
  if (/just a moment\.\.\.|checking your browser|cf-challenge|attention required! \| cloudflare/i.test(sample)) return 'bot-challenge';
  if (/captcha|verify (that )?you are (a )?human|are you a robot|unusual traffic/i.test(sample)) return 'captcha';
  if (/^access denied$|request blocked/im.test(sample)) return 'access-denied';
  return undefined;
}

function httpError(url: string, status: number): Error {
  if (status === 429 || status >= 500) return new RetryableFetchError(`${url} answered HTTP ${status}`, { status });
  return new FatalFetchError(`${url} answered HTTP ${status}`, { status });
}

function crashed(url: string, err: unknown): RetryableFetchError {
  return new RetryableFetchError(`browser crashed or was killed while rendering ${url}: ${firstLine(err)}`, { cause: err });
}

/** Text a human would see; empty for a blank render. */
async function visibleText(page: Page): Promise<string> {
  return (await page.evaluate(() => document.body?.innerText ?? '')).trim();
}

/** After a click: wait until the DOM stops changing (250 ms quiet), at most `maxMs`. No fixed sleep. */
async function settle(page: Page, maxMs: number): Promise<void> {
  // A string, not a function: tsx/esbuild's keepNames would inject helpers the page does not have.
  await page.evaluate(`new Promise((resolve) => {
    let timer;
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(finish, 250); });
    const cap = setTimeout(finish, ${Math.max(1, Math.floor(maxMs))});
    timer = setTimeout(finish, 250);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    function finish() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(); }
  })`);
}

/** The registrable part of a host, roughly: "developers.openai.com" → "openai.com"; IPs stay whole. */
export function siteOf(url: string): string {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
  if (/^[\d.]+$/.test(host) || host.includes(':') || !host.includes('.')) return host;
  const labels = host.split('.');
  // Two-level public suffixes such as co.uk, com.cn: keep three labels.
  const twoLevel = labels.length >= 3 && labels[labels.length - 1].length === 2 && /^(co|com|net|org|gov|edu|ac)$/.test(labels[labels.length - 2]);
  return labels.slice(twoLevel ? -3 : -2).join('.');
}

function defaultUserAgent(version: string): string {
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${version} Safari/537.36`;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (isAlive(pid) && Date.now() < until) {
    // A zombie stays "alive" for kill(0) until reaped; Node reaps its own children promptly.
    if (isZombie(pid)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
