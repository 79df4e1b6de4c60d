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
    version: '1',
    description:
      'A versioned, sourced timeline of LLM API token prices: prices at any instant (valid time `at`, knowledge time `asOf`), histories, diffs, a change feed, cost quotes, token plans and the whole dataset. Errors are RFC 9457 problem details.',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tags: [
    { name: 'prices' },
    { name: 'changes' },
    { name: 'quote' },
    { name: 'plans' },
    { name: 'catalogue' },
    { name: 'dataset' },
    { name: 'operations' },
  ],
};

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
      doc ??= getDocument();
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
    );
}
