// The web page: server-rendered views over the API's own JSON, a few browser modules, and the
// static files they need, all served from the package. Mounted at / by api/app.ts.
//   /                              overview: search, changes, providers
//   /overview/rows?<state>         one page of the overview's table, for its script (JSON)
//   /models/<provider>/<model…>    price sheet, charts, facts (the model part may hold slashes)
//   /compare?models=…              the workload calculator
//   /diff?from=&to=&provider=      what changed between two dates
//   /assets/<build>/<file>         CSS, JS, uPlot (cached for a year; the build id changes with them)
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { log } from '../../src/log.ts';
import { makeProblem, problemResponse } from '../problem.ts';
import { sendRepresentation } from '../representation.ts';
import type { ApiFetch } from './api-client.ts';
import { assetTable } from './assets.ts';
import { comparePage } from './views/compare.tsx';
import { diffPage } from './views/diff.tsx';
import { errorPage } from './views/error.tsx';
import { modelPage } from './views/model.tsx';
import { overviewPage, overviewRowsJson } from './views/overview.tsx';
import type { PageResult } from './views/page.ts';

export interface WebDeps {
  /** Calls the API of the same app in-process (app.request). */
  api: ApiFetch;
  /** The app's clock. */
  now?: () => number;
}

// Only our own origin; no inline script or style (uPlot styles through the CSSOM, which CSP allows).
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function webRoutes(deps: WebDeps) {
  const now = deps.now ?? Date.now;
  const page = async (c: Context, render: (url: URL) => Promise<PageResult>) => {
    let result: PageResult;
    try {
      result = await render(new URL(c.req.url));
    } catch (err) {
      log.error({ err, path: c.req.path }, 'web page failed');
      result = errorPage(makeProblem(500, 'the page could not be built; the error has been logged'), 'Something went wrong');
    }
    return c.html(result.html, result.status as ContentfulStatusCode, {
      'Content-Security-Policy': PAGE_CSP,
      // Pages follow the data; the assets they reference are the long-cached part.
      'Cache-Control': 'no-cache',
    });
  };

  return new Hono()
    .get('/', (c) => page(c, (url) => overviewPage(deps.api, url, now())))
    // One page of the overview's table for its script (JSON; the state in the query, as on /).
    .get('/overview/rows', async (c) => {
      const { status, body } = await overviewRowsJson(deps.api, new URL(c.req.url));
      return c.json(body, status as ContentfulStatusCode, { 'Cache-Control': 'no-cache' });
    })
    .get('/compare', (c) => page(c, (url) => comparePage(deps.api, url, now())))
    .get('/diff', (c) => page(c, (url) => diffPage(deps.api, url, now())))
    .get('/models/*', (c) =>
      page(c, async (url) => {
        const id = modelIdFromPath(url.pathname);
        if (!id) return errorPage(makeProblem(404, `no model in the path ${url.pathname}; expected /models/<provider>/<model>`), 'No such page');
        return modelPage(deps.api, url, id, now());
      }),
    )
    .get('/assets/:build/:file', (c) => {
      const assets = assetTable();
      const rep = assets.get(c.req.param('file'));
      if (!rep) return problemResponse(makeProblem(404, `no asset ${c.req.param('file')}`, { slug: 'no-asset', instance: c.req.path }));
      return sendRepresentation(c, c.req.param('build') === assets.build ? rep.current : rep.stale);
    });
}

/** `/models/openrouter/anthropic/claude-opus-4.6` → `openrouter/anthropic/claude-opus-4.6`. */
export function modelIdFromPath(pathname: string): string | null {
  const rest = pathname.replace(/^\/models\//, '').replace(/\/+$/, '');
  let id: string;
  try {
    id = rest.split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
  return id.includes('/') && !id.startsWith('/') ? id : null;
}
