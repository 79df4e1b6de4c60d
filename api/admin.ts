// Bearer admin token for every route that changes state. The token comes from
// TOKENTRAIL_ADMIN_TOKEN; without it those routes are disabled (403), never open.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problemError } from './problem.ts';

export interface AdminOptions {
  /** Default: process.env.TOKENTRAIL_ADMIN_TOKEN, read when the middleware is made. */
  token?: string;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: both sides are hashed to equal-length digests first. */
export function tokenMatches(given: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(given), expectedDigest);
}

export function requireAdmin(opts: AdminOptions = {}): MiddlewareHandler {
  const token = opts.token ?? process.env.TOKENTRAIL_ADMIN_TOKEN ?? '';
  const expected = token.length > 0 ? digest(token) : null;
  return async (c, next) => {
    if (!expected) {
      throw problemError(403, 'admin routes are disabled: set TOKENTRAIL_ADMIN_TOKEN to enable them', { slug: 'admin-disabled' });
    }
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!m || !tokenMatches(m[1], expected)) {
      throw problemError(401, 'this route needs the admin bearer token (Authorization: Bearer …)', { field: 'authorization' }, {
        'WWW-Authenticate': 'Bearer realm="tokentrail"',
      });
    }
    await next();
  };
}
