// Prometheus metrics: HTTP requests by route pattern and status, a latency histogram per route, and
// scrape outcomes by provider (read from scrape_runs when scraped, so every instance reports the
// same numbers for the shared database).
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.ts';
import { scraperHealthRows } from './scraper-health.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[]; // per bucket (non-cumulative), last = +Inf
  sum: number;
  count: number;
}

/** One method and route pattern: requests by status and the latency histogram. */
interface RouteSeries {
  byStatus: Map<number, number>;
  latency: Histogram;
}

export class HttpMetrics {
  /** Keyed by method, then route pattern: a request costs two map reads, no key strings. */
  private readonly series = new Map<string, Map<string, RouteSeries>>();

  observe(method: string, route: string, status: number, seconds: number): void {
    let routes = this.series.get(method);
    if (!routes) this.series.set(method, (routes = new Map()));
    let s = routes.get(route);
    if (!s) routes.set(route, (s = { byStatus: new Map(), latency: { counts: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 } }));
    s.byStatus.set(status, (s.byStatus.get(status) ?? 0) + 1);
    const h = s.latency;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  private get requests(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [method, routes] of this.series)
      for (const [route, s] of routes) for (const [status, n] of s.byStatus) out.set(`${method}\u0000${route}\u0000${status}`, n);
    return out;
  }

  private get latency(): Map<string, Histogram> {
    const out = new Map<string, Histogram>();
    for (const [method, routes] of this.series) for (const [route, s] of routes) out.set(`${method}\u0000${route}`, s.latency);
    return out;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP tokentrail_http_requests_total HTTP requests by method, route pattern and status.');
    out.push('# TYPE tokentrail_http_requests_total counter');
    for (const [key, n] of [...this.requests].sort()) {
      const [method, route, status] = key.split('\u0000');
      out.push(`tokentrail_http_requests_total${labels({ method, route, status })} ${n}`);
    }
    out.push('# HELP tokentrail_http_request_duration_seconds Time to answer, by method and route pattern.');
    out.push('# TYPE tokentrail_http_request_duration_seconds histogram');
    for (const [key, h] of [...this.latency].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const [method, route] = key.split('\u0000');
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += h.counts[i];
        out.push(`tokentrail_http_request_duration_seconds_bucket${labels({ method, route, le: String(le) })} ${cumulative}`);
      });
      cumulative += h.counts[BUCKETS.length];
      out.push(`tokentrail_http_request_duration_seconds_bucket${labels({ method, route, le: '+Inf' })} ${cumulative}`);
      out.push(`tokentrail_http_request_duration_seconds_sum${labels({ method, route })} ${h.sum}`);
      out.push(`tokentrail_http_request_duration_seconds_count${labels({ method, route })} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}

export function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return `{${parts.join(',')}}`;
}

/** Outermost middleware: times every request and counts it under its route pattern. */
export function httpMetrics(metrics: HttpMetrics): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    // The last matched route is the handler's. Only the middlewares' catch-all (`/*`) there means
    // no route matched; a page route with a wildcard (`/models/*`, model ids contain slashes) is
    // a route like any other.
    const pattern = routePath(c, -1);
    const route = !pattern || pattern === '/*' || pattern === '*' ? 'unmatched' : pattern;
    metrics.observe(c.req.method, route, c.res.status, (performance.now() - start) / 1000);
  };
}

/** Scraper metrics from the shared scrape_runs table. */
export async function renderScrapeMetrics(db: Db): Promise<string> {
  const outcomes = await db.all<{ provider: string; outcome: string; n: number }>(
    sql`SELECT provider, outcome, count(*) AS n FROM scrape_runs GROUP BY provider, outcome ORDER BY provider, outcome`,
  );
  const health = await scraperHealthRows(db);
  const out: string[] = [];
  out.push('# HELP tokentrail_scrape_runs_total Scrape runs by provider and outcome (ok, unchanged, failed, suspect, running).');
  out.push('# TYPE tokentrail_scrape_runs_total counter');
  for (const r of outcomes) out.push(`tokentrail_scrape_runs_total${labels({ provider: r.provider, outcome: r.outcome })} ${Number(r.n)}`);
  out.push('# HELP tokentrail_scrape_last_success_timestamp_seconds When the last successful scrape of a provider finished.');
  out.push('# TYPE tokentrail_scrape_last_success_timestamp_seconds gauge');
  for (const h of health) if (h.lastSuccess !== null) out.push(`tokentrail_scrape_last_success_timestamp_seconds${labels({ provider: h.provider })} ${h.lastSuccess / 1000}`);
  out.push('# HELP tokentrail_scrape_consecutive_failures Failed runs since the last successful one.');
  out.push('# TYPE tokentrail_scrape_consecutive_failures gauge');
  for (const h of health) out.push(`tokentrail_scrape_consecutive_failures${labels({ provider: h.provider })} ${h.consecutiveFailures}`);
  return out.join('\n') + '\n';
}
