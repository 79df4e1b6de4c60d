// GET /v1/plans: token plans (fee, credits per period, credit rates) at an instant.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../src/errors.ts';
import { toIso } from '../../src/time.ts';
import { plansAt } from '../../src/timeline/plans.ts';
import { comparePlans } from '../../src/fx/plans.ts';
import { getProvider } from '../../src/timeline/queries.ts';
import type { ApiContext } from '../context.ts';
import { asOfParam, atParam, currencyParam, instantOr, planParam, providerParam } from '../params.ts';
import { problemResponses } from '../problem.ts';
import { PlansResponse } from '../schemas.ts';

export const plansRoute = createRoute({
  method: 'get',
  path: '/v1/plans',
  tags: ['plans'],
  summary: 'Token plans and their credit rates at an instant',
  request: {
    query: z.object({ provider: providerParam.optional(), plan: planParam.optional(), at: atParam, asOf: asOfParam, currency: currencyParam.optional() }).strict(),
  },
  responses: {
    200: { description: 'Plans; `terms` is null where no terms were in force at `at`.', content: { 'application/json': { schema: PlansResponse } } },
    ...problemResponses(400, 404),
  },
});

export function plansRoutes(ctx: ApiContext) {
  return new OpenAPIHono().openapi({ ...plansRoute, middleware: [ctx.cached({ timeParams: ['at', 'asOf'] })] }, async (c) => {
    const q = c.req.valid('query');
    if (q.provider && !(await getProvider(ctx.db, q.provider))) throw new NotFoundError(`unknown provider: ${q.provider}`, 'provider');
    const now = ctx.now();
    const at = instantOr(q.at, 'at', now);
    const asOf = instantOr(q.asOf, 'asOf', now);
    const data = await comparePlans(ctx.db, await plansAt(ctx.db, { provider: q.provider, plan: q.plan, at, asOf }), at, asOf, q.currency?.toUpperCase());
    return c.json({ at: toIso(at), asOf: toIso(asOf), data }, 200);
  });
}
