// Diff (/diff?from=&to=&provider=): every price line whose effective or list price differs between
// two dates, with percentages and change types, from /v1/diff.
import { apiPath, getJson, type ApiFetch, type Diff, type Providers } from '../api-client.ts';
import { Badge, ChangesTable, ProblemMessage, Time } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

/** Beyond this many lines the table is cut (the API answer stays complete). */
const MAX_ROWS = 1000;

export async function diffPage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  // Default: since the start of the current year.
  const from = instantParam(url, 'from') ?? `${new Date(now).getUTCFullYear()}-01-01`;
  const to = instantParam(url, 'to');
  const provider = url.searchParams.get('provider')?.trim() || undefined;

  const [diff, providers] = await Promise.all([
    getJson<Diff>(api, apiPath('/v1/diff', { from, to, provider })),
    getJson<Providers>(api, '/v1/providers'),
  ]);
  const counts = new Map<string, number>();
  if (diff.ok) for (const c of diff.data.changes) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  const rows = diff.ok ? diff.data.changes.slice(0, MAX_ROWS) : [];

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
                  {diff.data.changes.length > MAX_ROWS ? ` (the first ${MAX_ROWS} are shown; the API has them all)` : ''}.
                </p>
                <ChangesTable caption="Differences, line by line (before: at the start date; after: at the end date)" id="diff-table" rows={rows} />
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
