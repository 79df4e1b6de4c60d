// POST /v1/quote: the cost of a workload on one or more models (src/quote.ts does the pricing).
// A read, so it is cached and rate limited generously, never admin-only.
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { quote, QuoteRequest } from '../../src/quote.ts';
import type { ApiContext } from '../context.ts';
import { problemError, problemResponses } from '../problem.ts';
import { QuoteResponse } from '../schemas.ts';

export const quoteRoute = createRoute({
  method: 'post',
  path: '/v1/quote',
  tags: ['quote'],
  summary: 'Cost of a workload at an instant',
  description:
    '`usage` is one request (times `requests`) or a list of requests each with its own `at` (a usage log). `inputTokens` counts all prompt tokens, cache reads and writes included. Tiers are chosen by input tokens per request, time-of-day windows by each request’s instant. Exact decimal arithmetic.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: QuoteRequest.meta({
            id: 'QuoteRequest',
            example: {
              models: ['deepseek/deepseek-v4-pro'],
              at: '2026-06-01T00:00:00Z',
              currency: 'CNY',
              requests: 10,
              usage: { inputTokens: 100000, cacheReadTokens: 80000, outputTokens: 20000 },
            },
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'One quote per model, line by line.', content: { 'application/json': { schema: QuoteResponse } } },
    ...problemResponses(400, 404, 413, 415, 422, 429),
  },
});

/**
 * Model × logged request pairs one quote may ask for. Priced in one pass (src/quote.ts), 10,000
 * pairs take tens of milliseconds and yield to the event loop as they go; the cap bounds the
 * synchronous parts (body parse and validation) and what one client can ask at once.
 */
export const MAX_MODEL_REQUESTS = 10_000;

export function quoteRoutes(ctx: ApiContext) {
  return new OpenAPIHono().openapi(
    { ...quoteRoute, middleware: [ctx.cached({ bodyTimeFields: ['at', 'asOf'] })] },
    async (c) => {
      const body = c.req.valid('json');
      const pairs = body.models.length * (Array.isArray(body.usage) ? body.usage.length : 1);
      if (pairs > MAX_MODEL_REQUESTS) {
        throw problemError(422, `${body.models.length} models × ${pairs / body.models.length} logged requests is more than ${MAX_MODEL_REQUESTS} per quote; split the usage log`, { field: 'usage' });
      }
      return c.json(await quote(ctx.db, body, ctx.now(), { staleAfterMs: ctx.staleAfterMs }), 200);
    },
  );
}
