// Overview (/): the current price table (GET /v1/overview): every model with a price, per
// currency, sortable and filterable; the state lives in the URL (`?q=&provider=&currency=&feature=
// &sort=&dir=&page=`), so the server renders any view without JavaScript and assets/overview.js
// redraws it in place. Below: announced and latest changes, and the providers' scraper health.
import type { FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Overview, OverviewRow } from '../../routes/overview.ts';
import { apiPath, askResolver, getJson, type ApiFetch, type Change, type Changes, type Providers } from '../api-client.ts';
import { Badge, ChangesTable, ProblemMessage, safeHref, TableWrap, Time, UpcomingBadge } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { formatPct } from '../assets/format.js';
import { COLUMNS, modelIdsIn, pageOf, rowSpec, selectRows, specToHtml, stateFromParams, stateParams, type TableState } from '../assets/price-table.js';
import { changeWords } from '../../../src/phrasing.ts';
import type { PageResult } from './page.ts';

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

/**
 * The resolver (GET /v1/models/resolve, from the catalogue work): the model ids it matches for `q`,
 * `null` when it gave none, and whether the route exists at all (so the browser only calls it then).
 */
async function resolveQuery(api: ApiFetch, q: string): Promise<{ available: boolean; ids: Set<string> | null }> {
  const { available, body } = await askResolver(api, q);
  if (!q || !body) return { available, ids: null };
  const ids = modelIdsIn(body);
  return { available, ids: ids.size ? ids : null };
}

/** Models the catalogue's sources disagree on (GET /v1/disagreements, when it answers). */
async function disputedModels(api: ApiFetch): Promise<Set<string>> {
  const res = await api('/v1/disagreements');
  if (!res.ok) return new Set();
  return modelIdsIn(await res.json().catch(() => null));
}

export async function overviewPage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  const state = stateFromParams(url.searchParams);
  const [overview, providers, upcoming, latest, resolved, disputed] = await Promise.all([
    getJson<Overview>(api, '/v1/overview'),
    getJson<Providers>(api, '/v1/providers'),
    getJson<Changes>(api, apiPath('/v1/changes', { upcoming: 'true', limit: '50' })),
    getJson<Changes>(api, apiPath('/v1/changes', { type: NEWS_TYPES, upcoming: 'false', limit: String(LATEST_LIMIT) })),
    resolveQuery(api, state.q),
    disputedModels(api),
  ]);
  const names = new Map(providers.ok ? providers.data.data.map((p) => [p.id, p.name]) : []);
  const html = renderPage({
    title: 'tokentrail',
    page: 'overview',
    children: (
      <>
        <h1>LLM API token prices, now</h1>
        <p class="lead">
          Per 1M tokens, in the currency each provider publishes; open a model for its history and sources. Your own workload:{' '}
          <a href="/compare">Compare &amp; calculate</a>.
        </p>
        <section aria-labelledby="prices-h">
          <h2 id="prices-h" class="visually-hidden">
            Current prices
          </h2>
          {overview.ok ? (
            <PriceTable rows={overview.data.data} state={state} resolved={resolved.ids} resolver={resolved.available} disputed={disputed} now={now} />
          ) : (
            <ProblemMessage problem={overview.problem} />
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
          {providers.ok ? <ProvidersTable providers={providers.data.data} /> : <ProblemMessage problem={providers.problem} />}
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

const PriceTable: FC<{ rows: OverviewRow[]; state: TableState; resolved: Set<string> | null; resolver: boolean; disputed: Set<string>; now: number }> = ({
  rows,
  state,
  resolved,
  resolver,
  disputed,
  now,
}) => {
  const chosen = selectRows(rows, state, resolved);
  const page = pageOf(chosen, state.page);
  const providers = [...new Map(rows.map((r) => [r.provider, r.providerName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const features = Object.keys(FEATURE_LABELS).filter((f) => rows.some((r) => r.features.includes(f)));
  const models = new Set(rows.map((r) => r.model)).size;
  return (
    <div id="overview" data-resolver={resolver ? 'on' : 'off'} data-disputed={[...disputed].join(' ')} data-now={String(now)}>
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
      <p id="row-count" class="muted" aria-live="polite">
        {rowCountText(chosen.length, rows.length, models, page)}
      </p>
      <TableWrap label="Current prices">
        <table id="price-table" class="prices stack">
          <caption>Prices in force now, per 1M tokens, in each provider’s own currency</caption>
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
          <tbody>{raw(page.rows.map((r) => specToHtml(rowSpec(r, now, disputed.has(r.model)))).join(''))}</tbody>
        </table>
      </TableWrap>
      <nav class="pager" aria-label="Pages of the price table" id="pager">
        {page.page > 1 ? <a href={stateHref(state, { page: page.page - 1 })} data-page={String(page.page - 1)} rel="prev">← Previous</a> : null}
        <span class="muted">
          Page {page.page} of {page.pages}
        </span>
        {page.page < page.pages ? <a href={stateHref(state, { page: page.page + 1 })} data-page={String(page.page + 1)} rel="next">Next →</a> : null}
      </nav>
      <p class="muted small">
        “from”: the model has no standard price for it, this is the cheapest of its conditioned lines (e.g. off-peak); “+N”: N more lines (time of day, long
        context, tiers) on the model’s page. “Confirmed” is unknown until the sources’ last confirmations are recorded. The same as JSON:{' '}
        <a href="/v1/overview">/v1/overview</a>
      </p>
    </div>
  );
};

export function rowCountText(shown: number, total: number, models: number, page: { page: number; pages: number }): string {
  const of = shown === total ? `${total} price rows (${models} models × currencies)` : `${shown} of ${total} price rows match`;
  return page.pages > 1 ? `${of}; page ${page.page} of ${page.pages}` : of;
}

const ProvidersTable: FC<{ providers: Providers['data'] }> = ({ providers }) => (
  <TableWrap label="Providers">
    <table id="providers" class="stack">
      <caption>Tracked providers and the health of their scrapers</caption>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col" class="num">
            Models
          </th>
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
);

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
