// Per-client token buckets (in memory, per instance) for quotes, writes and failed admin auth. A
// client is its socket address or, when the operator trusts N proxies in front
// (TOKENTRAIL_TRUST_PROXY), the address the nearest of them saw, read from X-Forwarded-For.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { problemError } from './problem.ts';

export interface BucketOptions {
  /** Burst size. */
  capacity: number;
  /** Sustained rate. */
  refillPerSecond: number;
  /** Clients remembered at once (oldest forgotten first). */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  constructor(readonly opts: BucketOptions) {}

  private refilled(key: string, nowMs: number): Bucket {
    const { capacity, refillPerSecond } = this.opts;
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.at) / 1000) * refillPerSecond);
      b.at = nowMs;
      this.buckets.delete(key); // re-insert: Map order is our LRU order
    } else {
      b = { tokens: capacity, at: nowMs };
    }
    this.buckets.set(key, b);
    if (this.buckets.size > (this.opts.maxClients ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value as string);
    return b;
  }

  /**
   * Takes `cost` tokens; returns 0 when allowed, else the seconds until they are available. A cost
   * above the burst size is charged as the burst size (a full bucket always admits one request).
   */
  take(key: string, cost = 1, nowMs = performance.now()): number {
    const b = this.refilled(key, nowMs);
    const need = Math.min(cost, this.opts.capacity);
    if (b.tokens >= need) {
      b.tokens -= need;
      return 0;
    }
    return (need - b.tokens) / this.opts.refillPerSecond;
  }

  /** Seconds until one token is available (0: now), without taking it. */
  wait(key: string, nowMs = performance.now()): number {
    const b = this.refilled(key, nowMs);
    return b.tokens >= 1 ? 0 : (1 - b.tokens) / this.opts.refillPerSecond;
  }
}

/**
 * The client of a request. With `trustedHops` proxies in front, each appends the address it saw to
 * X-Forwarded-For, so the client is the `trustedHops`-th entry from the right (what a client writes
 * itself stays to the left and is ignored).
 */
export function clientKey(c: Context, trustedHops: number): string {
  if (trustedHops > 0) {
    const xff = c.req.header('x-forwarded-for');
    if (xff) {
      const hops = xff.split(',').map((s) => s.trim()).filter(Boolean);
      const hop = hops[Math.max(0, hops.length - trustedHops)];
      if (hop) return hop;
    }
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not running on @hono/node-server (app.request in tests)
  }
}

export function tooManyRequests(wait: number, what = 'requests'): never {
  const seconds = Math.max(1, Math.ceil(wait));
  throw problemError(429, `too many ${what} from this client; retry in ${seconds} s`, {}, { 'Retry-After': String(seconds) });
}

export interface RateLimitOptions {
  /** Proxies in front whose X-Forwarded-For entries are trusted (0: none). */
  trustedHops?: number;
  skip?: (c: Context) => boolean;
  /** What the request costs in tokens (default 1), e.g. by the work its body asks for. */
  cost?: (c: Context) => number | Promise<number>;
}

export function rateLimit(buckets: TokenBuckets, opts: RateLimitOptions = {}): MiddlewareHandler {
  return async (c, next) => {
    if (opts.skip?.(c)) return next();
    const cost = opts.cost ? await opts.cost(c) : 1;
    const wait = buckets.take(clientKey(c, opts.trustedHops ?? 0), cost);
    if (wait > 0) tooManyRequests(wait);
    await next();
  };
}
