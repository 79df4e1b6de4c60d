// GET /v1/prices: the price sheet of a model (or of every model of a provider) at an instant.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { priceSheetIn, providerSheetsIn } from '../../src/fx/sheets.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, atParam, currencyParam, instantOr, modelParam, providerParam } from '../params.ts';
import { problemError, problemResponses } from '../problem.ts';
import { PriceSheetSchema, ProviderSheetsSchema } from '../schemas.ts';

export const pricesRoute = createRoute({
  method: 'get',
  path: '/v1/prices',
  tags: ['prices'],
  summary: 'Price sheet at an instant',
  description:
    'Effective prices (promo over list, with the list price beside it) in force at `at`, as known at `asOf`. Give `model`, or `provider` for every model of a provider. Every line says when a source last confirmed it (`lastConfirmedAt`) and whether it is `stale` (see `staleReason`).',
  request: {
    query: z
      .object({
        model: modelParam.optional(),
        provider: providerParam.optional(),
        at: atParam,
        asOf: asOfParam,
        currency: currencyParam.optional(),
      })
      .strict(),
  },
  responses: {
    200: {
      description: 'A model’s sheet, or `{provider, at, asOf, data:[{model, prices}]}` with `provider=`.',
      content: { 'application/json': { schema: z.union([PriceSheetSchema, ProviderSheetsSchema]) } },
    },
    ...problemResponses(400, 404, 422),
  },
});

export function pricesRoutes(ctx: ApiContext) {
  return new OpenAPIHono().openapi({ ...pricesRoute, middleware: [ctx.cached({ timeParams: ['at', 'asOf'] })] }, async (c) => {
    const q = c.req.valid('query');
    if (!q.model === !q.provider) {
      throw problemError(400, 'give either model or provider (exactly one)', { slug: 'invalid-parameter', field: q.model ? 'provider' : 'model' });
    }
    const now = ctx.now();
    const at = instantOr(q.at, 'at', now);
    const asOf = instantOr(q.asOf, 'asOf', now);
    const currency = q.currency?.toUpperCase();
    const staleAfterMs = ctx.staleAfterMs;
    if (q.model) return c.json(await priceSheetIn(ctx.db, { model: q.model, at, asOf, currency, staleAfterMs }), 200);
    return c.json(await providerSheetsIn(ctx.db, { provider: q.provider!, at, asOf, currency, staleAfterMs }), 200);
  });
}
