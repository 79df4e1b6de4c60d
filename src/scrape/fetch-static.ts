// The static fetcher: a polite GET for provider pages (DESIGN §4). Real User-Agent, one request at
// a time per host, robots.txt honoured, conditional requests, a timeout covering headers *and*
// body, retries with exponential backoff + jitter for failures a retry can fix (timeouts, resets,
// 429, 5xx) and none for those it cannot (403, 404, robots.txt, challenge pages).
//
// Challenge and login pages served with 200 are refused here as FatalFetchError (so they are never
// snapshotted) using the same detector the parsers use (page-guards.ts); the parsers still check,
// for saved files ingested offline.
import { readFileSync } from 'node:fs';
import { FatalFetchError, RetryableFetchError } from '../errors.ts';
import { blockedPageReason } from './page-guards.ts';
import { type Robots, decidingRule, parseRobots } from './robots.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const USER_AGENT_TOKEN = 'tokentrail';
export const USER_AGENT = `${USER_AGENT_TOKEN}/${VERSION} (+https://github.com/tokentrail/tokentrail)`;

export interface FetchStaticOptions {
  /** Validators from the last fetch: sent as If-None-Match / If-Modified-Since. */
  etag?: string;
  lastModified?: string;
  /** Per attempt, from sending the request to the last byte of the body (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt for retryable failures (default 3, so 4 attempts at most). */
  retries?: number;
  /** First backoff step (default 1 s); doubles each retry, with jitter. */
  baseDelayMs?: number;
  /** Cap for a backoff step and for a server's Retry-After (default 120 s). */
  maxDelayMs?: number;
  /** Injectable so tests need not wait real seconds. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Clock for fetchedAt and HTTP-date Retry-After (default the real clock). */
  now?: () => Date;
  /** Check robots.txt (default true). */
  robots?: boolean;
  accept?: string;
  /**
   * Largest body accepted, counted as it streams after decoding (default 20 MB; a scraper may set
   * its own `maxBodyBytes`). A declared Content-Length above it is refused before reading; a gzip
   * bomb is cut off at the cap, never held in memory.
   */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** A response larger than the cap: retrying fetches the same bytes, so it is fatal. */
export class BodyTooLargeError extends FatalFetchError {
  readonly limitBytes: number;
  constructor(url: string, limitBytes: number, what: string) {
    super(`${url}: ${what} is larger than the ${limitBytes}-byte limit`);
    this.name = 'BodyTooLargeError';
    this.limitBytes = limitBytes;
  }
}

export type FetchStaticResult =
  | {
      status: 'ok';
      /** The final URL after redirects. */
      url: string;
      body: Buffer;
      contentType: string;
      etag?: string;
      lastModified?: string;
      fetchedAt: string;
    }
  | { status: 'not-modified'; url: string; fetchedAt: string };

const DEFAULT_ACCEPT = 'text/html,application/xhtml+xml,text/markdown,application/json;q=0.9,*/*;q=0.8';

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// --- one request at a time per host -------------------------------------------------------------

const hostTails = new Map<string, Promise<void>>();

/** Runs `fn` when every earlier call for `host` has finished (a FIFO queue per host). */
async function withHostSlot<T>(host: string, fn: () => Promise<T>): Promise<T> {
  const previous = hostTails.get(host) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  hostTails.set(host, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (hostTails.get(host) === tail) hostTails.delete(host);
  }
}

// --- robots.txt, fetched once per origin ---------------------------------------------------------

const robotsCache = new Map<string, Promise<Robots | null>>();

/** Forget cached robots.txt files and queues (tests start each case clean). */
export function resetFetchStaticState(): void {
  robotsCache.clear();
  hostTails.clear();
}

async function robotsFor(origin: string, timeoutMs: number): Promise<Robots | null> {
  let pending = robotsCache.get(origin);
  if (!pending) {
    pending = loadRobots(origin, timeoutMs);
    robotsCache.set(origin, pending);
    // A failure is not cached: the next attempt asks again.
    pending.catch(() => robotsCache.delete(origin));
  }
  return pending;
}

/** null = no robots.txt (4xx): everything allowed. 5xx / network errors: retryable (RFC 9309: assume disallowed for now). */
async function loadRobots(origin: string, timeoutMs: number): Promise<Robots | null> {
  // RFC 9309 §2.5: a crawler may ignore robots.txt content past 500 KiB.
  const { response, body } = await request(`${origin}/robots.txt`, { 'user-agent': USER_AGENT, accept: 'text/plain,*/*;q=0.5' }, timeoutMs, 512 * 1024);
  if (response.status >= 200 && response.status < 300) return parseRobots(body.toString('utf8'));
  if (response.status === 429 || response.status >= 500) throw new RetryableFetchError(`${origin}/robots.txt answered ${response.status}`, { status: response.status });
  return null;
}

// --- one HTTP exchange ---------------------------------------------------------------------------

async function request(url: string, headers: Record<string, string>, timeoutMs: number, maxBytes: number): Promise<{ response: Response; body: Buffer }> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(url, { headers, signal: controller.signal, redirect: 'follow' });
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      controller.abort();
      throw new BodyTooLargeError(url, maxBytes, `the declared body (Content-Length ${declared})`);
    }
    return { response, body: await readCapped(response, url, maxBytes, controller) };
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw e;
    if (timedOut) throw new RetryableFetchError(`${url}: no complete answer within ${timeoutMs} ms`, { cause: e });
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RetryableFetchError(`${url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** The body, decoded, chunk by chunk; past `maxBytes` the transfer is aborted. */
async function readCapped(response: Response, url: string, maxBytes: number, controller: AbortController): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => {});
      const encoding = response.headers.get('content-encoding');
      throw new BodyTooLargeError(url, maxBytes, `the body${encoding ? ` (decoded from ${encoding})` : ''}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** Retry-After as seconds or an HTTP date → milliseconds from now (never negative). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

// --- the fetcher ---------------------------------------------------------------------------------

export async function fetchStatic(url: string, opts: FetchStaticOptions = {}): Promise<FetchStaticResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new FatalFetchError(`not a URL: ${url}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new FatalFetchError(`not an http(s) URL: ${url}`);

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 3;
  const baseDelayMs = opts.baseDelayMs ?? 1_000;
  const maxDelayMs = opts.maxDelayMs ?? 120_000;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? (() => new Date());

  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: opts.accept ?? DEFAULT_ACCEPT };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;

  const once = async (): Promise<FetchStaticResult> => {
    if (opts.robots !== false) {
      const robots = await robotsFor(target.origin, timeoutMs);
      const rule = robots ? decidingRule(robots, USER_AGENT_TOKEN, `${target.pathname}${target.search}`) : undefined;
      if (rule && !rule.allow) throw new FatalFetchError(`${url}: disallowed by ${target.origin}/robots.txt (Disallow: ${rule.path})`);
    }
    const { response, body } = await request(url, headers, timeoutMs, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const status = response.status;
    const fetchedAt = now().toISOString();
    if (status === 304) return { status: 'not-modified', url: response.url || url, fetchedAt };
    if (response.headers.get('cf-mitigated') === 'challenge') throw new FatalFetchError(`${url}: answered with a bot challenge (cf-mitigated: challenge)`, { status });
    if (status === 408 || status === 429 || status >= 500) {
      throw new RetryableFetchError(`${url}: HTTP ${status}`, { status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()) });
    }
    if (status < 200 || status >= 300) throw new FatalFetchError(`${url}: HTTP ${status}`, { status });
    const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
    if (/text\/|html|markdown/i.test(contentType)) {
      const blocked = blockedPageReason(body.subarray(0, 200_000).toString('utf8'));
      if (blocked) throw new FatalFetchError(`${url}: HTTP ${status} but the body is ${blocked}`, { status });
    }
    const result: FetchStaticResult = { status: 'ok', url: response.url || url, body, contentType, fetchedAt };
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag) result.etag = etag;
    if (lastModified) result.lastModified = lastModified;
    return result;
  };

  return withHostSlot(target.host, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (e) {
        if (!(e instanceof RetryableFetchError)) throw e;
        if (attempt > retries) {
          throw new RetryableFetchError(`${url}: gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${e.message}`, {
            status: e.status,
            retryAfterMs: e.retryAfterMs,
            cause: e,
          });
        }
        // The slot stays held while we wait: a server asking us to slow down gets no other request.
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + random() * 0.5);
        await sleep(Math.round(e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, maxDelayMs) : backoff));
      }
    }
  });
}
