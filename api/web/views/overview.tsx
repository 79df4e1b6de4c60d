// Overview (/): a model search (filtered as you type; `?q=` without JavaScript), the announced and
// latest price changes with badges, and the providers with their scraper health.
import type { FC } from 'hono/jsx';
import { apiPath, getJson, type ApiFetch, type Change, type Changes, type ModelSummary, type Models, type Providers } from '../api-client.ts';
import { Badge, ChangesTable, ProblemMessage, safeHref, TableWrap, Time, UpcomingBadge } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { formatPct, modelHref } from '../assets/format.js';
import type { PageResult } from './page.ts';

/** Everything but `first_known` (the first fact of a list is not news). */
const NEWS_TYPES = 'price_cut,price_increase,price_added,price_removed,tier_removed,promo_started,promo_ended,list_changed';
/** Changes read to find the latest events (a provider's changes on one day are one event). */
const LATEST_LIMIT = 400;
const LATEST_EVENTS = 12;

export async function overviewPage(api: ApiFetch, url: URL): Promise<PageResult> {
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
  const [providers, upcoming, latest, models] = await Promise.all([
    getJson<Providers>(api, '/v1/providers'),
    getJson<Changes>(api, apiPath('/v1/changes', { upcoming: 'true', limit: '50' })),
    getJson<Changes>(api, apiPath('/v1/changes', { type: NEWS_TYPES, upcoming: 'false', limit: String(LATEST_LIMIT) })),
    getJson<Models>(api, '/v1/models'),
  ]);
  const names = new Map(providers.ok ? providers.data.data.map((p) => [p.id, p.name]) : []);
  const html = renderPage({
    title: 'tokentrail',
    page: 'overview',
    children: (
      <>
        <h1>LLM API token prices, with their history</h1>
        <p class="lead">
          Every price the providers publish, when it applied and where it came from: promotions, cuts, peak hours, cache-hit prices. Pick a model, compare a
          workload, or see what changed between two dates.
        </p>

        <section aria-labelledby="search-h">
          <h2 id="search-h">Find a model</h2>
          {models.ok ? <ModelSearch models={models.data.data} q={q} /> : <ProblemMessage problem={models.problem} />}
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
  const failed = [providers, upcoming, latest, models].find((r) => !r.ok);
  return { status: failed && !failed.ok ? failed.problem.status : 200, html };
}

function matches(m: ModelSummary, terms: string[]): boolean {
  const hay = `${m.id} ${m.name}`.toLowerCase();
  return terms.every((t) => hay.includes(t));
}

const ModelSearch: FC<{ models: ModelSummary[]; q: string }> = ({ models, q }) => {
  const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = models.filter((m) => matches(m, terms)).length;
  return (
    <>
      <form role="search" method="get" action="/" class="search">
        <label for="q">Model name or id</label>
        <input id="q" name="q" type="search" value={q} placeholder="e.g. deepseek v4, opus, mimo" autocomplete="off" aria-describedby="model-count" />
        <button type="submit">Search</button>
      </form>
      <p id="model-count" class="muted" aria-live="polite">
        {terms.length ? `${shown} of ${models.length} models match` : `${models.length} models`}
      </p>
      <div class="model-list-wrap" role="region" aria-label="Models" tabindex={0}>
        <ul id="model-list" class="model-list">
          {models.map((m) => (
            <li data-search={`${m.id} ${m.name}`.toLowerCase()} hidden={!matches(m, terms)}>
              <a href={modelHref(m.id)}>
                <span class="model-name">{m.name}</span> <code>{m.id}</code>
              </a>
              {m.status !== 'active' ? <span class={`badge badge-${m.status === 'retired' ? 'removed' : 'info'}`}>{m.status}</span> : null}
            </li>
          ))}
        </ul>
      </div>
    </>
  );
};

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
                <a href={`/?q=${encodeURIComponent(p.id + '/')}`}>{p.name}</a>
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
            <ChangesTable caption={`${names.get(e.provider) ?? e.provider}, ${e.day}: ${e.changes.length} price lines`} rows={e.changes} />
          </details>
        </li>
      );
    })}
  </ol>
);
