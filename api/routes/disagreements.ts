// GET /v1/disagreements: where sources give different values for the same line and instant.
// Kinds: `fx-stale` — one model's lines in two currencies departing from the reference rate after
// one side changed (src/fx/consistency.ts). The handler stays thin: each kind is computed in src/.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { fxDisagreements } from '../../src/fx/consistency.ts';
import { RateSourceSchema } from '../../src/fx/convert.ts';
import { NotFoundError } from '../../src/errors.ts';
import { Money } from '../../src/model.ts';
import { toIso } from '../../src/time.ts';
import { getProvider } from '../../src/timeline/queries.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, instantOr, instantParam, modelParam, providerParam } from '../params.ts';
import { problemResponses } from '../problem.ts';

const side = z.object({ currency: z.string(), conditions: z.record(z.string(), z.unknown()), amount: Money, validFrom: z.string() });

export const FxDisagreementSchema = z
  .object({
    kind: z.literal('fx-stale'),
    provider: z.string(),
    model: z.string(),
    component: z.string(),
    unit: z.string(),
    at: z.string().openapi({ description: 'The change instant at which the departure appeared.' }),
    changed: side,
    stale: side.openapi({ description: 'The side that did not change: suspect-stale.' }),
    impliedRate: Money,
    referenceRate: Money,
    rateDate: z.string(),
    rateSource: RateSourceSchema,
    rateNote: z.string().optional(),
    departurePct: z.number(),
    tolerancePct: z.number(),
  })
  .openapi('FxDisagreement');

export const disagreementsRoute = createRoute({
  method: 'get',
  path: '/v1/disagreements',
  tags: ['prices'],
  summary: 'Where sources disagree on the same line and instant',
  description:
    'A model published in two currencies whose lists, after one side changed, imply an exchange rate more than TOKENTRAIL_FX_TOLERANCE (default 25%) away from the ECB reference rate: the unchanged side is `stale`.',
  request: {
    query: z.object({ provider: providerParam.optional(), model: modelParam.optional(), since: instantParam('since', 'Only disagreements that appeared at or after this instant.'), asOf: asOfParam }).strict(),
  },
  responses: {
    200: { description: 'Disagreements, newest first.', content: { 'application/json': { schema: z.object({ asOf: z.string(), data: z.array(FxDisagreementSchema) }).openapi('Disagreements') } } },
    ...problemResponses(400, 404),
  },
});

export function disagreementsRoutes(ctx: ApiContext) {
  return new OpenAPIHono().openapi({ ...disagreementsRoute, middleware: [ctx.cached({ timeParams: ['since', 'asOf'] })] }, async (c) => {
    const q = c.req.valid('query');
    if (q.provider && !(await getProvider(ctx.db, q.provider))) throw new NotFoundError(`unknown provider: ${q.provider}`, 'provider');
    const asOf = instantOr(q.asOf, 'asOf', ctx.now());
    const since = q.since ? instantOr(q.since, 'since', 0) : undefined;
    const data = await fxDisagreements(ctx.db, { provider: q.provider, model: q.model, since, asOf });
    return c.json({ asOf: toIso(asOf), data }, 200);
  });
}
