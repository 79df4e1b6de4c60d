// Open CORS for the read API. Unlike hono/cors, headers are added after the route has answered:
// touching the response before that makes Hono rebuild it (and @hono/node-server then streams it
// instead of writing it at once), which costs a third of the throughput of a small answer.
// Authorization is not an allowed request header, so browsers cannot call admin routes cross-origin.
import type { MiddlewareHandler } from 'hono';

export interface CorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export function openCors(opts: CorsOptions): MiddlewareHandler {
  const methods = opts.allowMethods.join(', ');
  const allowHeaders = opts.allowHeaders.join(', ');
  const expose = opts.exposeHeaders.join(', ');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': methods,
          'Access-Control-Allow-Headers': allowHeaders,
          'Access-Control-Max-Age': String(opts.maxAgeSeconds),
        },
      });
    }
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
    if (expose) c.res.headers.set('Access-Control-Expose-Headers', expose);
  };
}
