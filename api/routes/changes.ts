// GET /v1/changes (JSON, cursor-paginated, newest first) and GET /v1/changes.atom (the same feed).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ChangeType } from '../../src/model.ts';
import { changes, listModels, type ChangesQuery } from '../../src/timeline/queries.ts';
import { renderAtom } from '../atom.ts';
import { normalizedQuery } from '../cache.ts';
import type { ApiContext } from '../context.ts';
import {
  asOfParam,
  booleanParam,
  changeTypesParam,
  currencyParam,
  cursorParam,
  instantOr,
  instantParam,
  limitParam,
  modelParam,
  providerParam,
  splitList,
} from '../params.ts';
import { problemResponses } from '../problem.ts';
import { ChangesResponse } from '../schemas.ts';

const filters = {
  since: instantParam('since', 'Changes effective at or after this instant.'),
  until: instantParam('until', 'Changes effective before this instant.'),
  provider: providerParam.optional(),
  model: modelParam.optional(),
  currency: currencyParam.optional(),
  type: changeTypesParam.optional(),
  upcoming: booleanParam('true: only announced changes not yet effective at asOf; false: only those already effective.').optional(),
  asOf: asOfParam,
  limit: limitParam.optional(),
};

export const changesRoute = createRoute({
  method: 'get',
  path: '/v1/changes',
  tags: ['changes'],
  summary: 'The change feed, newest first',
  description: 'Follow `nextCursor` to walk the whole feed; pages neither repeat nor skip a change.',
  request: { query: z.object({ ...filters, cursor: cursorParam.optional() }).strict() },
  responses: {
    200: { description: 'A page of changes.', content: { 'application/json': { schema: ChangesResponse } } },
    ...problemResponses(400, 404, 422),
  },
});

export const changesAtomRoute = createRoute({
  method: 'get',
  path: '/v1/changes.atom',
  tags: ['changes'],
  summary: 'The change feed as Atom 1.0',
  description: 'One entry per change (the newest `limit`, default 50), ids stable, linking to the sources.',
  request: { query: z.object(filters).strict() },
  responses: {
    200: { description: 'Atom feed.', content: { 'application/atom+xml': { schema: z.string() } } },
    ...problemResponses(400, 404, 422),
  },
});

type Filters = { [K in keyof typeof filters]?: string | string[] };

function toQuery(q: Filters & { cursor?: string }, now: number, defaultLimit: number): ChangesQuery {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    since: q.since === undefined ? undefined : instantOr(one(q.since), 'since', now),
    until: q.until === undefined ? undefined : instantOr(one(q.until), 'until', now),
    provider: one(q.provider),
    model: one(q.model),
    currency: one(q.currency)?.toUpperCase(),
    type: q.type === undefined ? undefined : (splitList(q.type) as ChangeType[]),
    upcoming: q.upcoming === undefined ? undefined : one(q.upcoming) === 'true',
    asOf: instantOr(one(q.asOf), 'asOf', now),
    limit: q.limit === undefined ? defaultLimit : Number(one(q.limit)),
    cursor: q.cursor,
  };
}

export function changesRoutes(ctx: ApiContext) {
  return new OpenAPIHono()
    .openapi({ ...changesRoute, middleware: [ctx.cached({ timeParams: ['asOf'] })] }, async (c) => {
      const q = c.req.valid('query');
      return c.json(await changes(ctx.db, toQuery(q, ctx.now(), 100), { memo: ctx.memo.changes }), 200);
    })
    .openapi({ ...changesAtomRoute, middleware: [ctx.cached({ timeParams: ['asOf'] })] }, async (c) => {
      const q = c.req.valid('query');
      const [page, models] = await Promise.all([changes(ctx.db, toQuery(q, ctx.now(), 50), { memo: ctx.memo.changes }), listModels(ctx.db)]);
      // The same filters in any order name the same feed.
      const { text, params } = normalizedQuery(c.req.url);
      const described = [...params.entries()].map(([k, v]) => `${k}=${v}`).sort().join(', ');
      const body = renderAtom({
        id: `tag:tokentrail.dev,2026:changes${text ? `?${text}` : ''}`,
        title: `tokentrail: LLM API price changes${described ? ` (${described})` : ''}`,
        // Relative (RFC 4287 allows IRI references): the cached feed must not carry one client's Host.
        selfUrl: `${c.req.path}${text ? `?${text}` : ''}`,
        changes: page.data,
        names: new Map(models.map((m) => [m.id, m.name])),
      });
      return c.body(body, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
    });
}
