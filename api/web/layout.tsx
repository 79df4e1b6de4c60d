// The page shell: head (local CSS and scripts only), header with the main navigation, main
// landmark, footer with the dataset links. Scripts are external files (the CSP forbids inline ones).
import type { Child, FC } from 'hono/jsx';
import { assetTable } from './assets.ts';

export type PageName = 'overview' | 'model' | 'compare' | 'diff' | 'error';

export interface LayoutProps {
  title: string;
  page: PageName;
  /** Loads uPlot (only the pages that draw). */
  charts?: boolean;
  children?: Child;
}

/** Browser modules each page imports, fetched in parallel instead of one import after another. */
const PRELOAD: Partial<Record<PageName, string[]>> = {
  overview: ['overview.js', 'price-table.js', 'format.js', 'api.js', 'dom.js'],
  model: ['model-page.js', 'step-chart.js', 'format.js', 'api.js', 'dom.js'],
  compare: ['calculator.js', 'workload.js', 'decimal.mjs', 'price-table.js', 'step-chart.js', 'format.js', 'api.js', 'dom.js'],
};

const NAV: Array<{ href: string; label: string; page: PageName }> = [
  { href: '/', label: 'Overview', page: 'overview' },
  { href: '/compare', label: 'Compare & calculate', page: 'compare' },
  { href: '/diff', label: 'Diff', page: 'diff' },
];

export const Layout: FC<LayoutProps> = ({ title, page, charts, children }) => {
  const assets = assetTable();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title === 'tokentrail' ? title : `${title} · tokentrail`}</title>
        <meta name="description" content="A sourced timeline of LLM API token prices: current prices, changes, charts and a cost calculator." />
        <link rel="icon" type="image/svg+xml" href={assets.url('favicon.svg')} />
        <link rel="alternate" type="application/atom+xml" title="Price changes" href="/v1/changes.atom" />
        {charts ? <link rel="stylesheet" href={assets.url('uPlot.min.css')} /> : null}
        <link rel="stylesheet" href={assets.url('app.css')} />
        {charts ? <script defer src={assets.url('uPlot.iife.min.js')}></script> : null}
        <script type="module" src={assets.url('app.js')}></script>
        {(PRELOAD[page] ?? []).map((f) => (
          <link rel="modulepreload" href={assets.url(f)} />
        ))}
      </head>
      <body data-page={page}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href="/">
            tokentrail
          </a>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={n.href} aria-current={n.page === page ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
              <li>
                <a href="/docs">API</a>
              </li>
            </ul>
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="site">
          <p>
            Prices as the providers publish them, in their own currencies, each with its sources; where you ask for another currency, converted at the ECB reference rate of the day, and the rate is shown. Storage never converts. All times are UTC. Data:{' '}
            <a href="/v1/dataset.json">JSON</a> · <a href="/v1/dataset.csv">CSV</a> · <a href="/v1/changes.atom">Atom feed of changes</a> ·{' '}
            <a href="/docs">API reference</a>
          </p>
        </footer>
      </body>
    </html>
  );
};

/** A full HTML document. */
export function renderPage(props: LayoutProps): string {
  return '<!doctype html>' + String(<Layout {...props} />);
}
