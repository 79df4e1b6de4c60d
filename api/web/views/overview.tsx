// Overview (/): the current price table (GET /v1/overview): every model with a price, per
// currency, sortable and filterable; the state lives in the URL (`?q=&provider=&currency=&feature=
// &sort=&dir=&page=`), so the server renders any view without JavaScript and assets/overview.js
// redraws it in place. Below: announced and latest changes, and the providers' scraper health.
import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Overview, OverviewRow } from '../../routes/overview.ts';
import { apiPath, askResolver, getJson, getJsonKept, getTable, type ApiFetch, type ApiResult, type Change, type Changes, type Providers } from '../api-client.ts';
import { Badge, ChangesTable, ProblemMessage, safeHref, TableWrap, Time, UpcomingBadge } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { formatAge, formatPct } from '../assets/format.js';
import { COLUMNS, filterRows, modelIdsIn, pageOf, rowSpec, SHOW_CURRENCIES, sortRows, specToHtml, stateFromParams, stateParams, type TableState } from '../assets/price-table.js';
import { changeWords } from '../../../src/phrasing.ts';
import type { PageResult } from './page.ts';

/** How old the providers' health and freshness on the page may be. */
const PROVIDERS_TTL_MS = 60_000;

/** Everything but `first_known` (the first fact of a list is not news). */
const NEWS_TYPES = 'price_cut,price_increase,price_added,price_removed,tier_removed,promo_started,promo_ended,list_changed';
/** Changes read to find the latest events (a provider's changes on one day are one event). */
const LATEST_LIMIT = 400;
const LATEST_EVENTS = 8;
/** Lines an event lists on the overview (the diff of that day has them all). */
const EVENT_LINES = 12;

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Features the filter offers, in this order, with their labels. */
const FEATURE_LABELS: Record<string, string> = {
  cache: 'Prompt caching',
  batch: 'Batch tier',
  flex: 'Flex tier',
  priority: 'Priority tier',
  hours: 'Time-of-day prices',
  'long-context': 'Long-context tier',
  promo: 'Promotion running',
};

/** The resolver (GET /v1/models/resolve): the model ids it matches for `q`, null when none (or no q). */
async function resolveQuery(api: ApiFetch, q: string): Promise<{ ids: Set<string> | null }> {
  if (!q) return { ids: null };
  const { body } = await askResolver(api, q);
  if (!body) return { ids: null };
  const ids = modelIdsIn(body);
  return { ids: ids.size ? ids : null };
}

/** The table's rows: /v1/overview, or /v1/overview?currency= when the view shows one currency. */
function tableRows(api: ApiFetch, state: TableState): Promise<ApiResult<Overview>> {
  // Thousands of rows: parsed once per version of the table (ETag), not per page view.
  return getTable<Overview>(api, apiPath('/v1/overview', { currency: state.show || undefined }));
}

/** What a view of the table shows: its page of rows and the counts (the page and GET /overview/rows). */
export interface TableView {
  total: number;
  shown: number;
  models: number;
  page: number;
  pages: number;
  count: string;
  stale: number;
  rows: OverviewRow[];
  /** Models a converted table leaves out: how many, and the first few with the API's reason. */
  notConverted: { count: number; first: Array<{ model: string; message: string }> };
}

/** A kept table's rows in each order asked, and its model count (thousands of rows: once each). */
const sortedOf = new WeakMap<OverviewRow[], { models: number; orders: Map<string, OverviewRow[]> }>();

function tableView(overview: Overview, state: TableState, resolved: Set<string> | null): TableView {
  const rows = overview.data;
  let memo = sortedOf.get(rows);
  if (!memo) sortedOf.set(rows, (memo = { models: new Set(rows.map((r) => r.model)).size, orders: new Map() }));
  const order = `${state.sort} ${state.dir}`;
  let sorted = memo.orders.get(order);
  if (!sorted) memo.orders.set(order, (sorted = sortRows(rows, state.sort, state.dir)));
  const chosen = filterRows(sorted, state, resolved);
  const page = pageOf(chosen, state.page);
  const models = memo.models;
  return {
    total: rows.length,
    shown: chosen.length,
    models,
    page: page.page,
    pages: page.pages,
    count: rowCountText(chosen.length, rows.length, models, page),
    stale: chosen.filter((r) => r.stale).length,
    rows: page.rows,
    notConverted: { count: overview.notConverted?.length ?? 0, first: (overview.notConverted ?? []).slice(0, 5) },
  };
}

/**
 * GET /overview/rows?<table state>: one page of the table for the page's script (the whole table
 * stays on the server: a click or a keystroke moves ~50 rows, not thousands).
 */
export async function overviewRowsJson(api: ApiFetch, url: URL): Promise<{ status: number; body: TableView | { problem: unknown } }> {
  const state = stateFromParams(url.searchParams);
  const [overview, resolved] = await Promise.all([tableRows(api, state), resolveQuery(api, state.q)]);
  if (!overview.ok) return { status: overview.problem.status, body: { problem: overview.problem } };
  return { status: 200, body: tableView(overview.data, state, resolved.ids) };
}

export async function overviewPage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  const state = stateFromParams(url.searchParams);
  const [overview, providers, upcoming, latest, resolved] = await Promise.all([
    tableRows(api, state),
    // /v1/providers judges every line in force (0.7 s on today's data, much more at 20×): the page
    // shows an answer up to PROVIDERS_TTL_MS old.
    getJsonKept<Providers>(api, '/v1/providers', PROVIDERS_TTL_MS),
    getJson<Changes>(api, apiPath('/v1/changes', { upcoming: 'true', limit: '50' })),
    getJson<Changes>(api, apiPath('/v1/changes', { type: NEWS_TYPES, upcoming: 'false', limit: String(LATEST_LIMIT) })),
    resolveQuery(api, state.q),
  ]);
  const names = new Map(providers.ok ? providers.data.data.map((p) => [p.id, p.name]) : []);
  const html = renderPage({
    title: 'tokentrail',
    page: 'overview',
    children: (
      <>
        <h1>LLM API token prices, now</h1>
        <p class="lead">
          Per 1M tokens, in the currency each provider publishes (or in one currency, converted at the ECB reference rate of the day, the rate shown); open a
          model for its history and sources. Your own workload: <a href="/compare">Compare &amp; calculate</a>.
        </p>
        {providers.ok ? <FreshnessSummary providers={providers.data.data} now={now} /> : null}
        <section aria-labelledby="prices-h">
          <h2 id="prices-h" class="visually-hidden">
            Current prices
          </h2>
          {overview.ok ? (
            <PriceTable view={tableView(overview.data, state, resolved.ids)} all={overview.data.data} state={state} now={now} />
          ) : (
            <>
              <ProblemMessage problem={overview.problem} heading={state.show ? `The table could not be shown in ${state.show}` : undefined} />
              {state.show ? (
                <p>
                  <a href={stateHref(state, { show: '' })}>Show the prices as published</a>
                </p>
              ) : null}
            </>
          )}
        </section>

        <section aria-labelledby="upcoming-h">
          <h2 id="upcoming-h">Announced, not yet in effect</h2>
          {!upcoming.ok ? (
            <ProblemMessage problem={upcoming.problem} />
          ) : upcoming.data.data.length === 0 ? (
            <p class="muted">No announced change is pending.</p>
          ) : (
            <ChangeEvents id="upcoming-changes" events={groupEvents(upcoming.data.data)} names={names} open />
          )}
        </section>

        <section aria-labelledby="latest-h">
          <h2 id="latest-h">Latest changes</h2>
          {!latest.ok ? (
            <ProblemMessage problem={latest.problem} />
          ) : (
            <>
              <p class="muted small">A provider’s changes on one day, newest first; open one for its price lines.</p>
              <ChangeEvents id="latest-changes" events={groupEvents(latest.data.data).slice(0, LATEST_EVENTS)} names={names} />
              <p>
                <a href="/diff">Compare any two dates</a> · <a href="/v1/changes.atom">Subscribe (Atom)</a>
              </p>
            </>
          )}
        </section>

        <section aria-labelledby="providers-h">
          <h2 id="providers-h">Providers</h2>
          {providers.ok ? <ProvidersTable providers={providers.data.data} now={now} /> : <ProblemMessage problem={providers.problem} />}
        </section>
      </>
    ),
  });
  const failed = [overview, providers, upcoming, latest].find((r) => !r.ok);
  return { status: failed && !failed.ok ? failed.problem.status : 200, html };
}

/** `?…` of the table state with one change, defaults left out (links for the page without JS). */
function stateHref(state: TableState, patch: Partial<TableState>): string {
  return apiPath('/', stateParams({ ...state, ...patch }));
}

const PriceTable: FC<{ view: TableView; all: OverviewRow[]; state: TableState; now: number }> = ({ view, all, state, now }) => {
  const providers = [...new Map(all.map((r) => [r.provider, r.providerName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const currencies = [...new Set(all.map((r) => r.currency))].sort();
  const features = Object.keys(FEATURE_LABELS).filter((f) => all.some((r) => r.features.includes(f)));
  return (
    <div id="overview" data-now={String(now)}>
      <form role="search" method="get" action="/" class="controls table-controls" id="table-controls" aria-label="Filter the price table">
        <div class="field grow">
          <label for="q">Search models</label>
          <input id="q" name="q" type="search" value={state.q} placeholder="e.g. opus 4.6, sonet, deepseek-chat" autocomplete="off" aria-describedby="row-count" />
        </div>
        <div class="field">
          <label for="provider">Provider</label>
          <select id="provider" name="provider">
            <option value="">All</option>
            {providers.map(([id, name]) => (
              <option value={id} selected={id === state.provider}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="currency">Currency</label>
          <select id="currency" name="currency">
            <option value="">All</option>
            {currencies.map((c) => (
              <option value={c} selected={c === state.currency}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="show">Show in</label>
          <select id="show" name="show">
            <option value="" selected={!state.show}>
              As published
            </option>
            {SHOW_CURRENCIES.map((c) => (
              <option value={c} selected={c === state.show}>
                {c} (converted where not published)
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="feature">Feature</label>
          <select id="feature" name="feature">
            <option value="">Any</option>
            {features.map((f) => (
              <option value={f} selected={f === state.feature}>
                {FEATURE_LABELS[f]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            {COLUMNS.map((c) => (
              <option value={c.key} selected={c.key === state.sort}>
                {c.title ?? c.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field narrow">
          <label for="dir">Order</label>
          <select id="dir" name="dir">
            <option value="asc" selected={state.dir === 'asc'}>
              Ascending
            </option>
            <option value="desc" selected={state.dir === 'desc'}>
              Descending
            </option>
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <p class="table-counts">
        <span id="row-count" class="muted" aria-live="polite">
          {view.count}
        </span>{' '}
        <span id="stale-count" class={view.stale ? 'fresh-note is-stale' : 'fresh-note'} hidden={view.stale === 0}>
          {staleCountText(view.stale, view.shown)}
        </span>
      </p>
      <div id="not-converted">
        <NotConverted items={view.notConverted} show={state.show} />
      </div>
      <TableWrap label="Current prices">
        <table id="price-table" class="prices stack">
          <caption>Prices in force now, per 1M tokens, {state.show ? `in ${state.show} (converted where not published)` : 'in each provider’s own currency'}</caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const active = state.sort === c.key;
                const next = active && state.dir === 'asc' ? 'desc' : 'asc';
                return (
                  <th scope="col" class={c.num ? 'num' : undefined} aria-sort={active ? (state.dir === 'asc' ? 'ascending' : 'descending') : undefined} title={c.title}>
                    <a class="sort" data-sort={c.key} href={stateHref(state, { sort: c.key, dir: next, page: 1 })}>
                      {c.label}
                      <span aria-hidden="true" class="sort-mark">
                        {active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                      </span>
                    </a>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>{raw(view.rows.map((r) => specToHtml(rowSpec(r, now))).join(''))}</tbody>
        </table>
      </TableWrap>
      <nav class="pager" aria-label="Pages of the price table" id="pager">
        {view.page > 1 ? <a href={stateHref(state, { page: view.page - 1 })} data-page={String(view.page - 1)} rel="prev">← Previous</a> : null}
        <span class="muted">
          Page {view.page} of {view.pages}
        </span>
        {view.page < view.pages ? <a href={stateHref(state, { page: view.page + 1 })} data-page={String(view.page + 1)} rel="next">Next →</a> : null}
      </nav>
      <p class="muted small">
        “from”: the model has no standard price for it, this is the cheapest of its conditioned lines (e.g. off-peak); “+N”: N more lines (time of day, long
        context, tiers) on the model’s page. “Confirmed”: how long ago a source last showed the row’s prices unchanged; <strong>stale</strong>: not confirmed
        recently enough, or the model’s prices in another currency moved since. Prices are as published unless “Show in” names a currency: then a row the
        provider does not publish in it is converted at the ECB reference rate of the day, and says which. The same as JSON:{' '}
        <a href="/v1/overview">/v1/overview</a>
      </p>
    </div>
  );
};

export function staleCountText(stale: number, shown: number): string {
  return stale === 0 ? '' : `${stale.toLocaleString('en-US')} of them stale (not confirmed recently: see “Confirmed”).`;
}

/** Models a converted table leaves out, with the API's reason (e.g. no reference rate for today). */
const NotConverted: FC<{ items: TableView['notConverted']; show: string }> = ({ items, show }) => {
  if (!show || items.count === 0) return null;
  return (
    <div class="notice" role="status" data-count={String(items.count)}>
      <p>{notConvertedText(items, show)}</p>
    </div>
  );
};

export function notConvertedText(items: TableView['notConverted'], show: string): string {
  const n = items.count;
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'model is' : 'models are'} not shown in ${show}: their prices could not be converted. ${items.first[0].message}${n > 1 ? ` (and the like for ${(n - 1).toLocaleString('en-US')} more)` : ''}.`;
}

/** The providers whose prices are stale, at the top of the page. */
const FreshnessSummary: FC<{ providers: Providers['data']; now: number }> = ({ providers, now }) => {
  const judged = providers.filter((p) => freshnessOf(p));
  const stale = judged.filter((p) => freshnessOf(p)!.staleLines > 0);
  if (stale.length === 0) return null;
  const lines = stale.reduce((n, p) => n + freshnessOf(p)!.staleLines, 0);
  const all = judged.reduce((n, p) => n + freshnessOf(p)!.lines, 0);
  const worst = [...stale].sort((a, b) => (freshnessOf(a)!.lastConfirmedAt ?? '').localeCompare(freshnessOf(b)!.lastConfirmedAt ?? '')).slice(0, 5);
  return (
    <aside class="stale-banner" id="freshness-summary" aria-labelledby="freshness-h">
      <h2 id="freshness-h">
        {lines.toLocaleString('en-US')} of {all.toLocaleString('en-US')} prices in force are stale
      </h2>
      <details>
        <summary>
          {stale.length} of {judged.length} providers have prices no source has confirmed recently
        </summary>
        <p>
          Least recently confirmed:{' '}
          {worst.map((p, i) => {
            const f = freshnessOf(p)!;
            return (
              <>
                {i > 0 ? '; ' : ''}
                <a href={`/?provider=${encodeURIComponent(p.id)}&sort=freshness`}>{p.name}</a> ({f.lastConfirmedAt ? `last confirmed ${formatAge(f.lastConfirmedAt, now)}` : 'never confirmed'})
              </>
            );
          })}
          . The table’s “Confirmed” column says it per row; a model’s page says why.
        </p>
      </details>
    </aside>
  );
};

type ProviderFreshness = { lines: number; staleLines: number; lastConfirmedAt: string | null };
/** The provider's freshness, once /v1/providers carries it. */
function freshnessOf(p: Providers['data'][number]): ProviderFreshness | null {
  const f = (p as { freshness?: ProviderFreshness }).freshness;
  return f && typeof f.lines === 'number' ? f : null;
}

export function rowCountText(shown: number, total: number, models: number, page: { page: number; pages: number }): string {
  const of = shown === total ? `${total} price rows (${models} models × currencies)` : `${shown} of ${total} price rows match`;
  return page.pages > 1 ? `${of}; page ${page.page} of ${page.pages}` : of;
}

/** Providers the page lists (a catalogue of thousands: the rest are a link to the JSON). */
const PROVIDERS_SHOWN = 200;

const ProvidersTable: FC<{ providers: Providers['data']; now: number }> = ({ providers: all, now }) => {
  const providers = all.slice(0, PROVIDERS_SHOWN);
  return (
  <>
  <TableWrap label="Providers">
    <table id="providers" class="stack">
      <caption>Tracked providers and the health of their scrapers{all.length > providers.length ? ` (the first ${providers.length} of ${all.length})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col" class="num">
            Models
          </th>
          <th scope="col">Confirmed</th>
          <th scope="col">Scraper</th>
          <th scope="col">Last success</th>
          <th scope="col">Last failure</th>
        </tr>
      </thead>
      <tbody>
        {providers.map((p) => {
          const s = p.scraper;
          const state = s.runs === 0 ? 'never' : s.consecutiveFailures > 0 ? 'failing' : 'ok';
          return (
            <tr data-provider={p.id}>
              <th scope="row">
                <a href={`/?provider=${encodeURIComponent(p.id)}`}>{p.name}</a>
                <br />
                {(p.pricingPages ?? []).map((u, i, pages) => (
                  <>
                    {i > 0 ? ' · ' : ''}
                    <a class="small" href={safeHref(u)} rel="noopener noreferrer">
                      pricing page{pages.length > 1 ? ` ${i + 1}` : ''}
                    </a>
                  </>
                ))}
              </th>
              <td class="num" data-label="Models">
                {p.modelCount}
              </td>
              <ProviderFreshnessCell f={freshnessOf(p)} now={now} />
              <td data-label="Scraper">
                {state === 'never' ? (
                  <span class="badge badge-info">not run here yet</span>
                ) : state === 'failing' ? (
                  <span class="badge badge-increase">failing ×{s.consecutiveFailures}</span>
                ) : (
                  <span class="badge badge-cut">healthy</span>
                )}
                {s.runs > 0 ? <span class="muted small"> {s.runs} runs, last {s.lastOutcome ?? '—'}</span> : null}
              </td>
              <td data-label="Last success">
                <Time iso={s.lastSuccessAt} />
              </td>
              <td data-label="Last failure">
                <Time iso={s.lastFailureAt} />
                {s.lastFailureReason ? <div class="muted small">{s.lastFailureReason}</div> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  </TableWrap>
  {all.length > providers.length ? (
    <p class="small">
      And {(all.length - providers.length).toLocaleString('en-US')} more: <a href="/v1/providers">all providers (JSON)</a>, or pick one in the table’s Provider filter.
    </p>
  ) : null}
  </>
  );
};

const ProviderFreshnessCell: FC<{ f: ProviderFreshness | null; now: number }> = ({ f, now }) => {
  if (!f) return <td data-label="Confirmed" class="muted">unknown</td>;
  if (f.lines === 0) return <td data-label="Confirmed" class="muted">no prices in force</td>;
  return (
    <td data-label="Confirmed" class={f.staleLines ? 'fresh is-stale' : 'fresh'}>
      {f.lastConfirmedAt ? <time datetime={f.lastConfirmedAt}>{formatAge(f.lastConfirmedAt, now)}</time> : 'never'}
      {f.staleLines ? (
        <>
          {' '}
          <span class="badge badge-stale">stale</span>
          <div class="small">
            {f.staleLines} of {f.lines} lines stale
          </div>
        </>
      ) : (
        <div class="muted small">{f.lines} lines, all fresh</div>
      )}
    </td>
  );
};

interface ChangeEvent {
  provider: string;
  /** YYYY-MM-DD (UTC) */
  day: string;
  changes: Change[];
}

/** Changes grouped by provider and day, in the feed's order (newest first). */
function groupEvents(changes: Change[]): ChangeEvent[] {
  const events = new Map<string, ChangeEvent>();
  for (const c of changes) {
    const provider = c.model.split('/')[0];
    const day = c.effectiveAt.slice(0, 10);
    const key = `${day}|${provider}`;
    let e = events.get(key);
    if (!e) events.set(key, (e = { provider, day, changes: [] }));
    e.changes.push(c);
  }
  return [...events.values()];
}

const ChangeEvents: FC<{ id: string; events: ChangeEvent[]; names: Map<string, string>; open?: boolean }> = ({ id, events, names, open }) => (
  <ol class="events" id={id}>
    {events.map((e) => {
      const models = [...new Set(e.changes.map((c) => c.model))];
      const types = new Map<string, number>();
      for (const c of e.changes) types.set(c.type, (types.get(c.type) ?? 0) + 1);
      const pcts = e.changes.map((c) => c.changePct).filter((p): p is number => p !== null && p !== 0);
      const deepest = pcts.length ? Math.min(...pcts) : null;
      const steepest = pcts.length ? Math.max(...pcts) : null;
      const shownModels = models.slice(0, 3).map((m) => m.slice(e.provider.length + 1));
      return (
        <li class="event" data-provider={e.provider} data-day={e.day}>
          <details open={open}>
            <summary>
              <span class="event-head">
                <time datetime={e.day}>{e.day}</time> <strong>{names.get(e.provider) ?? e.provider}</strong>{' '}
                <span class="muted">
                  {shownModels.join(', ')}
                  {models.length > 3 ? ` and ${models.length - 3} more` : ''}
                </span>
              </span>
              <span class="event-badges">
                {[...types.entries()].map(([type, n]) => (
                  <>
                    <Badge type={type} />
                    {n > 1 ? <span class="muted small">×{n} </span> : ' '}
                  </>
                ))}
                {e.changes.some((c) => c.upcoming) ? <UpcomingBadge /> : null}
                {deepest !== null && deepest < 0 ? <span class="pct down"> largest cut {formatPct(deepest)}</span> : null}
                {steepest !== null && steepest > 0 ? <span class="pct up"> largest rise {formatPct(steepest)}</span> : null}
              </span>
            </summary>
            <ul class="change-words">
              {e.changes.slice(0, 6).map((c) => (
                <li>{changeWords(c)}</li>
              ))}
            </ul>
            <ChangesTable
              caption={`${names.get(e.provider) ?? e.provider}, ${e.day}: ${e.changes.length} price lines${e.changes.length > EVENT_LINES ? ` (the first ${EVENT_LINES})` : ''}`}
              rows={e.changes.slice(0, EVENT_LINES)}
            />
            {e.changes.length > EVENT_LINES ? (
              <p class="small">
                <a href={apiPath('/diff', { from: e.day, to: nextDay(e.day), provider: e.provider })}>All {e.changes.length} lines of this event</a>
              </p>
            ) : null}
          </details>
        </li>
      );
    })}
  </ol>
);
