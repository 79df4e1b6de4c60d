// Bearer admin token for every admin route (webhook management, reads included). The token comes
// from TOKENTRAIL_ADMIN_TOKEN (src/config.ts); without it those routes are disabled (403), never
// open. Wrong or missing tokens are throttled per client: past the burst, 429 until it refills.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problemError } from './problem.ts';
import { clientKey, tooManyRequests, type TokenBuckets } from './rate-limit.ts';

export interface AdminOptions {
  token?: string;
  /** Failed attempts allowed per client (null: unthrottled). */
  failures?: TokenBuckets | null;
  /** Proxies in front whose X-Forwarded-For is trusted (see rate-limit.ts). */
  trustedHops?: number;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: both sides are hashed to equal-length digests first. */
export function tokenMatches(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

export function requireAdmin(opts: AdminOptions = {}): MiddlewareHandler {
  const token = opts.token ?? '';
  const expected = token.length > 0 ? digest(token) : null;
  return async (c, next) => {
    if (!expected) {
      throw problemError(403, 'admin routes are disabled: set TOKENTRAIL_ADMIN_TOKEN to enable them', { slug: 'admin-disabled' });
    }
    const client = opts.failures ? clientKey(c, opts.trustedHops ?? 0) : '';
    // A client that guessed wrong too often waits, whatever it sends now.
    const wait = opts.failures?.wait(client) ?? 0;
    if (wait > 0) tooManyRequests(wait, 'failed authentications');
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!m || !tokenMatches(m[1], expected)) {
      opts.failures?.take(client);
      throw problemError(401, 'this route needs the admin bearer token (Authorization: Bearer …)', { field: 'authorization' }, {
        'WWW-Authenticate': 'Bearer realm="tokentrail"',
      });
    }
    await next();
  };
}
