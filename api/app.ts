// The Hono app: shared middleware, then one feature per file under api/routes/, each mounted with
// one `.route("/", feature(ctx))` line (webhooks are one more). Every route is an OpenAPI route.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { bucketsFromConfig, loadConfig, type Config } from '../src/config.ts';
import type { Database } from '../src/db/client.ts';
import { requireAdmin } from './admin.ts';
import { ResponseCache, VersionWatcher, type CacheOptions } from './cache.ts';
import { makeContext, type ApiContext } from './context.ts';
import { corsHeaders, corsPreflight, fixedHeaders, SECURE_HEADERS, type CorsOptions } from './cors.ts';
import { KnowledgeMemo } from './memo.ts';
import { HttpMetrics, httpMetrics } from './metrics.ts';
import { docsRoutes, OPENAPI_INFO } from './openapi.ts';
import { notFoundHandler, onError, problemError, validationHook } from './problem.ts';
import { rateLimit, TokenBuckets, type BucketOptions } from './rate-limit.ts';
import { acceptsGzip } from './representation.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { changesRoutes } from './routes/changes.ts';
import { datasetRoutes } from './routes/dataset.ts';
import { disagreementsRoutes } from './routes/disagreements.ts';
import { healthRoutes } from './routes/health.ts';
import { overviewRoutes } from './routes/overview.ts';
import { plansRoutes } from './routes/plans.ts';
import { pricesRoutes } from './routes/prices.ts';
import { providersRoutes } from './routes/providers.ts';
import { MAX_MODEL_REQUESTS, quoteRoutes } from './routes/quote.ts';
import { timelineRoutes } from './routes/timeline.ts';
import { webhookRoutes } from './webhooks.ts';
import { webRoutes } from './web/index.ts';
import { attachTimelineIndex } from '../src/timeline/memory-index.ts';

export interface AppDeps {
  database: Database;
  /** The environment, parsed (src/config.ts); default: parsed from process.env now. */
  config?: Config;
  /** Answer price-at from an in-memory index of the current data version (default true; false: SQL). */
  timelineIndex?: boolean;
  /** Admin bearer token; default TOKENTRAIL_ADMIN_TOKEN. Unset: admin routes are disabled. */
  adminToken?: string;
  /** The clock (`at`/`asOf` default to it). */
  now?: () => number;
  /** Largest request body in bytes (default 256 KiB; a quote's usage log may be up to 2 MiB). */
  bodyLimitBytes?: number;
  /**
   * Token buckets per client IP; `false` turns one off. Default: from the config (TOKENTRAIL_*_RATE,
   * TOKENTRAIL_*_BURST). A quote costs one token per 100 model × request pairs, at least one.
   */
  rateLimits?: { quote?: BucketOptions | false; writes?: BucketOptions | false; authFailures?: BucketOptions | false };
  /** Proxies in front whose X-Forwarded-For is trusted (`true`: one); default TOKENTRAIL_TRUST_PROXY. */
  trustProxy?: boolean | number;
  /** Response cache sizes; `false` disables caching and memos (answers still carry ETags). */
  cache?: CacheOptions | false;
  /** Mounts GET /bench/noop, the bare JSON route the benchmark compares against. */
  bench?: boolean;
  /**
   * Bench only (`npm run bench -- middleware`): the shared middleware layers to mount; default
   * every one, as in production. A route's own middleware (the response cache) is not a layer here.
   */
  layers?: readonly MiddlewareLayer[];
}

/** The shared middleware, outermost first. */
export const MIDDLEWARE_LAYERS = ['metrics', 'secureHeaders', 'cors', 'gzip', 'body', 'rateLimit'] as const;
export type MiddlewareLayer = (typeof MIDDLEWARE_LAYERS)[number];

export const DEFAULT_BODY_LIMIT = 256 * 1024;
/** A usage log of MAX_LOGGED_REQUESTS requests fits. */
export const QUOTE_BODY_LIMIT = 2 * 1024 * 1024;

const UNSAFE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

const CORS: CorsOptions = {
  allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
  allowHeaders: ['Content-Type', 'If-None-Match'],
  exposeHeaders: ['ETag', 'Retry-After', 'X-Cache'],
  maxAgeSeconds: 86400,
};

export function createApp(deps: AppDeps) {
  const config = deps.config ?? loadConfig();
  const limits = { ...bucketsFromConfig(config), ...deps.rateLimits };
  const trustedHops = deps.trustProxy === true ? 1 : deps.trustProxy === false ? 0 : (deps.trustProxy ?? config.TOKENTRAIL_TRUST_PROXY);
  if (deps.timelineIndex !== false) attachTimelineIndex(deps.database.db);
  const metrics = new HttpMetrics();
  const cacheOpts = deps.cache === false ? null : (deps.cache ?? {});
  const versions = new VersionWatcher(deps.database.db, cacheOpts?.versionCheckMs ?? 1000);
  const ctx: ApiContext = makeContext({
    database: deps.database,
    db: deps.database.db,
    now: deps.now ?? Date.now,
    staleAfterMs: config.TOKENTRAIL_STALE_AFTER,
    versions,
    memo: new KnowledgeMemo(deps.database.db, versions, 32, cacheOpts !== null),
    cache: cacheOpts ? new ResponseCache(cacheOpts) : null,
    metrics,
    requireAdmin: requireAdmin({
      token: deps.adminToken ?? config.TOKENTRAIL_ADMIN_TOKEN,
      failures: limits.authFailures ? new TokenBuckets(limits.authFailures) : null,
      trustedHops,
    }),
  });

  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.onError(onError);

  const layer = new Set<MiddlewareLayer>(deps.layers ?? MIDDLEWARE_LAYERS);
  if (layer.has('metrics')) app.use('*', httpMetrics(metrics));
  const fixed = { ...(layer.has('secureHeaders') && SECURE_HEADERS), ...(layer.has('cors') && corsHeaders(CORS)) };
  if (Object.keys(fixed).length) app.use('*', fixedHeaders(fixed));
  if (layer.has('cors')) app.options('*', corsPreflight(CORS));
  // Answers from the response cache come gzipped already; this covers the rest. Only for clients
  // that take gzip: hono/compress rebuilds the response, which costs the others throughput.
  const gzip = compress({ encoding: 'gzip' });
  if (layer.has('gzip')) app.use('*', (c, next) => (acceptsGzip(c.req.header('accept-encoding')) ? gzip(c, next) : next()));
  // Body limit, one parse and the write limiter only for methods with a body: a read never passes them.
  const bodyLimit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  if (layer.has('body')) {
    app.on(UNSAFE_METHODS, '*', limitBody((c) => (c.req.path === '/v1/quote' ? Math.max(bodyLimit, QUOTE_BODY_LIMIT) : bodyLimit)));
    app.on(UNSAFE_METHODS, '*', parseJsonOnce);
  }
  if (limits.quote && layer.has('rateLimit')) app.post('/v1/quote', rateLimit(new TokenBuckets(limits.quote), { trustedHops, cost: quoteCost }));
  if (limits.writes && layer.has('rateLimit')) {
    app.on(UNSAFE_METHODS, '*', rateLimit(new TokenBuckets(limits.writes), { trustedHops, skip: (c) => c.req.path === '/v1/quote' }));
  }
  if (deps.bench) app.get('/bench/noop', (c) => c.json({ ok: true }));

  const routes = app
    .route('/', healthRoutes(ctx))
    .route('/', providersRoutes(ctx))
    .route('/', pricesRoutes(ctx))
    .route('/', overviewRoutes(ctx))
    .route('/', timelineRoutes(ctx))
    .route('/', changesRoutes(ctx))
    .route('/', quoteRoutes(ctx))
    .route('/', plansRoutes(ctx))
    .route('/', disagreementsRoutes(ctx))
    .route('/', catalogRoutes(ctx))
    .route('/', datasetRoutes(ctx))
    .route('/', webhookRoutes(ctx))
    .route('/', docsRoutes(() => app.getOpenAPI31Document(OPENAPI_INFO)));
  // The web page reads the API in-process (outside `routes`: HTML pages are not part of the typed client).
  app.route('/', webRoutes({ api: (path, init) => app.request(path, init), now: ctx.now }));

  app.notFound(notFoundHandler((path) => allowedMethods(app.routes, path)));
  return routes;
}

export type AppType = ReturnType<typeof createApp>;

/**
 * Body size limit. A declared Content-Length is checked without touching the body, which keeps
 * @hono/node-server's fast body read; a chunked body is counted as it streams (hono/body-limit).
 */
function limitBody(maxSizeOf: (c: Context) => number): MiddlewareHandler {
  const tooLarge = (maxSize: number): never => {
    // The rest of the body is not read: the connection cannot carry another request.
    throw problemError(413, `the request body is larger than ${maxSize} bytes`, { field: 'body' }, { Connection: 'close' });
  };
  const streaming = new Map<number, MiddlewareHandler>();
  return (c, next) => {
    const maxSize = maxSizeOf(c);
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) return Number(declared) > maxSize ? tooLarge(maxSize) : next();
    let mw = streaming.get(maxSize);
    if (!mw) streaming.set(maxSize, (mw = bodyLimit({ maxSize, onError: () => tooLarge(maxSize) })));
    return mw(c, next);
  };
}

/** Model × request pairs a quote body asks for, per 100 (at least 1); the validator checks the shape later. */
async function quoteCost(c: Context): Promise<number> {
  if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) return 1;
  let body: unknown;
  try {
    body = await c.req.json(); // cached: the validator reads the same parse
  } catch {
    return 1;
  }
  const b = body as { models?: unknown; usage?: unknown };
  const models = Array.isArray(b?.models) ? b.models.length : 1;
  const requests = Array.isArray(b?.usage) ? b.usage.length : 1;
  // Beyond the cap the route answers 422 without pricing anything: it weighs as a light request.
  if (models * requests > MAX_MODEL_REQUESTS) return 1;
  return Math.max(1, Math.ceil((models * requests) / 100));
}

/**
 * One JSON.parse per body: the quote limiter's cost, the cache key and the validator each read
 * c.req.json(), which Hono parses anew every call (a usage log of 10,000 requests is ~1 MB).
 */
const parseJsonOnce: MiddlewareHandler = (c, next) => {
  const req = c.req;
  const parse = req.json.bind(req);
  let parsed: Promise<unknown> | undefined;
  req.json = (() => (parsed ??= parse())) as typeof req.json;
  return next();
};

/** Methods served on a path (for 405 answers): the registered handler routes whose pattern matches. */
function allowedMethods(routes: ReadonlyArray<{ method: string; path: string }>, path: string): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    const pattern = new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}$`);
    if (pattern.test(path)) out.add(r.method);
  }
  if (out.has('GET')) out.add('HEAD');
  return [...out].sort();
}
