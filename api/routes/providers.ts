// GET /v1/providers and GET /v1/models: what is tracked, with scraper health and model status.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getProvider, listModels, listProviders, providerFreshness } from '../../src/timeline/queries.ts';
import { NotFoundError } from '../../src/errors.ts';
import type { Model } from '../../src/model.ts';
import { toIso, toIsoOrNull } from '../../src/time.ts';
import type { ApiContext } from '../context.ts';
import { atParam, instantOr, providerParam } from '../params.ts';
import { problemResponses } from '../problem.ts';
import { ModelsResponse, ProvidersResponse } from '../schemas.ts';
import { scraperHealthRows } from '../scraper-health.ts';

export const providersRoute = createRoute({
  method: 'get',
  path: '/v1/providers',
  tags: ['catalogue'],
  summary: 'Providers with model counts, freshness and scraper health',
  description: 'Each provider’s `freshness` counts its price lines in force now and how many are stale (not confirmed by any source within TOKENTRAIL_STALE_AFTER, default 14 days).',
  request: { query: z.object({}).strict() },
  responses: {
    200: { description: 'Every provider.', content: { 'application/json': { schema: ProvidersResponse } } },
    ...problemResponses(400),
  },
});

export const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  tags: ['catalogue'],
  summary: 'Models with aliases and status',
  request: {
    query: z
      .object({
        provider: providerParam.optional(),
        at: atParam.openapi({ param: { description: 'Instant the status is given for. Default: now.' } }),
      })
      .strict(),
  },
  responses: {
    200: { description: 'Models, by id.', content: { 'application/json': { schema: ModelsResponse } } },
    ...problemResponses(400, 404),
  },
});

export function modelStatus(m: Model, at: number): 'active' | 'deprecated' | 'retired' {
  if (m.retiredAt && Date.parse(m.retiredAt) <= at) return 'retired';
  if (m.deprecatedAt && Date.parse(m.deprecatedAt) <= at) return 'deprecated';
  return 'active';
}

export function providersRoutes(ctx: ApiContext) {
  return new OpenAPIHono()
    .openapi({ ...providersRoute, middleware: [ctx.cached({ volatile: true })] }, async (c) => {
      const providers = await listProviders(ctx.db);
      const health = new Map((await scraperHealthRows(ctx.db)).map((h) => [h.provider, h]));
      const now = ctx.now();
      // Every line of every provider: computed once per data version and minute (a line goes
      // stale on a scale of days), while scraper health stays live.
      const minute = Math.floor(now / 60_000) * 60_000;
      const fresh = await ctx.memo.remember(['provider-freshness', minute, ctx.staleAfterMs], now, () =>
        providerFreshness(ctx.db, { at: minute, asOf: now, staleAfterMs: ctx.staleAfterMs }),
      );
      return c.json(
        {
          data: providers.map((p) => {
            const h = health.get(p.id);
            return {
              ...p,
              freshness: fresh.get(p.id) ?? { lines: 0, staleLines: 0, lastConfirmedAt: null, oldestConfirmedAt: null },
              scraper: {
                lastRunAt: toIsoOrNull(h?.lastRunAt),
                lastOutcome: h?.lastOutcome ?? null,
                lastSuccessAt: toIsoOrNull(h?.lastSuccess),
                lastFailureAt: toIsoOrNull(h?.lastFailure),
                lastFailureReason: h?.lastFailureReason ?? null,
                consecutiveFailures: h?.consecutiveFailures ?? 0,
                runs: h?.runs ?? 0,
              },
            };
          }),
        },
        200,
      );
    })
    .openapi({ ...modelsRoute, middleware: [ctx.cached({ timeParams: ['at'] })] }, async (c) => {
      const q = c.req.valid('query');
      if (q.provider && !(await getProvider(ctx.db, q.provider))) throw new NotFoundError(`unknown provider: ${q.provider}`, 'provider');
      const at = instantOr(q.at, 'at', ctx.now());
      const models = await listModels(ctx.db, q.provider);
      return c.json({ at: toIso(at), data: models.map((m) => ({ ...m, status: modelStatus(m, at) })) }, 200);
    });
}
