// Model page: one step chart per component from /v1/history over the model's priced life, in the
// chosen currency (or every currency as published, each on its own y axis: CNY beside USD). A
// currency the model does not publish is drawn on one axis from the API's conversion: the sheet
// at every instant a price changes (GET /v1/prices?at=&currency=), each at that day's ECB rate.
// Each price line (one set of conditions) is a series of effective prices (promo over list), with
// the list price dashed beneath while a promotion runs; promotions are shaded; segments that start
// after the page's knowledge time (announced, not yet in effect) are dashed. A log-scale toggle
// (kept in the URL) lets a 0.003625 cache price read next to a 12 output price, and each chart's
// data downloads as CSV. The currency selector redraws in place and keeps the choice in the URL.
import { getJson, withQuery } from './api.js';
import { h, setUrlParams, showProblem } from './dom.js';
import { compareComponents, componentLabel, conditionsKey, conditionsShort, formatAmount, formatInstant } from './format.js';
import { chartCsv, chartEnd, downloadLink, drawStepChart, PALETTE } from './step-chart.js';

const FUTURE_DASH = [6, 4];
const LIST_DASH = [2, 3];
const ALL = 'ALL';

export async function init() {
  const root = document.getElementById('charts');
  if (!root) return;
  const select = document.getElementById('currency');
  const nowMs = Date.parse(root.dataset.now) || Date.now();
  let history;
  try {
    history = await getJson(withQuery('/v1/history', { model: root.dataset.model, asOf: root.dataset.asOf }));
  } catch (err) {
    showProblem(root, err, 'The price history could not be loaded');
    return;
  }
  const charts = [];
  // The log toggle: only with JavaScript (the charts are drawn here), so it is made here.
  const log = h('input', { type: 'checkbox', id: 'log-scale' });
  log.checked = new URL(location.href).searchParams.get('scale') === 'log';
  const toolbar = h('div', { class: 'chart-toolbar' }, h('label', { class: 'check' }, log, ' Logarithmic price axis'));
  root.before(toolbar);
  const draw = () => {
    const currency = select?.value || root.dataset.currency;
    for (const c of charts.splice(0)) c.destroy();
    root.replaceChildren();
    root.dataset.currency = currency;
    root.dataset.scale = log.checked ? 'log' : 'linear';
    const published = new Set(history.facts.map((f) => f.currency));
    if (currency !== ALL && !published.has(currency)) {
      drawConverted(currency).catch((err) => showProblem(root, err, `The ${currency} chart could not be drawn`));
      return;
    }
    const facts = currency === ALL ? history.facts : history.facts.filter((f) => f.currency === currency);
    if (facts.length === 0) {
      root.append(h('p', { class: 'notice' }, `No ${currency} prices are known for this model.`));
      return;
    }
    for (const [component, rows] of byComponent(facts)) root.append(componentChart(component, rows, currency, nowMs, charts, log.checked, root.dataset.model));
  };
  // Converted: the sheet in `currency` at each instant a published price changes, as facts that
  // hold until the next one (kept per currency: a redraw for the log toggle asks nothing again).
  const convertedFacts = new Map();
  const drawConverted = async (currency) => {
    root.dataset.converted = 'loading';
    if (!convertedFacts.has(currency)) convertedFacts.set(currency, sheetsOverTime(history.facts, currency, root.dataset.model, root.dataset.asOf, nowMs));
    const { facts, problems, instants } = await convertedFacts.get(currency);
    if ((select?.value || root.dataset.currency) !== currency) return;
    root.replaceChildren();
    root.dataset.converted = String(instants);
    if (problems.length) {
      const first = problems[0];
      root.append(
        h(
          'div',
          { class: 'notice', role: 'status', id: 'conversion-gaps' },
          h('p', {}, `${problems.length} of ${instants} instants could not be converted to ${currency} (gaps in the chart): ${first.message}${problems.length > 1 ? ` (and the like on ${problems.slice(1, 4).map((p) => p.at.slice(0, 10)).join(', ')}${problems.length > 4 ? '…' : ''})` : ''}.`),
        ),
      );
    }
    if (facts.length === 0) {
      root.append(h('p', { class: 'notice' }, `No ${currency} conversion of this model’s prices could be drawn.`));
      return;
    }
    for (const [component, rows] of byComponent(facts)) root.append(componentChart(component, rows, currency, nowMs, charts, log.checked, root.dataset.model));
  };
  select?.addEventListener('change', () => {
    setUrlParams({ currency: select.value });
    draw();
  });
  log.addEventListener('change', () => {
    setUrlParams({ scale: log.checked ? 'log' : '' });
    draw();
  });
  draw();
}

/** At most this many instants are asked for a converted chart (each is one GET /v1/prices). */
const MAX_CONVERTED = 60;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * The model's sheet in `currency` at every instant one of its prices changes (the last ones when
 * there are many) and every week between, as facts valid until the next instant: what the chart draws for a currency the
 * provider does not publish. An instant the API cannot convert (no rate that day) is a gap.
 */
async function sheetsOverTime(allFacts, currency, model, asOf, nowMs) {
  const cuts = [...new Set(allFacts.flatMap((f) => [ms(f.validFrom), ...(f.validTo ? [ms(f.validTo)] : [])]))].sort((a, b) => a - b);
  // The rate moves between price changes too: a sample every week as well (the latest ones kept).
  const weekly = [];
  for (let t = cuts[0] + WEEK; t < Math.min(nowMs, cuts[cuts.length - 1] + 400 * DAY) && weekly.length < 200; t += WEEK) weekly.push(t);
  const instants = [...new Set([...cuts, ...weekly])].sort((a, b) => a - b).slice(-MAX_CONVERTED);
  const answers = await Promise.all(
    instants.map((t) =>
      getJson(withQuery('/v1/prices', { model, at: new Date(t).toISOString(), asOf, currency })).then(
        (sheet) => ({ t, sheet }),
        (err) => ({ t, problem: err?.problem ?? { detail: String(err) } }),
      ),
    ),
  );
  const facts = [];
  const problems = [];
  answers.forEach((a, k) => {
    if (a.problem) {
      problems.push({ at: new Date(a.t).toISOString(), message: a.problem.detail ?? a.problem.title ?? 'not converted' });
      return;
    }
    const to = k + 1 < instants.length ? new Date(instants[k + 1]).toISOString() : null;
    for (const p of a.sheet.prices) {
      const base = { component: p.component, unit: p.unit, currency: p.currency, conditions: p.conditions, validFrom: new Date(a.t).toISOString(), validTo: to, rate: p.rate, rateDate: p.rateDate, convertedFrom: p.convertedFrom };
      facts.push({ ...base, kind: p.kind, amount: p.amount });
      if (p.kind === 'promo' && p.listAmount !== null && p.listAmount !== undefined) facts.push({ ...base, kind: 'list', amount: p.listAmount });
    }
  });
  return { facts, problems, instants: instants.length };
}

function byComponent(facts) {
  const groups = new Map();
  for (const f of facts) {
    if (!groups.has(f.component)) groups.set(f.component, []);
    groups.get(f.component).push(f);
  }
  return [...groups.entries()].sort((a, b) => compareComponents(a[0], b[0]));
}

const ms = (iso) => Date.parse(iso);
const covers = (f, t) => ms(f.validFrom) <= t && (f.validTo === null || t < ms(f.validTo));

/** One figure: the component's lines over time, its promotions and its announced segments. */
function componentChart(component, facts, currency, nowMs, charts, logScale, model) {
  const unit = facts[0].unit;
  const currencies = [...new Set(facts.map((f) => f.currency))].sort((a, b) => (a === 'USD' ? -1 : b === 'USD' ? 1 : a.localeCompare(b)));
  const several = currencies.length > 1;
  // Every instant a line of this component changes; the last step runs on to the end of the chart.
  const cuts = [...new Set(facts.flatMap((f) => [ms(f.validFrom), ...(f.validTo ? [ms(f.validTo)] : [])]))].sort((a, b) => a - b);
  const end = chartEnd(cuts[0] / 1000, cuts[cuts.length - 1] / 1000, nowMs / 1000) * 1000;
  const xsMs = [...cuts, end];

  const lines = new Map();
  for (const f of facts) {
    const key = `${f.currency} ${conditionsKey(f.conditions)}`;
    if (!lines.has(key)) lines.set(key, { conditions: f.conditions, currency: f.currency, facts: [] });
    lines.get(key).facts.push(f);
  }
  const ordered = [...lines.values()].sort(
    (a, b) => currencies.indexOf(a.currency) - currencies.indexOf(b.currency) || (conditionsKey(a.conditions) < conditionsKey(b.conditions) ? -1 : 1),
  );

  const series = [];
  const promoAt = new Array(xsMs.length).fill(false);
  const notes = [];
  let futureSegments = 0;
  ordered.forEach((line, i) => {
    const color = PALETTE[i % PALETTE.length];
    const label = several ? `${conditionsShort(line.conditions)} · ${line.currency}` : conditionsShort(line.conditions);
    const scale = line.currency === currencies[0] ? 'y' : line.currency;
    const listUnder = [];
    // Effective price on [xs[k], xs[k+1]): the promotion in force, else the list price. The
    // segments that start after now go to a dashed twin series.
    const past = [];
    const future = [];
    xsMs.forEach((t, k) => {
      if (k === xsMs.length - 1) {
        past.push(null);
        future.push(null);
        return;
      }
      const promo = line.facts.find((f) => f.kind === 'promo' && covers(f, t));
      const list = line.facts.find((f) => f.kind === 'list' && covers(f, t));
      const value = promo ? promo.amount : list ? list.amount : null;
      if (promo) promoAt[k] = true;
      // Under a promotion, the list price it replaces (dashed, same colour).
      listUnder.push(promo && list ? list.amount : null);
      const isFuture = t > nowMs;
      if (isFuture && value !== null) futureSegments++;
      past.push(isFuture ? null : value);
      future.push(isFuture ? value : null);
    });
    listUnder.push(null);
    series.push({ label, values: past, color, scale });
    if (future.some((v) => v !== null)) series.push({ label: `${label} (announced)`, values: future, color, dash: FUTURE_DASH, legend: false, scale });
    if (listUnder.some((v) => v !== null)) series.push({ label: `${label}: list price`, values: listUnder, color, dash: LIST_DASH, legend: false, scale, list: true });

    for (const f of line.facts) {
      if (f.kind !== 'promo') continue;
      const listFact = line.facts.find((l) => l.kind === 'list' && covers(l, ms(f.validFrom)));
      notes.push(
        `Promotion ${formatInstant(f.validFrom)} → ${f.validTo ? formatInstant(f.validTo) : 'open'} (${label}): ${formatAmount(f.amount)}${listFact ? ` instead of ${formatAmount(listFact.amount)}` : ''}`,
      );
    }
    for (const f of line.facts) {
      if (ms(f.validFrom) > nowMs) notes.push(`Announced${f.announcedAt ? ` ${formatInstant(f.announcedAt)}` : ''}: ${label} ${formatAmount(f.amount)} from ${formatInstant(f.validFrom)}`);
    }
  });

  if (facts.some((f) => f.rateDate)) {
    const rates = [...new Map(facts.filter((f) => f.rateDate).map((f) => [f.rateDate, f.rate])).entries()].sort((x, y) => x[0].localeCompare(y[0]));
    const from = facts.find((f) => f.convertedFrom)?.convertedFrom;
    notes.push(`ECB reference rates used (${currencies[0]} per ${from}): ${rates.map(([d, r]) => `${r} of ${d}`).join(', ')}`);
  }
  const bands = [];
  for (let k = 0; k < xsMs.length - 1; k++) {
    if (!promoAt[k]) continue;
    const from = xsMs[k] / 1000;
    const to = xsMs[k + 1] / 1000;
    const prev = bands[bands.length - 1];
    if (prev && prev.to === from) prev.to = to;
    else bands.push({ from, to, title: '' });
  }
  for (const b of bands) b.title = `Promotion ${formatInstant(new Date(b.from * 1000).toISOString())} → ${formatInstant(new Date(b.to * 1000).toISOString())}`;

  const converted = facts.find((f) => f.rateDate);
  const title = `${componentLabel(component)}, ${currencies.join(' and ')} per ${unit}${converted ? ` (converted from ${facts.find((f) => f.rate)?.convertedFrom ?? 'the published currency'} at the ECB reference rate of each step’s day)` : ''}`;
  const listLines = series.filter((x) => x.list).length;
  const notesId = `notes-${component}`;
  const box = h('div', { class: 'chart-box' });
  const figure = h(
    'figure',
    {
      class: 'chart',
      dataset: {
        component,
        currency: currencies.join(' '),
        promoBands: String(bands.length),
        futureSegments: String(futureSegments),
        lines: String(ordered.length),
        listLines: String(listLines),
        axes: String(currencies.length),
      },
      'aria-describedby': notes.length ? notesId : undefined,
    },
    h('figcaption', {}, title),
    box,
    notes.length ? h('ul', { class: 'chart-notes', id: notesId }, notes.map((n) => h('li', {}, n))) : null,
    h('p', { class: 'chart-foot' }, downloadLink(chartCsv(xsMs.map((t) => t / 1000), series, `${currencies.join('/')} per ${unit}`), `${String(model).replace(/\//g, '_')}-${component}-${currencies.join('-')}.csv`, `Download this chart’s data (CSV)`)),
  );
  // Drawn once the figure is in the page, so the chart takes the box's width.
  queueMicrotask(() => {
    try {
      const chart = drawStepChart(box, {
        xs: xsMs.map((t) => t / 1000),
        series,
        bands,
        markers: [{ x: nowMs / 1000, label: `now (${formatInstant(new Date(nowMs).toISOString())})` }],
        format: formatAmount,
        log: logScale,
        axisLabels: several ? Object.fromEntries(currencies.map((c, i) => [i === 0 ? 'y' : c, c])) : undefined,
      });
      charts.push(chart);
    } catch (err) {
      showProblem(box, err, 'The chart could not be drawn');
    }
  });
  return figure;
}
