// What every feature folder gets: the database, the clock, the cache and the shared middleware.
// A feature is a function (ctx) => OpenAPIHono mounted by app.ts with one `.route('/', …)` line.
import type { MiddlewareHandler } from 'hono';
import type { Database, Db } from '../src/db/client.ts';
import { cached, type CachePolicy, type ResponseCache, type VersionWatcher } from './cache.ts';
import type { KnowledgeMemo } from './memo.ts';
import type { HttpMetrics } from './metrics.ts';

export interface ApiContext {
  database: Database;
  db: Db;
  now: () => number;
  /** TOKENTRAIL_STALE_AFTER: how long a price line stays fresh without a confirmation. */
  staleAfterMs: number;
  versions: VersionWatcher;
  cache: ResponseCache | null;
  metrics: HttpMetrics;
  /** Expensive timeline answers per data version and knowledge time (api/memo.ts). */
  memo: KnowledgeMemo;
  /** Bearer admin token check for state-changing routes (api/admin.ts). */
  requireAdmin: MiddlewareHandler;
  /** Response-cache middleware for a read route (api/cache.ts). */
  cached(policy?: CachePolicy): MiddlewareHandler;
}

export function makeContext(parts: Omit<ApiContext, 'cached'>): ApiContext {
  return { ...parts, cached: (policy) => cached(parts, policy) };
}
