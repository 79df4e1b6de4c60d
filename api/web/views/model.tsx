// Model page (/models/<provider>/<model…>): the price sheet at an instant with every condition, a
// step chart per component (drawn in the browser from /v1/history), and the facts with their
// sources and knowledge times (superseded ones on request).
import type { FC } from 'hono/jsx';
import { apiPath, getJson, type ApiFetch, type History, type HistoryFact, type ModelSummary, type Models, type PriceRow, type PriceSheet } from '../api-client.ts';
import { ConditionsText, ProblemMessage, safeHref, SourceLinks, TableWrap, Time } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { compareComponents, componentLabel, conditionsKey, conditionsShort, formatAge, formatAmount, formatTokens, modelHref } from '../assets/format.js';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

/** The chart currency value that draws every currency, each on its own axis. */
const ALL_CURRENCIES = 'ALL';
/** Currencies a sheet or chart can be converted to (the ECB reference rates hold them). */
const CONVERTIBLE = ['CNY', 'EUR', 'USD'];

export async function modelPage(api: ApiFetch, url: URL, modelId: string, now: number): Promise<PageResult> {
  const at = instantParam(url, 'at');
  const asOf = instantParam(url, 'asOf');
  const showSuperseded = url.searchParams.get('superseded') === '1';
  const provider = modelId.split('/')[0];

  // `sheetCurrency`: the sheet in that currency — the model's own lines, else converted (the rate shown).
  const sheetCurrency = url.searchParams.get('sheetCurrency')?.toUpperCase() || undefined;
  const [sheet, facts, models, disputes] = await Promise.all([
    getJson<PriceSheet>(api, apiPath('/v1/prices', { model: modelId, at, asOf, currency: sheetCurrency })),
    getJson<History>(api, apiPath('/v1/history', { model: modelId, asOf, includeSuperseded: showSuperseded ? 'true' : undefined })),
    getJson<Models>(api, apiPath('/v1/models', { provider })),
    getJson<{ data: unknown[] }>(api, apiPath('/v1/disagreements', { model: modelId, asOf })),
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
  const chartCurrencies = [...new Set([...currencies, ...CONVERTIBLE])].sort();
  const chartCurrency =
    wanted && (chartCurrencies.includes(wanted) || (wanted === ALL_CURRENCIES && currencies.length > 1)) ? wanted : currencies.includes('USD') ? 'USD' : (currencies[0] ?? '');
  // The chart dashes what is announced but not in effect at the knowledge time of the page.
  const chartNow = facts.ok ? facts.data.asOf : new Date(now).toISOString();

  const html = renderPage({
    title: meta?.name ?? modelId,
    page: 'model',
    charts: true,
    children: (
      <>
        <p class="crumbs">
          <a href="/">Overview</a> › <a href={`/?provider=${encodeURIComponent(provider)}`}>{provider}</a>
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

        <section aria-labelledby="sheet-h">
          <h2 id="sheet-h">
            Price sheet {sheet.ok ? <>at <Time iso={sheet.data.at} /></> : null}
          </h2>
          {sheet.ok ? (
            <>
              <StaleBanner sheet={sheet.data} now={now} />
              <SheetTable sheet={sheet.data} now={now} />
            </>
          ) : (
            <>
              <ProblemMessage problem={sheet.problem} heading={sheetCurrency ? `The sheet could not be shown in ${sheetCurrency}` : undefined} />
              {sheetCurrency ? (
                <p>
                  <a href={apiPath(modelHref(modelId), { at: at, asOf: asOf })}>Show the sheet as published</a>
                </p>
              ) : null}
            </>
          )}
        </section>

        <section aria-labelledby="disagreements-h">
          <h2 id="disagreements-h">Where sources disagree</h2>
          {disputes.ok ? <DisagreementsTable items={disagreementRows(disputes.data.data)} /> : <ProblemMessage problem={disputes.problem} />}
        </section>

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
            <select id="currency" name="currency" aria-describedby="chart-currency-hint">
              {chartCurrencies.map((c) => (
                <option value={c} selected={c === chartCurrency}>
                  {c}
                  {currencies.includes(c) ? '' : ' (converted, one axis)'}
                </option>
              ))}
              {currencies.length > 1 ? (
                <option value={ALL_CURRENCIES} selected={chartCurrency === ALL_CURRENCIES}>
                  {currencies.join(' and ')} as published (an axis each)
                </option>
              ) : null}
            </select>
            <small id="chart-currency-hint">Converted: the sheet at each price change, at that day’s ECB rate</small>
          </div>
          <div class="field">
            <label for="sheetCurrency">Sheet currency</label>
            <select id="sheetCurrency" name="sheetCurrency" aria-describedby="sheet-currency-hint">
              <option value="" selected={!sheetCurrency}>
                As published
              </option>
              {chartCurrencies.map((c) => (
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


        <section aria-labelledby="chart-h">
          <h2 id="chart-h">Over time</h2>
          <p class="muted small">
            Effective price per component over the model’s priced life (a promotion over the list price where one ran).{' '}
            <span class="legend-promo">Shaded</span>: promotion, with the list price dashed beneath. <span class="legend-dash">Dashed</span> after now: announced,
            not yet in effect.
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

/** Freshness of a line (GET /v1/prices; optional until every timeline carries it). */
type Fresh = { lastConfirmedAt?: string | null; stale?: boolean; staleReason?: { code: string; message: string } };
const freshOf = (p: PriceRow): Fresh => p as PriceRow & Fresh;

/** Nobody misses it: the stale lines of the sheet, each with the reason in words. */
const StaleBanner: FC<{ sheet: PriceSheet; now: number }> = ({ sheet, now }) => {
  const stale = [...sheet.prices].sort(byLine).filter((p) => freshOf(p).stale);
  if (stale.length === 0) return null;
  const reasons = new Map<string, string[]>();
  for (const p of stale) {
    const f = freshOf(p);
    const why = f.staleReason?.message ?? (f.lastConfirmedAt ? `last confirmed ${formatAge(f.lastConfirmedAt, now)}` : 'never confirmed by a source');
    const line = `${componentLabel(p.component)}${Object.keys(p.conditions ?? {}).length ? ` (${conditionsShort(p.conditions)})` : ''} ${p.currency}`;
    reasons.set(why, [...(reasons.get(why) ?? []), line]);
  }
  const all = stale.length === sheet.prices.length;
  return (
    <div class="stale-banner" id="stale-banner" role="note" aria-labelledby="stale-banner-h" data-stale-lines={String(stale.length)}>
      <h3 id="stale-banner-h">
        {all ? 'These prices may be out of date' : `${stale.length} of these ${sheet.prices.length} prices may be out of date`}
      </h3>
      <p>No source has confirmed them recently enough to call them current: check the provider’s page before relying on them.</p>
      <ul>
        {[...reasons.entries()].map(([why, lines]) => (
          <li>
            <strong>{lines.length > 3 ? `${lines.slice(0, 3).join(', ')} and ${lines.length - 3} more` : lines.join(', ')}</strong>: {why}
          </li>
        ))}
      </ul>
    </div>
  );
};

const SheetTable: FC<{ sheet: PriceSheet; now: number }> = ({ sheet, now }) => {
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
              <th scope="col">Confirmed</th>
              <th scope="col">Sources</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr data-component={p.component} data-currency={p.currency} data-kind={p.kind} data-stale={freshOf(p).stale ? 'true' : undefined}>
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
                <ConfirmedCell f={freshOf(p)} now={now} />
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

const ConfirmedCell: FC<{ f: Fresh; now: number }> = ({ f, now }) => {
  if (f.stale === undefined && !f.lastConfirmedAt) return <td data-label="Confirmed" class="muted">unknown</td>;
  return (
    <td data-label="Confirmed" class={f.stale ? 'fresh is-stale' : 'fresh'} title={f.staleReason?.message}>
      {f.lastConfirmedAt ? (
        <>
          last confirmed <time datetime={f.lastConfirmedAt}>{formatAge(f.lastConfirmedAt, now)}</time>
        </>
      ) : (
        'never confirmed'
      )}
      {f.stale ? (
        <>
          {' '}
          <span class="badge badge-stale">stale</span>
          {f.staleReason ? <div class="small">{f.staleReason.message}</div> : null}
        </>
      ) : null}
    </td>
  );
};

/** One source's value of a disputed line, whichever kind of disagreement listed it. */
interface DisagreementRow {
  line: string;
  currency: string;
  period: { from: string; to: string | null };
  source: string;
  effective: boolean;
  amount: number;
  since: string;
  note?: string;
  links: Array<{ url: string; title?: string }>;
}

type Side = { currency: string; conditions: PriceRow['conditions']; amount: number; validFrom: string };
type FxDisagreement = { kind: 'fx-stale'; component: string; at: string; changed: Side; stale: Side; impliedRate: number; referenceRate: number; rateDate: string; departurePct: number };
type CatalogDisagreement = {
  component: string;
  currency: string;
  conditions: PriceRow['conditions'];
  from: string;
  to: string | null;
  effective: string;
  values: Array<{ source: string; amount: number; since: string; sources?: Array<{ url: string; title?: string }> }>;
};

const lineName = (component: string, conditions: PriceRow['conditions']) =>
  `${componentLabel(component)}${Object.keys(conditions ?? {}).length ? ` (${conditionsShort(conditions)})` : ''}`;

/** GET /v1/disagreements entries as table rows: catalog values side by side, and the currency check's two sides. */
export function disagreementRows(items: unknown[]): DisagreementRow[] {
  const out: DisagreementRow[] = [];
  for (const item of items) {
    const d = item as Partial<FxDisagreement & CatalogDisagreement>;
    if (d.kind === 'fx-stale' && d.changed && d.stale) {
      const fx = d as FxDisagreement;
      const note = `the two lists imply ${fx.impliedRate} ${fx.stale.currency} per ${fx.changed.currency}, ${Math.abs(fx.departurePct)}% ${fx.departurePct < 0 ? 'below' : 'above'} the ECB reference rate ${fx.referenceRate} of ${fx.rateDate}`;
      for (const [side, role] of [
        [fx.changed, 'changed'],
        [fx.stale, 'did not change (suspect-stale)'],
      ] as const)
        out.push({
          line: lineName(fx.component, side.conditions),
          currency: side.currency,
          period: { from: fx.at, to: null },
          source: `${side.currency} list, ${role}`,
          effective: false,
          amount: side.amount,
          since: side.validFrom,
          note,
          links: [],
        });
    } else if (Array.isArray(d.values) && d.component && d.currency && d.from) {
      for (const v of d.values)
        out.push({
          line: lineName(d.component, d.conditions ?? {}),
          currency: d.currency,
          period: { from: d.from, to: d.to ?? null },
          source: v.source === 'provider' ? 'the provider’s own page' : v.source,
          effective: v.source === d.effective,
          amount: v.amount,
          since: v.since,
          links: v.sources ?? [],
        });
    }
  }
  return out;
}

const DisagreementsTable: FC<{ items: DisagreementRow[] }> = ({ items }) => {
  if (items.length === 0) return <p class="muted" id="no-disagreements">No two sources give different values for a price of this model.</p>;
  return (
    <>
      <p class="muted small">
        Each source’s value for the same line over the same period; the effective price is the best-ranked source’s (the provider’s own page first).
      </p>
      <TableWrap label="Disagreements">
        <table id="disagreements" class="stack">
          <caption>Prices of this model that sources state differently</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Period</th>
              <th scope="col">Source</th>
              <th scope="col" class="num">
                Value
              </th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr data-source={r.source} data-effective={r.effective ? 'true' : 'false'}>
                <th scope="row">{r.line}</th>
                <td data-label="Period">
                  <Time iso={r.period.from} /> → {r.period.to ? <Time iso={r.period.to} /> : 'open'}
                </td>
                <td data-label="Source">
                  {r.links.length ? (
                    <a href={safeHref(r.links[0].url)} rel="noopener noreferrer">
                      {r.source}
                    </a>
                  ) : (
                    r.source
                  )}
                  {r.effective ? (
                    <>
                      {' '}
                      <span class="badge badge-cut">effective</span>
                    </>
                  ) : null}
                  {r.note ? <div class="muted small">{r.note}</div> : null}
                </td>
                <td class="num" data-label="Value" data-amount={String(r.amount)}>
                  {formatAmount(r.amount)} {r.currency}
                </td>
                <td data-label="Since">
                  <Time iso={r.since} />
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
