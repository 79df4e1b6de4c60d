// Headers every answer carries — open CORS for the read API and the security headers — and the
// CORS preflight. Authorization is not an allowed request header, so browsers cannot call admin
// routes cross-origin.
//
// The headers are the same for every answer, so they are written onto Node's response before the
// route runs; @hono/node-server's writeHead merges the route's own headers over them, so a header
// a route sets wins. Setting them on `c.res.headers` after the route answered, as hono/cors and
// hono/secure-headers do, turns the answer's plain header object into a WHATWG Headers (each set
// validated, the list sorted again on the way out): on /healthz that cost more than half the
// throughput (docs/benchmarks.md). Without a Node response (app.request: tests, the page's
// in-process reads) they are set on the answer afterwards, where the route has not set them.
import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/**
 * What hono/secure-headers sets by default, with Cross-Origin-Resource-Policy opened for the read
 * API (test/api-headers.test.ts holds the two together).
 */
export const SECURE_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

export interface CorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/** The CORS headers of every answer. */
export function corsHeaders(opts: CorsOptions): Record<string, string> {
  return { 'Access-Control-Allow-Origin': '*', ...(opts.exposeHeaders.length && { 'Access-Control-Expose-Headers': opts.exposeHeaders.join(', ') }) };
}

/** Answers a CORS preflight (OPTIONS with Access-Control-Request-Method); other OPTIONS go on. */
export function corsPreflight(opts: CorsOptions): MiddlewareHandler {
  const headers = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': opts.allowMethods.join(', '),
    'Access-Control-Allow-Headers': opts.allowHeaders.join(', '),
    'Access-Control-Max-Age': String(opts.maxAgeSeconds),
  };
  return async (c, next) => {
    if (!c.req.header('access-control-request-method')) return next();
    return new Response(null, { status: 204, headers });
  };
}

/** Puts `headers` on every answer; a header the route sets itself wins. */
export function fixedHeaders(headers: Readonly<Record<string, string>>): MiddlewareHandler {
  const entries = Object.entries(headers);
  return async (c, next) => {
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && typeof outgoing.setHeader === 'function' && !outgoing.headersSent) {
      for (const [k, v] of entries) outgoing.setHeader(k, v);
      return next();
    }
    await next();
    const h = c.res.headers;
    for (const [k, v] of entries) if (!h.has(k)) h.set(k, v);
  };
}
