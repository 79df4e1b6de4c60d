// GET /v1/history and GET /v1/diff: the facts of a model over a range, and what differs between
// two instants.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { toIso } from '../../src/time.ts';
import { history } from '../../src/timeline/queries.ts';
import { diffIn } from '../../src/fx/sheets.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, booleanParam, currencyParam, instantOr, instantParam, modelParam, requiredInstantParam, providerParam } from '../params.ts';
import { problemResponses } from '../problem.ts';
import { DiffResponse, HistoryResponse } from '../schemas.ts';

export const historyRoute = createRoute({
  method: 'get',
  path: '/v1/history',
  tags: ['prices'],
  summary: 'All facts of a model overlapping a range, with sources',
  request: {
    query: z
      .object({
        model: modelParam,
        from: instantParam('from', 'Start of the valid-time range (inclusive). Default: unbounded.'),
        to: instantParam('to', 'End of the valid-time range (exclusive). Default: unbounded.'),
        currency: currencyParam.optional(),
        asOf: asOfParam,
        includeSuperseded: booleanParam('Also list facts later corrected (default false).').optional(),
      })
      .strict(),
  },
  responses: {
    200: { description: 'Facts, by component, currency, conditions, kind and start.', content: { 'application/json': { schema: HistoryResponse } } },
    ...problemResponses(400, 404, 422),
  },
});

export const diffRoute = createRoute({
  method: 'get',
  path: '/v1/diff',
  tags: ['changes'],
  summary: 'Every price line whose effective or list price differs between two instants',
  request: {
    query: z
      .object({
        from: requiredInstantParam('from', 'The earlier instant.'),
        to: instantParam('to', 'The later instant. Default: now.'),
        provider: providerParam.optional(),
        model: modelParam.optional(),
        currency: currencyParam.optional(),
        asOf: asOfParam,
      })
      .strict(),
  },
  responses: {
    200: { description: 'The differences, line by line.', content: { 'application/json': { schema: DiffResponse } } },
    ...problemResponses(400, 404, 422),
  },
});

export function timelineRoutes(ctx: ApiContext) {
  return new OpenAPIHono()
    .openapi({ ...historyRoute, middleware: [ctx.cached({ timeParams: ['asOf'] })] }, async (c) => {
      const q = c.req.valid('query');
      const now = ctx.now();
      const result = await history(ctx.db, {
        model: q.model,
        from: q.from === undefined ? undefined : instantOr(q.from, 'from', now),
        to: q.to === undefined ? undefined : instantOr(q.to, 'to', now),
        currency: q.currency?.toUpperCase(),
        asOf: instantOr(q.asOf, 'asOf', now),
        includeSuperseded: q.includeSuperseded === 'true',
      });
      return c.json(result, 200);
    })
    .openapi({ ...diffRoute, middleware: [ctx.cached({ timeParams: ['to', 'asOf'] })] }, async (c) => {
      const q = c.req.valid('query');
      const now = ctx.now();
      const query = {
        from: instantOr(q.from, 'from', now),
        to: instantOr(q.to, 'to', now),
        asOf: instantOr(q.asOf, 'asOf', now),
        provider: q.provider,
        model: q.model,
        currency: q.currency?.toUpperCase(),
      };
      // A diff over every model takes a few hundred ms: keep it per data version and knowledge time.
      const parts = ['diff', query.from, query.to, query.provider ?? null, query.model?.toLowerCase() ?? null, query.currency ?? null];
      const result = await ctx.memo.remember(parts, query.asOf, () => diffIn(ctx.db, query));
      return c.json({ ...result, asOf: toIso(query.asOf) }, 200);
    });
}
