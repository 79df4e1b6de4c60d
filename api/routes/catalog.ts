// GET /v1/models/resolve (raw model names → ids, src/resolve) and GET /v1/disagreements (where
// sources give different values for one line at one instant, src/catalog/disagreements.ts).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { disagreements } from '../../src/catalog/disagreements.ts';
import { Money } from '../../src/model.ts';
import { resolveOrThrow } from '../../src/resolve/index-db.ts';
import type { ApiContext } from '../context.ts';
import { atParam, asOfParam, instantOr, instantParam, modelParam, providerParam } from '../params.ts';
import { problemResponses } from '../problem.ts';

const ResolveResponse = z
  .object({
    name: z.string(),
    model: z.string(),
    provider: z.string(),
    rule: z.enum(['exact', 'alias', 'wrapper', 'normalised', 'snapshot', 'qualified', 'prefix', 'completion']),
    alias: z.string().optional(),
    detail: z.string().optional(),
  })
  .openapi('Resolved');

export const resolveRoute = createRoute({
  method: 'get',
  path: '/v1/models/resolve',
  tags: ['models'],
  summary: 'A raw model name as APIs return it → the model id and the rule that matched',
  request: {
    query: z
      .object({
        name: z.string().min(1).max(300).openapi({ param: { description: 'e.g. `gpt-4o-2024-08-06`, `models/gemini-2.5-pro`, `anthropic.claude-3-5-sonnet-20240620-v1:0`' }, example: 'claude-sonnet-4-5-20250929' }),
        provider: providerParam.optional(),
        at: atParam,
      })
      .strict(),
  },
  responses: {
    200: { description: 'The model the name stands for.', content: { 'application/json': { schema: ResolveResponse } } },
    ...problemResponses(400, 404),
  },
});

const SourceValue = z.object({ source: z.string(), amount: Money, since: z.string(), recordedAt: z.string(), confidence: z.enum(['high', 'medium', 'low']), sources: z.array(z.object({ url: z.string() }).passthrough()) });
const DisagreementsResponse = z
  .object({
    asOf: z.string(),
    data: z.array(
      z.object({
        model: z.string(),
        component: z.string(),
        currency: z.string(),
        unit: z.string(),
        conditions: z.record(z.string(), z.unknown()),
        from: z.string(),
        to: z.string().nullable(),
        effective: z.string(),
        values: z.array(SourceValue),
      }),
    ),
  })
  .openapi('Disagreements');

export const disagreementsRoute = createRoute({
  method: 'get',
  path: '/v1/disagreements',
  tags: ['prices'],
  summary: 'Lines where two sources state different values at the same instant, each value with its source and since when',
  request: { query: z.object({ provider: providerParam.optional(), model: modelParam.optional(), since: instantParam('since', 'Only periods that end after this instant.'), asOf: asOfParam }).strict() },
  responses: {
    200: { description: 'Disagreement periods, by model and line.', content: { 'application/json': { schema: DisagreementsResponse } } },
    ...problemResponses(400, 404),
  },
});

export function catalogRoutes(ctx: ApiContext) {
  return new OpenAPIHono()
    .openapi({ ...resolveRoute, middleware: [ctx.cached({ timeParams: ['at'] })] }, async (c) => {
      const q = c.req.valid('query');
      return c.json(await resolveOrThrow(ctx.db, q.name, instantOr(q.at, 'at', ctx.now()), q.provider), 200);
    })
    .openapi({ ...disagreementsRoute, middleware: [ctx.cached({ timeParams: ['since', 'asOf'] })] }, async (c) => {
      const q = c.req.valid('query');
      const asOf = instantOr(q.asOf, 'asOf', ctx.now());
      const since = q.since === undefined ? undefined : instantOr(q.since, 'since', 0);
      return c.json({ asOf: new Date(asOf).toISOString(), data: await disagreements(ctx.db, { provider: q.provider, model: q.model, since, asOf }) }, 200);
    });
}
