// The browser fetcher in real headless Chromium against pages served on 127.0.0.1: the OpenAI
// scraper renders its constructed JavaScript page (clicking "All models" and the tier tabs) and
// gets exactly what the static parse of the archived text gives; a page that never renders prices,
// a captcha page, an empty page, HTTP errors and a Chromium killed mid-page each fail with their
// typed error; the pool relaunches after a crash; third-party requests are blocked; and after
// close() no Chromium process of ours is left. Needs Chromium (scripts/ensure-chromium.sh).
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from './helpers/chromium.ts';
import { FatalFetchError, LayoutChangedError, RetryableFetchError } from '../src/errors.ts';
import { BrowserPool, resolveChromiumPath } from '../src/scrape/fetch-browser.ts';
import { listFixtures, loadScraper, parseFixture, readExpected } from './helpers/fixtures.ts';
import type { Scraper } from '../src/scrape/contract.ts';

const fixtures = listFixtures(['openai']);
const constructed = fixtures.find((f) => f.meta.render === 'browser')!;
const textFixture = fixtures.find((f) => f.file.endsWith('openai-docs-pricing-2025-12-19-petehsu.md'))!;

let server: Server;
let base = '';
let trackerHits = 0;
let slowRequests = 0;
let pool: BrowserPool;
let openai: Scraper;

const pages: Record<string, string> = {
  '/never': '<!doctype html><html><head><title>Pricing</title></head><body><main><h1>Pricing</h1><p>Prices are loading…</p></main><script>/* the app never renders */</script></body></html>',
  '/captcha': '<!doctype html><html><head><title>Just a moment...</title></head><body><p>Verify you are human by completing the action below.</p></body></html>',
  '/empty': '<!doctype html><html><head><title></title></head><body></body></html>',
  '/slow': '<!doctype html><html><head><title>Pricing</title></head><body><main><p>Waiting for data…</p></main></body></html>',
};

function descendantsOf(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
      cmd.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      /* the process exited meanwhile */
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  for (const [pid] of parent) {
    let p = parent.get(pid);
    while (p && p !== root && p !== 1) p = parent.get(p);
    if (p === root) out.push({ pid, cmd: cmd.get(pid) ?? '' });
  }
  return out;
}
const ourChromiums = () => descendantsOf(process.pid).filter((p) => /chrom/i.test(p.cmd));

/** The fresh profile dirs of our running browsers (each Chromium process carries its --user-data-dir). */
const profileDirs = () => [...new Set(ourChromiums().flatMap((p) => /--user-data-dir=(\S+)/.exec(p.cmd)?.[1] ?? []))];

/** Running processes anywhere (children reparented to init included) that belong to these profiles. */
function processesUsing(dirs: string[]): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8'); // empty for zombies: they do not run
      if (dirs.some((d) => cmd.includes(d))) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

beforeAll(async () => {
  const exe = resolveChromiumPath();
  if (!exe || !existsSync(exe)) throw new Error('Chromium is missing: run scripts/ensure-chromium.sh or set TOKENTRAIL_CHROMIUM');
  openai = await loadScraper('openai');
  const constructedHtml = readFileSync(constructed.file);
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/docs/pricing') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(constructedHtml);
    } else if (path === '/with-tracker') {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(200, { 'content-type': 'text/html' });
      // localhost is another site than 127.0.0.1: the tracker must not be loaded.
      res.end(`<!doctype html><html><body><main><table><tr><th>Model</th></tr></table><img src="http://localhost:${port}/tracker.gif"><script src="http://localhost:${port}/tracker.js"></script></main></body></html>`);
    } else if (path.startsWith('/tracker')) {
      trackerHits++;
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end('');
    } else if (path.startsWith('/status/')) {
      res.writeHead(Number(path.slice('/status/'.length)), { 'content-type': 'text/html' });
      res.end('<html><body><main>error</main></body></html>');
    } else if (pages[path]) {
      if (path === '/slow') slowRequests++;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pages[path]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new BrowserPool({ pageTimeoutMs: 20_000 });
});

afterAll(async () => {
  await pool?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('browser scrape of the constructed OpenAI page', () => {
  it('renders in headless Chromium, clicks through, and parses to what the static parse of the text fixture gives', async () => {
    const rendered = await pool.render(`${base}/docs/pricing`, openai.browser!);
    expect(rendered.status).toBe(200);
    expect(rendered.skippedClicks).toEqual([]);
    const browserParse = openai.parse(rendered.body, { url: constructed.meta.url, observedAt: `${constructed.meta.date}T00:00:00Z` });
    const staticParse = parseFixture(openai, textFixture);
    expect(browserParse).toEqual(staticParse);
    expect(browserParse).toEqual(readExpected(textFixture));
    expect(browserParse.observations.length).toBeGreaterThanOrEqual(openai.minRows);
  });

  it('without the clicks, the page holds only the featured rows and the Standard tab (the click-through is what gets the rest)', async () => {
    const rendered = await pool.render(`${base}/docs/pricing`, { ...openai.browser!, clicks: [] });
    const partial = openai.parse(rendered.body, { url: constructed.meta.url, observedAt: `${constructed.meta.date}T00:00:00Z` });
    const full = parseFixture(openai, textFixture);
    expect(partial.observations.length).toBeLessThan(full.observations.length);
    expect(partial.observations.some((o) => o.conditions.serviceTier === 'batch' && o.model === 'openai/gpt-5.2')).toBe(false);
    expect(partial.observations.some((o) => o.model === 'openai/gpt-image-1-mini' && o.component === 'input' && !o.conditions.serviceTier)).toBe(false);
  });

  it('a missing optional click is skipped, not an error', async () => {
    const rendered = await pool.render(`${base}/docs/pricing`, { ...openai.browser!, clicks: ['role=button[name="No such toggle"]', ...(openai.browser!.clicks ?? [])] });
    expect(rendered.skippedClicks).toEqual(['role=button[name="No such toggle"]']);
  });

  it('blocks requests to other sites (trackers)', async () => {
    trackerHits = 0;
    const rendered = await pool.render(`${base}/with-tracker`, { waitFor: 'main table', extract: { selector: 'main', as: 'html' } });
    expect(rendered.blockedRequests).toBeGreaterThanOrEqual(1);
    expect(trackerHits).toBe(0);
  });
});

describe('browser fetch failures are typed', () => {
  it('a page that never renders prices → LayoutChangedError', async () => {
    await expect(pool.render(`${base}/never`, openai.browser!, { timeoutMs: 2_500 })).rejects.toBeInstanceOf(LayoutChangedError);
  });

  it('a captcha / bot-challenge page → FatalFetchError', async () => {
    const err = await pool.render(`${base}/captcha`, openai.browser!, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalFetchError);
    expect(String((err as Error).message)).toMatch(/challenge|captcha/);
  });

  it('an empty render → FatalFetchError', async () => {
    await expect(pool.render(`${base}/empty`, openai.browser!, { timeoutMs: 2_500 })).rejects.toBeInstanceOf(FatalFetchError);
  });

  it('HTTP 503 → RetryableFetchError, HTTP 404 → FatalFetchError, a refused connection → RetryableFetchError', async () => {
    const e503 = await pool.render(`${base}/status/503`, openai.browser!, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(e503).toBeInstanceOf(RetryableFetchError);
    expect((e503 as RetryableFetchError).status).toBe(503);
    const e404 = await pool.render(`${base}/status/404`, openai.browser!, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(e404).toBeInstanceOf(FatalFetchError);
    // A port nobody listens on: bind one, note it, close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(pool.render(`http://127.0.0.1:${deadPort}/`, openai.browser!, { timeoutMs: 5_000 })).rejects.toBeInstanceOf(RetryableFetchError);
  });

  it('Chromium killed mid-page → RetryableFetchError, and the pool relaunches on next use', async () => {
    const launchesBefore = pool.launches;
    const pid = pool.pid;
    expect(pid).toBeDefined();
    const crashedProfiles = profileDirs();
    expect(crashedProfiles.length).toBeGreaterThan(0);
    slowRequests = 0;
    const pending = pool.render(`${base}/slow`, openai.browser!, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    // Kill once the page is loading (the server has seen the request), not before.
    const until = Date.now() + 10_000;
    while (slowRequests === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(slowRequests).toBe(1);
    process.kill(-pid!, 'SIGKILL');
    const err = await pending;
    expect(err).toBeInstanceOf(RetryableFetchError);
    expect(String((err as Error).message)).toMatch(/crash|killed|closed/i);

    const again = await pool.render(`${base}/docs/pricing`, openai.browser!);
    expect(again.body).toContain('gpt-5.2');
    expect(pool.launches).toBe(launchesBefore + 1);
    expect(pool.pid).not.toBe(pid);
    // Nothing of the killed browser still runs, not even children re-parented to init.
    expect(processesUsing(crashedProfiles)).toEqual([]);
  });
});

describe('no orphan Chromium', () => {
  it('after close(), no Chromium process of ours remains', async () => {
    expect(ourChromiums().length).toBeGreaterThan(0); // sanity: the pool's browser is running now
    const profiles = profileDirs();
    expect(profiles.length).toBeGreaterThan(0);
    await pool.close();
    const until = Date.now() + 5_000;
    while ((ourChromiums().length > 0 || processesUsing(profiles).length > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(ourChromiums()).toEqual([]);
    // Not even a helper re-parented to init keeps running with our profile.
    expect(processesUsing(profiles)).toEqual([]);
    // Playwright deleted the fresh profile directory with the browser.
    for (const dir of profiles) expect(existsSync(dir), dir).toBe(false);
    await expect(pool.render(`${base}/docs/pricing`, openai.browser!)).rejects.toThrow(/closed/);
  });
});
