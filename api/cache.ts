// Response cache. A read answer depends only on (method, path, query or body, data version), where
// the data version is a counter in the database bumped by every write — so the cache is safe with
// several instances on one database: each one notices a write within `versionCheckMs`.
// Requests whose `at`/`asOf` default to "now" are cached for the current second only.
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../src/db/client.ts';
import { dataVersion } from '../src/timeline/write.ts';
import { makeRepresentation, sendRepresentation, type Representation } from './representation.ts';

/** Reads the data version at most once per interval per instance (one query in flight at a time). */
export class VersionWatcher {
  private value: string | null = null;
  private checkedAt = -Infinity;
  private pending: Promise<string> | null = null;
  private readonly listeners: Array<(version: string) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly intervalMs = 1000,
  ) {}

  current(): Promise<string> | string {
    if (this.value !== null && performance.now() - this.checkedAt < this.intervalMs) return this.value;
    this.pending ??= dataVersion(this.db).then(
      (v) => {
        const changed = this.value !== null && this.value !== v;
        this.value = v;
        this.checkedAt = performance.now();
        this.pending = null;
        if (changed) for (const l of this.listeners) l(v);
        return v;
      },
      (e: unknown) => {
        this.pending = null;
        throw e;
      },
    );
    return this.pending;
  }

  /** Called when a reading finds the data version moved (e.g. to rebuild what was kept). */
  onChange(listener: (version: string) => void): void {
    this.listeners.push(listener);
  }

  /** Forget the last reading (after a write by this instance). */
  invalidate(): void {
    this.checkedAt = -Infinity;
  }
}

export interface CacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  versionCheckMs?: number;
}

/**
 * A bounded LRU of representations for one data version; a new version empties it. Sizes count
 * the identity bodies; a gzip copy made later is smaller, so memory stays under 2 × maxBytes.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Representation>();
  private bytes = 0;
  private version: string | null = null;
  /** The key last in the LRU order (a repeated hit needs no reordering). */
  private newest: string | null = null;
  hits = 0;
  misses = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(opts: CacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 2000;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Answers being computed, so that concurrent identical misses compute once (no stampede). */
  readonly inflight = new Map<string, Promise<Representation | null>>();

  get size(): number {
    return this.entries.size;
  }

  get(version: string, key: string): Representation | undefined {
    if (version !== this.version) {
      this.clear();
      this.version = version;
      return undefined;
    }
    const hit = this.entries.get(key);
    if (hit && key !== this.newest) {
      // Refresh its place in the LRU order (already last when it was the last one asked or kept).
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.newest = key;
    }
    return hit;
  }

  set(version: string, key: string, r: Representation): void {
    if (version !== this.version) {
      this.clear();
      this.version = version;
    }
    const size = r.body.length + key.length;
    if (size > this.maxBytes / 4) return; // one answer may not evict the whole cache
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.body.length + key.length;
      this.entries.delete(key);
    }
    this.entries.set(key, r);
    this.newest = key;
    this.bytes += size;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Representation];
      this.entries.delete(oldestKey);
      this.bytes -= oldest.body.length + oldestKey.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

export interface CachePolicy {
  /** Parameters that default to now when absent: without them the answer is cached for one second. */
  timeParams?: string[];
  /** The answer changes without a data write (e.g. scraper health): cache for one second only. */
  volatile?: boolean;
  /** The answer moves with the clock at this granularity (ms): cached per data version and period. */
  refreshMs?: number;
  /** Cache-Control of a pinned answer (the one-second answers get max-age=1). */
  maxAge?: number;
  /** For POST: the JSON body fields that default to now. */
  bodyTimeFields?: string[];
}

export interface CacheDeps {
  versions: VersionWatcher;
  cache: ResponseCache | null;
  now: () => number;
}

/** Query string with its parameters sorted, so `?a=1&b=2` and `?b=2&a=1` share an entry. */
export function normalizedQuery(url: string): { text: string; params: URLSearchParams } {
  const q = url.indexOf('?');
  const raw = q === -1 ? '' : url.slice(q + 1);
  // A hot answer is asked with the same query string over and over: normalise it once (read-only).
  const known = normalized.get(raw);
  if (known) return known;
  const params = new URLSearchParams(raw);
  const pairs = [...params.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const out = { text: pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'), params };
  if (normalized.size >= 4096) normalized.clear();
  normalized.set(raw, out);
  return out;
}
const normalized = new Map<string, { text: string; params: URLSearchParams }>();

/**
 * Route middleware: answers from the cache, or lets the route answer and keeps a 200. Runs before
 * validation, so a hit costs a map lookup; a miss costs nothing extra but the copy it keeps.
 */
export function cached(deps: CacheDeps, policy: CachePolicy = {}): MiddlewareHandler {
  const pinnedControl = `public, max-age=${policy.maxAge ?? 60}`;
  return async (c, next) => {
    const method = c.req.method;
    const isRead = method === 'GET' || method === 'HEAD';
    let key: string;
    let pinned: boolean;
    if (isRead) {
      const { text, params } = normalizedQuery(c.req.url);
      pinned = !policy.volatile && (policy.timeParams ?? []).every((p) => params.has(p));
      key = `GET ${c.req.path}?${text}`;
    } else {
      const ct = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(ct)) return next();
      const raw = await c.req.text();
      let body: unknown;
      try {
        body = await c.req.json(); // the parse the validator reuses (app.ts parseJsonOnce)
      } catch {
        return next(); // the validator answers with a 400
      }
      const fields = policy.bodyTimeFields ?? [];
      pinned = !policy.volatile && !!body && typeof body === 'object' && fields.every((f) => (body as Record<string, unknown>)[f] !== undefined);
      key = `${method} ${c.req.path}\n${raw.length > 512 ? createHash('sha256').update(raw).digest('hex') : raw}`;
    }
    if (!pinned) key += `\n@${Math.floor(deps.now() / 1000)}`;
    else if (policy.refreshMs) key += `\n@${Math.floor(deps.now() / policy.refreshMs)}`;
    const cacheControl = pinned ? pinnedControl : 'public, max-age=1';
    const store = deps.cache;
    const version = await deps.versions.current();
    const hit = store?.get(version, key);
    if (hit) {
      store!.hits++;
      return sendRepresentation(c, hit, { 'X-Cache': 'hit' });
    }
    const flightKey = `${version}\n${key}`;
    const running = store?.inflight.get(flightKey);
    if (running) {
      const shared = await running;
      if (shared) {
        store!.hits++;
        return sendRepresentation(c, shared, { 'X-Cache': 'hit' });
      }
    }
    let settle: (r: Representation | null) => void = () => {};
    if (store && !running) {
      store.misses++;
      store.inflight.set(flightKey, new Promise((resolve) => (settle = resolve)));
    }
    let rep: Representation | null = null;
    try {
      await next();
      const res = c.res;
      if (res.status !== 200 || res.headers.has('Content-Encoding')) return;
      rep = makeRepresentation(Buffer.from(await res.arrayBuffer()), res.headers.get('Content-Type') ?? 'application/json', cacheControl, 200, isRead);
      store?.set(version, key, rep);
      replaceResponse(c, sendRepresentation(c, rep, { 'X-Cache': 'miss' }));
    } finally {
      if (store && !running) {
        store.inflight.delete(flightKey);
        settle(rep);
      }
    }
  };
}

/**
 * Swaps the response, keeping headers other middleware put on the old one (CORS…) unless the new
 * one sets them. (Hono's setter would let the old headers win, Content-Length included.)
 */
export function replaceResponse(c: Context, res: Response): void {
  const old = c.res;
  for (const [k, v] of old.headers.entries()) {
    if (k === 'content-length' || k === 'content-type' || k === 'content-encoding' || res.headers.has(k)) continue;
    res.headers.set(k, v);
  }
  c.res = undefined as unknown as Response;
  c.res = res;
}
