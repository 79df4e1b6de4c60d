// Per-client token buckets (in memory, per instance) for writes and quotes. A client is its
// socket address, or the first X-Forwarded-For hop when the operator says a proxy is trusted.
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

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, nowMs = performance.now()): number {
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
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / refillPerSecond;
  }
}

export function clientKey(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = c.req.header('x-forwarded-for');
    if (xff) return xff.split(',')[0].trim();
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not running on @hono/node-server (app.request in tests)
  }
}

export function rateLimit(buckets: TokenBuckets, opts: { trustProxy?: boolean; skip?: (c: Context) => boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    if (opts.skip?.(c)) return next();
    const wait = buckets.take(clientKey(c, opts.trustProxy ?? false));
    if (wait > 0) {
      const seconds = Math.max(1, Math.ceil(wait));
      throw problemError(429, `too many requests from this client; retry in ${seconds} s`, {}, { 'Retry-After': String(seconds) });
    }
    await next();
  };
}
