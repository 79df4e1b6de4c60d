// GET /v1/dataset.json, /v1/dataset.csv, /v1/dataset.schema.json: the whole dataset, cached per
// data version, with a strong ETag from its sha256, 304 on If-None-Match, and gzip.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { datasetJsonSchema } from '../../src/dataset/export.ts';
import type { ApiContext } from '../context.ts';
import { buildDataset, datasetCsv } from '../dataset.ts';
import { problemResponses } from '../problem.ts';

const noQuery = z.object({}).strict();
const cachedHeaders = {
  ETag: { schema: { type: 'string' as const }, description: 'Strong validator: sha256 of the content.' },
  'Cache-Control': { schema: { type: 'string' as const }, description: 'public, max-age=300' },
};

export const datasetJsonRoute = createRoute({
  method: 'get',
  path: '/v1/dataset.json',
  tags: ['dataset'],
  summary: 'The whole dataset as JSON: `{providers: [ProviderDataset…]}`',
  description: 'Each element has the shape of a `data/<provider>.json` file (see /v1/dataset.schema.json).',
  request: { query: noQuery },
  responses: {
    200: {
      description: 'Every provider, model, plan and price fact (superseded ones included), with sources.',
      headers: cachedHeaders,
      content: { 'application/json': { schema: z.object({ providers: z.array(z.record(z.string(), z.unknown())) }) } },
    },
    304: { description: 'Not modified (If-None-Match matched).' },
    ...problemResponses(400),
  },
});

export const datasetCsvRoute = createRoute({
  method: 'get',
  path: '/v1/dataset.csv',
  tags: ['dataset'],
  summary: 'The price facts as CSV (RFC 4180), one row per fact',
  description:
    'Header row; `conditions` as JSON in one column; `sourceUrl` is the first source. `lastConfirmedAt` is the latest confirmation of the fact (an observation, or a cited source’s retrieval); `stale` (true/false) and `staleFrom` are given for facts in force or announced at the time of the download (empty for facts that ended): stale = not confirmed within TOKENTRAIL_STALE_AFTER or a sibling currency of the model changed since.',
  request: { query: noQuery },
  responses: {
    200: { description: 'CSV.', headers: cachedHeaders, content: { 'text/csv': { schema: z.string() } } },
    304: { description: 'Not modified (If-None-Match matched).' },
    ...problemResponses(400),
  },
});

export const datasetSchemaRoute = createRoute({
  method: 'get',
  path: '/v1/dataset.schema.json',
  tags: ['dataset'],
  summary: 'JSON Schema of a provider dataset file',
  request: { query: noQuery },
  responses: {
    200: { description: 'JSON Schema (generated from the zod model).', headers: cachedHeaders, content: { 'application/schema+json': { schema: z.record(z.string(), z.unknown()) } } },
    304: { description: 'Not modified (If-None-Match matched).' },
    ...problemResponses(400),
  },
});

export function datasetRoutes(ctx: ApiContext) {
  const policy = { maxAge: 300, timeParams: [] };
  return new OpenAPIHono()
    .openapi({ ...datasetJsonRoute, middleware: [ctx.cached(policy)] }, async (c) =>
      c.body(JSON.stringify(await buildDataset(ctx.db)), 200, { 'Content-Type': 'application/json; charset=utf-8' }),
    )
    // The stale column moves with the clock: the CSV is cached per data version and hour.
    .openapi({ ...datasetCsvRoute, middleware: [ctx.cached({ ...policy, refreshMs: 3_600_000 })] }, async (c) =>
      c.body(datasetCsv(await buildDataset(ctx.db), { now: ctx.now(), staleAfterMs: ctx.staleAfterMs }), 200, { 'Content-Type': 'text/csv; charset=utf-8; header=present' }),
    )
    .openapi({ ...datasetSchemaRoute, middleware: [ctx.cached(policy)] }, (c) =>
      c.body(datasetJsonSchema(), 200, { 'Content-Type': 'application/schema+json; charset=utf-8' }),
    );
}
