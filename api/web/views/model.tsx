// Model page (/models/<provider>/<model…>): the price sheet at an instant with every condition, a
// step chart per component (drawn in the browser from /v1/history), and the facts with their
// sources and knowledge times (superseded ones on request).
import type { FC } from 'hono/jsx';
import { apiPath, getJson, type ApiFetch, type History, type HistoryFact, type ModelSummary, type Models, type PriceRow, type PriceSheet } from '../api-client.ts';
import { ConditionsText, ProblemMessage, SourceLinks, TableWrap, Time } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { compareComponents, componentLabel, conditionsKey, formatAmount, formatTokens, modelHref } from '../assets/format.js';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

export async function modelPage(api: ApiFetch, url: URL, modelId: string, now: number): Promise<PageResult> {
  const at = instantParam(url, 'at');
  const asOf = instantParam(url, 'asOf');
  const showSuperseded = url.searchParams.get('superseded') === '1';
  const provider = modelId.split('/')[0];

  // `sheetCurrency`: the sheet in that currency — the model's own lines, else converted (the rate shown).
  const sheetCurrency = url.searchParams.get('sheetCurrency')?.toUpperCase() || undefined;
  const [sheet, facts, models] = await Promise.all([
    getJson<PriceSheet>(api, apiPath('/v1/prices', { model: modelId, at, asOf, currency: sheetCurrency })),
    getJson<History>(api, apiPath('/v1/history', { model: modelId, asOf, includeSuperseded: showSuperseded ? 'true' : undefined })),
    getJson<Models>(api, apiPath('/v1/models', { provider })),
  ]);
  const meta = models.ok ? models.data.data.find((m) => m.id === modelId) : undefined;

  if (!sheet.ok && !facts.ok) {
    const problem = sheet.problem;
    return {
      status: problem.status,
      html: renderPage({
        title: modelId,
        page: 'model',
        children: (
          <>
            <h1>{modelId}</h1>
            <ProblemMessage problem={problem} heading={problem.status === 404 ? 'No such model' : undefined} />
            <p>
              <a href={`/?q=${encodeURIComponent(modelId)}`}>Search the models</a>
            </p>
          </>
        ),
      }),
    };
  }

  const currencies = facts.ok ? [...new Set(facts.data.facts.map((f) => f.currency))].sort() : [];
  const wanted = url.searchParams.get('currency')?.toUpperCase();
  const chartCurrency = wanted && currencies.includes(wanted) ? wanted : currencies.includes('USD') ? 'USD' : (currencies[0] ?? '');
  // The chart dashes what is announced but not in effect at the knowledge time of the page.
  const chartNow = facts.ok ? facts.data.asOf : new Date(now).toISOString();

  const html = renderPage({
    title: meta?.name ?? modelId,
    page: 'model',
    charts: true,
    children: (
      <>
        <p class="crumbs">
          <a href="/">Overview</a> › <a href={`/?q=${encodeURIComponent(provider + '/')}`}>{provider}</a>
        </p>
        <h1>
          {meta?.name ?? modelId} <code class="model-id">{modelId}</code>
        </h1>
        {meta ? <ModelFacts meta={meta} /> : null}
        <p>
          <a class="button" href={`/compare?models=${encodeURIComponent(modelId)}`}>
            Cost a workload on this model
          </a>
        </p>

        <form method="get" class="controls" aria-label="View options">
          <div class="field">
            <label for="at">Prices at</label>
            <input id="at" name="at" type="date" value={dateInputValue(at)} aria-describedby="at-hint" />
            <small id="at-hint">Empty: now (00:00 UTC of the date otherwise)</small>
          </div>
          <div class="field">
            <label for="asOf">As known on</label>
            <input id="asOf" name="asOf" type="date" value={dateInputValue(asOf)} aria-describedby="asof-hint" />
            <small id="asof-hint">Empty: today’s knowledge</small>
          </div>
          <div class="field">
            <label for="currency">Chart currency</label>
            <select id="currency" name="currency">
              {currencies.map((c) => (
                <option value={c} selected={c === chartCurrency}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="sheetCurrency">Sheet currency</label>
            <select id="sheetCurrency" name="sheetCurrency" aria-describedby="sheet-currency-hint">
              <option value="" selected={!sheetCurrency}>
                As published
              </option>
              {[...new Set([...currencies, 'CNY', 'EUR', 'USD'])].sort().map((c) => (
                <option value={c} selected={c === sheetCurrency}>
                  {c}
                  {currencies.includes(c) ? '' : ' (converted)'}
                </option>
              ))}
            </select>
            <small id="sheet-currency-hint">Not published: converted at the ECB rate of the date, shown per line</small>
          </div>
          <div class="field check">
            <input id="superseded" name="superseded" type="checkbox" value="1" checked={showSuperseded} />
            <label for="superseded">Show superseded facts</label>
          </div>
          <button type="submit">Update</button>
        </form>

        <section aria-labelledby="sheet-h">
          <h2 id="sheet-h">
            Price sheet {sheet.ok ? <>at <Time iso={sheet.data.at} /></> : null}
          </h2>
          {sheet.ok ? <SheetTable sheet={sheet.data} /> : <ProblemMessage problem={sheet.problem} />}
        </section>

        <section aria-labelledby="chart-h">
          <h2 id="chart-h">Over time</h2>
          <p class="muted small">
            Effective price per component (a promotion over the list price where one ran). <span class="legend-promo">Shaded</span>: promotion.{' '}
            <span class="legend-dash">Dashed</span>: announced, not yet in effect.
          </p>
          <div id="charts" class="charts" data-model={modelId} data-as-of={asOf ?? ''} data-now={chartNow} data-currency={chartCurrency} aria-live="polite">
            <noscript>
              <p>The charts need JavaScript; the table of facts below holds the same history.</p>
            </noscript>
          </div>
        </section>

        <section aria-labelledby="facts-h">
          <h2 id="facts-h">Facts and sources</h2>
          {facts.ok ? <FactsTable facts={facts.data.facts} asOf={facts.data.asOf} showSuperseded={showSuperseded} /> : <ProblemMessage problem={facts.problem} />}
        </section>
      </>
    ),
  });
  return { status: 200, html };
}

const ModelFacts: FC<{ meta: ModelSummary }> = ({ meta }) => (
  <dl class="model-meta">
    <div>
      <dt>Status</dt>
      <dd>{meta.status}</dd>
    </div>
    {meta.contextWindow ? (
      <div>
        <dt>Context window</dt>
        <dd>{formatTokens(meta.contextWindow)} tokens</dd>
      </div>
    ) : null}
    {meta.maxOutput ? (
      <div>
        <dt>Max output</dt>
        <dd>{formatTokens(meta.maxOutput)} tokens</dd>
      </div>
    ) : null}
    <MetaDate label="Released" iso={meta.releasedAt} />
    <MetaDate label="Deprecated" iso={meta.deprecatedAt} />
    <MetaDate label="Retired" iso={meta.retiredAt} />
    {meta.aliases?.length ? (
      <div>
        <dt>Aliases</dt>
        <dd>
          {meta.aliases.map((a, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <code>{a.alias}</code> (<Time iso={a.validFrom} /> – <Time iso={a.validTo} />)
            </>
          ))}
        </dd>
      </div>
    ) : null}
  </dl>
);

function byLine<T extends { component: string; currency: string; conditions: PriceRow['conditions'] }>(a: T, b: T): number {
  return (
    compareComponents(a.component, b.component) ||
    a.currency.localeCompare(b.currency) ||
    conditionsKey(a.conditions).localeCompare(conditionsKey(b.conditions))
  );
}

const SheetTable: FC<{ sheet: PriceSheet }> = ({ sheet }) => {
  if (sheet.prices.length === 0) return <p class="notice">No price was in effect for this model at that instant.</p>;
  const rows = [...sheet.prices].sort(byLine);
  return (
    <>
      {sheet.aliasOf ? (
        <p class="notice">
          <code>{sheet.aliasOf}</code> was an alias of <a href={modelHref(sheet.model)}>{sheet.model}</a> at that instant; these are its prices.
        </p>
      ) : null}
      <TableWrap label="Price sheet">
        <table id="price-sheet" class="stack">
          <caption>
            Effective prices at <Time iso={sheet.at} />, as known at <Time iso={sheet.asOf} />
          </caption>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Conditions</th>
              <th scope="col" class="num">
                Price
              </th>
              <th scope="col" class="num">
                List price
              </th>
              <th scope="col">Valid</th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr data-component={p.component} data-currency={p.currency} data-kind={p.kind}>
                <th scope="row">{componentLabel(p.component)}</th>
                <td data-label="Conditions">
                  <ConditionsText conditions={p.conditions} />
                </td>
                <td class="num price" data-label="Price" data-amount={String(p.amount)}>
                  <strong>{formatAmount(p.amount)}</strong> {p.currency}
                  <span class="unit"> / {p.unit}</span>
                  {p.kind === 'promo' ? (
                    <>
                      {' '}
                      <span class="badge badge-promo">promo</span>
                    </>
                  ) : null}
                  {p.free ? (
                    <>
                      {' '}
                      <span class="badge badge-cut">free</span>
                    </>
                  ) : null}
                  {p.flags?.includes('suspect-stale') && p.suspectStale ? (
                    <>
                      {' '}
                      <span
                        class="badge badge-increase suspect-stale"
                        title={`The ${p.suspectStale.changed.currency} price changed on ${p.suspectStale.changed.validFrom.slice(0, 10)} and this one did not: the two imply ${p.suspectStale.impliedRate}, ${p.suspectStale.departurePct}% from the ECB rate ${p.suspectStale.referenceRate} of ${p.suspectStale.rateDate}`}
                      >
                        suspect-stale
                      </span>
                    </>
                  ) : null}
                  {p.convertedFrom ? (
                    <div class="muted small converted">
                      converted from {formatAmount(p.originalAmount!)} {p.convertedFrom} at {p.rate} {p.currency}/{p.convertedFrom}, ECB reference rate of {p.rateDate}
                      {p.rateNote ? ` (${p.rateNote})` : ''}
                    </div>
                  ) : null}
                </td>
                {p.kind === 'promo' && p.listAmount !== null ? (
                  <td class="num" data-label="List price">
                    {formatAmount(p.listAmount)} {p.currency}
                  </td>
                ) : (
                  <td class="num empty" data-label="List price">
                    <span class="muted">—</span>
                  </td>
                )}
                <td data-label="Valid">
                  <Time iso={p.validFrom} /> → {p.validTo ? <Time iso={p.validTo} /> : 'open'}
                </td>
                <td data-label="Sources">
                  <SourceLinks sources={p.sources} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
};

const FactsTable: FC<{ facts: HistoryFact[]; asOf: string; showSuperseded: boolean }> = ({ facts, asOf, showSuperseded }) => {
  const rows = [...facts].sort((a, b) => byLine(a, b) || a.validFrom.localeCompare(b.validFrom) || a.recordedAt.localeCompare(b.recordedAt));
  // Superseded as of the page's knowledge time (a later correction is not known yet then).
  const isSuperseded = (f: HistoryFact) => f.supersededAt !== null && f.supersededAt <= asOf;
  const superseded = rows.filter(isSuperseded).length;
  return (
    <>
      <p class="muted small">
        {rows.length} facts{showSuperseded ? `, ${superseded} of them superseded (replaced by a correction; struck through)` : ' in force in our knowledge'}. Valid: when the price
        applied (and when it was announced, where that was earlier). Known: when it became known and, for a superseded fact, when a correction replaced it.
      </p>
      <TableWrap label="Facts">
        <table id="facts" class="facts stack">
          <caption>
            Every price fact of this model, as known at <Time iso={asOf} />
          </caption>
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Conditions</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col">Valid</th>
              <th scope="col">Known</th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr class={isSuperseded(f) ? 'superseded' : undefined} data-superseded={isSuperseded(f) ? 'true' : 'false'} data-kind={f.kind}>
                <th scope="row">{componentLabel(f.component)}</th>
                <td data-label="Conditions">
                  <ConditionsText conditions={f.conditions} />
                </td>
                <td class="num" data-label="Amount">
                  {formatAmount(f.amount)} {f.currency}
                  <span class="unit"> / {f.unit}</span>
                  {f.kind === 'promo' ? (
                    <>
                      {' '}
                      <span class="badge badge-promo">promo</span>
                    </>
                  ) : null}
                </td>
                <td data-label="Valid">
                  <Time iso={f.validFrom} /> → {f.validTo ? <Time iso={f.validTo} /> : 'open'}
                  {f.announcedAt ? (
                    <div class="muted small">
                      announced <Time iso={f.announcedAt} />
                    </div>
                  ) : null}
                </td>
                <td data-label="Known">
                  <Time iso={f.recordedAt} />
                  {isSuperseded(f) ? (
                    <>
                      {' '}
                      → <Time iso={f.supersededAt} />
                    </>
                  ) : null}
                </td>
                <td data-label="Sources">
                  <SourceLinks sources={f.sources} compact />
                  <span class="muted small">confidence {f.confidence}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
};

/** One dated line of the model's details, left out when the date is unknown. */
function MetaDate({ label, iso }: { label: string; iso?: string }) {
  if (!iso) return null;
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <Time iso={iso} />
      </dd>
    </div>
  );
}
