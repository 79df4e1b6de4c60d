// GET /openapi.json (OpenAPI 3.1, generated from the routes' zod schemas) and GET /docs: an
// interactive reference (Swagger UI) served from the installed swagger-ui-dist package, no CDN.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { problemError, problemResponses } from './problem.ts';
import { makeRepresentation, sendRepresentation, type Representation } from './representation.ts';

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'tokentrail API',
    version: '2026-12-02',
    description:
      'A versioned, sourced timeline of LLM API token prices: prices at any instant (valid time `at`, knowledge time `asOf`), histories, diffs, a change feed, cost quotes, token plans and the whole dataset. Errors are RFC 9457 problem details.\n\n**Money is exact.** Every amount (prices, list prices, totals, costs, fees, credits, conversion rates) is a decimal string (schema `Money`, e.g. `"0.27"`), the same representation as the dataset and webhook payloads; parse it with a decimal library. Counts (tokens, requests) and percentages are JSON numbers. API version 2026-12-02 made this change: before it, amounts were JSON numbers.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  // Relative: "Try it out" in /docs calls the server that serves the document, wherever it runs.
  servers: [{ url: '/', description: 'The server this document was fetched from' }],
  // Reads are public; the webhook operations declare the admin bearer token themselves.
  security: [],
  tags: [
    { name: 'prices', description: 'Price sheets at an instant and histories of facts.' },
    { name: 'changes', description: 'Diffs between instants and the change feed.' },
    { name: 'quote', description: 'Exact cost of a workload.' },
    { name: 'plans', description: 'Token plans and their credit rates.' },
    { name: 'catalogue', description: 'Providers and models.' },
    { name: 'models', description: 'The names people use for models, resolved to model ids.' },
    { name: 'dataset', description: 'The whole dataset as JSON, CSV and its JSON Schema.' },
    { name: 'webhooks', description: 'Signed change webhooks (admin bearer token).' },
    { name: 'operations', description: 'Liveness, metrics and this reference.' },
  ],
};

/**
 * operationId of every operation, by `METHOD path` (one table, so the ids read as one naming
 * scheme; a route that sets its own operationId keeps it). test/api-openapi.test.ts fails when an
 * operation has none.
 */
export const OPERATION_IDS: Record<string, string> = {
  'GET /healthz': 'getHealth',
  'GET /metrics': 'getMetrics',
  'GET /v1/providers': 'listProviders',
  'GET /v1/models': 'listModels',
  'GET /v1/prices': 'getPrices',
  'GET /v1/history': 'getHistory',
  'GET /v1/diff': 'getDiff',
  'GET /v1/changes': 'listChanges',
  'GET /v1/changes.atom': 'getChangesAtom',
  'POST /v1/quote': 'createQuote',
  'GET /v1/plans': 'listPlans',
  'GET /v1/disagreements': 'listDisagreements',
  'GET /v1/overview': 'getOverview',
  'GET /v1/models/resolve': 'resolveModel',
  'GET /v1/dataset.json': 'getDataset',
  'GET /v1/dataset.csv': 'getDatasetCsv',
  'GET /v1/dataset.schema.json': 'getDatasetSchema',
  'POST /v1/webhooks': 'createWebhook',
  'GET /v1/webhooks': 'listWebhooks',
  'GET /v1/webhooks/{id}': 'getWebhook',
  'PATCH /v1/webhooks/{id}': 'updateWebhook',
  'DELETE /v1/webhooks/{id}': 'deleteWebhook',
  'POST /v1/webhooks/{id}/test': 'testWebhook',
  'POST /v1/webhooks/{id}/rotate-secret': 'rotateWebhookSecret',
  'GET /v1/webhooks/{id}/deliveries': 'listWebhookDeliveries',
  'POST /v1/webhooks/deliveries/{id}/replay': 'replayWebhookDelivery',
  'GET /openapi.json': 'getOpenApiDocument',
  'GET /docs': 'getDocs',
  'GET /docs/assets/{file}': 'getDocsAsset',
};

/**
 * Parameters whose shared examples must not be combined (`/v1/prices` takes model or provider;
 * a Claude name is not a DeepSeek model): only the first keeps its example, so "Try it out" does
 * not pre-fill a request the route refuses.
 */
const EXCLUSIVE_PARAMS: Record<string, string[]> = {
  'GET /v1/prices': ['model', 'provider'],
  'GET /v1/models/resolve': ['name', 'provider'],
};

type Operation = { operationId?: string; parameters?: Array<{ name: string; schema?: { example?: unknown }; example?: unknown }> };

/** The generated document with operationIds, and exclusive parameters pre-filled only once. */
export function finishDocument<T extends object>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const key = `${method.toUpperCase()} ${path}`;
      op.operationId ??= OPERATION_IDS[key];
      const exclusive = EXCLUSIVE_PARAMS[key];
      if (exclusive) {
        for (const p of op.parameters ?? []) {
          if (exclusive.indexOf(p.name) > 0) {
            delete p.example;
            if (p.schema) delete p.schema.example;
          }
        }
      }
    }
  }
  return doc;
}

export const openapiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['operations'],
  summary: 'This OpenAPI 3.1 document',
  responses: { 200: { description: 'OpenAPI document.', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
});

export const docsRoute = createRoute({
  method: 'get',
  path: '/docs',
  tags: ['operations'],
  summary: 'Interactive API reference',
  responses: { 200: { description: 'HTML page.', content: { 'text/html': { schema: z.string() } } } },
});

const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
  'init.js': 'text/javascript; charset=utf-8',
  'tokentrail.css': 'text/css; charset=utf-8',
  'a11y.js': 'text/javascript; charset=utf-8',
} as const;
type AssetName = keyof typeof ASSETS;
/** The site's theme and accessibility mends over Swagger UI (api/web/assets/). */
const OWN_DOCS_FILES = { 'tokentrail.css': 'swagger-theme.css', 'a11y.js': 'swagger-a11y.js' } as const;

export const docsAssetRoute = createRoute({
  method: 'get',
  path: '/docs/assets/{file}',
  tags: ['operations'],
  summary: 'Files of the interactive reference',
  request: { params: z.object({ file: z.enum(Object.keys(ASSETS) as [AssetName, ...AssetName[]]) }) },
  responses: { 200: { description: 'The file.' }, ...problemResponses(404) },
});

// Relative URLs, so the page also works behind a path prefix.
const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tokentrail API reference</title>
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
<link rel="stylesheet" href="docs/assets/tokentrail.css">
<link rel="icon" type="image/png" href="docs/assets/favicon-32x32.png" sizes="32x32">
</head>
<body>
<header class="tt-docs-header"><a class="brand" href="./">tokentrail</a><a href="./">← Back to the prices</a><a href="openapi.json">openapi.json</a></header>
<main id="swagger-ui"></main>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/assets/init.js"></script>
<script src="docs/assets/a11y.js"></script>
</body>
</html>
`;

const INIT_JS = `window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: false, tryItOutEnabled: true });\n`;

const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

function swaggerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export function docsRoutes(getDocument: () => object) {
  let doc: object | null = null;
  const assets = new Map<AssetName, Representation>();
  const page = makeRepresentation(DOCS_HTML, 'text/html; charset=utf-8', 'public, max-age=300');
  const asset = (name: AssetName): Representation => {
    let r = assets.get(name);
    if (!r) {
      const body =
        name === 'init.js'
          ? Buffer.from(INIT_JS)
          : name in OWN_DOCS_FILES
            ? readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'web', 'assets', OWN_DOCS_FILES[name as keyof typeof OWN_DOCS_FILES]))
            : readFileSync(join(swaggerDir(), name));
      r = makeRepresentation(body, ASSETS[name], 'public, max-age=86400');
      assets.set(name, r);
    }
    return r;
  };
  return new OpenAPIHono()
    .openapi(openapiRoute, (c) => {
      // Generated once: the routes do not change while the process runs.
      doc ??= finishDocument(getDocument());
      return c.json(doc as Record<string, never>, 200, { 'Cache-Control': 'public, max-age=300' });
    })
    .openapi(docsRoute, (c) => sendRepresentation(c, page, { 'Content-Security-Policy': DOCS_CSP }))
    .openapi(
      docsAssetRoute,
      (c) => sendRepresentation(c, asset(c.req.valid('param').file)),
      (result, c) => {
        if (!result.success) throw problemError(404, `no such file: ${c.req.path}`, { slug: 'no-route' });
        return undefined;
      },
    )
    // `/docs/` is a common way to type it; relative, so it also works behind a path prefix.
    .get('/docs/', (c) => c.redirect('../docs', 301));
}
