// Diff (/diff?from=&to=&provider=): every price line whose effective or list price differs between
// two dates, with percentages and change types, from /v1/diff.
import { apiPath, getJson, type ApiFetch, type Changes, type Diff, type DiffLine, type Providers } from '../api-client.ts';
import { Badge, ChangesTable, ProblemMessage, Time } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

/** Beyond this many lines the table is cut (the API answer stays complete). */
const MAX_ROWS = 1000;
const DAY = 86_400_000;
const WINDOW_DAYS = 30;
/** Changes a reader acts on; a first or added price is counted, not listed line by line. */
const REAL_CHANGES = 'price_cut,price_increase,promo_started,promo_ended,list_changed,price_removed,tier_removed';
const FOLDED = new Set(['first_known', 'price_added']);
const TYPE_RANK = ['price_cut', 'price_increase', 'promo_started', 'promo_ended', 'list_changed', 'tier_removed', 'price_removed'];

/**
 * The default window: the 30 days ending with the day of the latest real change in effect by now
 * (the data may be older than the calendar's last 30 days); the last 30 days when there is none.
 */
async function defaultWindow(api: ApiFetch, now: number, provider: string | undefined): Promise<{ from: string; to: string }> {
  const latest = await getJson<Changes>(api, apiPath('/v1/changes', { type: REAL_CHANGES, upcoming: 'false', limit: '1', provider }));
  const last = latest.ok && latest.data.data[0] ? Date.parse(latest.data.data[0].effectiveAt) : now;
  const end = Math.min(now, Math.floor(last / DAY) * DAY + DAY);
  return { from: new Date(end - WINDOW_DAYS * DAY).toISOString(), to: new Date(end).toISOString() };
}

/** Cuts and rises first (largest move first), then promotions, list moves and removals. */
function byImportance(a: DiffLine, b: DiffLine): number {
  const ra = TYPE_RANK.indexOf(a.type);
  const rb = TYPE_RANK.indexOf(b.type);
  return (ra === -1 ? 99 : ra) - (rb === -1 ? 99 : rb) || Math.abs(b.changePct ?? 0) - Math.abs(a.changePct ?? 0) || a.model.localeCompare(b.model);
}

export async function diffPage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  const provider = url.searchParams.get('provider')?.trim() || undefined;
  const asked = { from: instantParam(url, 'from'), to: instantParam(url, 'to') };
  const fallback = asked.from ? null : await defaultWindow(api, now, provider);
  const from = asked.from ?? fallback!.from;
  const to = asked.to ?? fallback?.to;

  const [diff, providers] = await Promise.all([
    getJson<Diff>(api, apiPath('/v1/diff', { from, to, provider })),
    getJson<Providers>(api, '/v1/providers'),
  ]);
  const counts = new Map<string, number>();
  if (diff.ok) for (const c of diff.data.changes) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  const all = diff.ok ? diff.data.changes : [];
  const real = all.filter((c) => !FOLDED.has(c.type)).sort(byImportance);
  const folded = all.filter((c) => FOLDED.has(c.type));
  const rows = real.slice(0, MAX_ROWS);

  const html = renderPage({
    title: 'Diff',
    page: 'diff',
    children: (
      <>
        <h1>What changed between two dates</h1>
        <form method="get" action="/diff" class="controls" aria-label="Diff options">
          <div class="field">
            <label for="from">From</label>
            <input id="from" name="from" type="date" value={dateInputValue(from)} required />
          </div>
          <div class="field">
            <label for="to">To</label>
            <input id="to" name="to" type="date" value={dateInputValue(to)} aria-describedby="to-hint" />
            <small id="to-hint">Empty: now</small>
          </div>
          <div class="field">
            <label for="provider">Provider</label>
            <select id="provider" name="provider">
              <option value="">All providers</option>
              {providers.ok
                ? providers.data.data.map((p) => (
                    <option value={p.id} selected={p.id === provider}>
                      {p.name}
                    </option>
                  ))
                : null}
            </select>
          </div>
          <button type="submit">Show changes</button>
        </form>

        {!diff.ok ? (
          <ProblemMessage problem={diff.problem} />
        ) : (
          <section aria-labelledby="diff-h">
            <h2 id="diff-h">
              <Time iso={diff.data.from} /> → <Time iso={diff.data.to} />
              {provider ? `, ${provider}` : ''}
            </h2>
            {fallback ? (
              <p class="muted small" id="diff-window">
                The 30 days up to the latest price change{provider ? ` of ${provider}` : ''}; pick other dates above.
              </p>
            ) : null}
            {diff.data.changes.length === 0 ? (
              <p class="notice">No price differs between these dates.</p>
            ) : (
              <>
                <p id="diff-summary">
                  {diff.data.changes.length} price lines differ:{' '}
                  {[...counts.entries()].map(([type, n], i) => (
                    <>
                      {i > 0 ? ', ' : ''}
                      {n} <Badge type={type} />
                    </>
                  ))}
                  {real.length > MAX_ROWS ? ` (the first ${MAX_ROWS} are shown; the API has them all)` : ''}.
                </p>
                {rows.length ? (
                  <ChangesTable caption="Cuts and rises first (before: at the start date; after: at the end date)" id="diff-table" rows={rows} />
                ) : (
                  <p class="notice">No cut, rise, promotion or removal between these dates; only new prices.</p>
                )}
                {folded.length ? (
                  <details class="folded" id="diff-folded">
                    <summary>
                      {folded.length} new price {folded.length === 1 ? 'line' : 'lines'} (first known or added): show
                    </summary>
                    <ChangesTable caption="New price lines" id="diff-new-table" rows={folded.slice(0, MAX_ROWS)} />
                  </details>
                ) : null}
              </>
            )}
            <p class="muted small">
              The same as JSON: <a href={apiPath('/v1/diff', { from, to, provider })}>{apiPath('/v1/diff', { from, to, provider })}</a>
            </p>
          </section>
        )}
      </>
    ),
  });
  return { status: diff.ok ? 200 : diff.problem.status, html };
}
