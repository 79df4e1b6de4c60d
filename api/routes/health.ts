// GET /healthz (liveness) and GET /metrics (Prometheus text format).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.ts';
import { renderScrapeMetrics } from '../metrics.ts';
import { HealthResponse } from '../schemas.ts';

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness',
  responses: { 200: { description: 'The process answers.', content: { 'application/json': { schema: HealthResponse } } } },
});

export const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  description: 'HTTP requests by route pattern and status, a latency histogram, response-cache counters, and scrape outcomes by provider.',
  responses: { 200: { description: 'Prometheus text exposition format 0.0.4.', content: { 'text/plain': { schema: z.string() } } } },
});

export function healthRoutes(ctx: ApiContext) {
  return new OpenAPIHono()
    .openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(metricsRoute, async (c) => {
      const version = await ctx.versions.current();
      const lines = [
        ctx.metrics.render(),
        '# HELP tokentrail_response_cache_hits_total Answers served from the response cache.',
        '# TYPE tokentrail_response_cache_hits_total counter',
        `tokentrail_response_cache_hits_total ${ctx.cache?.hits ?? 0}`,
        '# HELP tokentrail_response_cache_misses_total Cacheable answers computed.',
        '# TYPE tokentrail_response_cache_misses_total counter',
        `tokentrail_response_cache_misses_total ${ctx.cache?.misses ?? 0}`,
        '# HELP tokentrail_response_cache_entries Answers held in the response cache.',
        '# TYPE tokentrail_response_cache_entries gauge',
        `tokentrail_response_cache_entries ${ctx.cache?.size ?? 0}`,
        '# HELP tokentrail_data_version The database data version (bumped by every write).',
        '# TYPE tokentrail_data_version gauge',
        `tokentrail_data_version ${Number(version) || 0}`,
        await renderScrapeMetrics(ctx.db),
      ];
      return c.text(lines.join('\n').replace(/\n+/g, '\n'), 200, {
        'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
        'Cache-Control': 'no-store',
      });
    });
}
