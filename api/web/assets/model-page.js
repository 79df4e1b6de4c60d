// Model page: one step chart per component from /v1/history, in the chosen currency. Each price
// line (one set of conditions) is a series of effective prices (promo over list); promotions are
// shaded; segments that start after the page's knowledge time (announced, not yet in effect) are
// dashed. The currency selector redraws in place and keeps the choice in the URL.
import { getJson, withQuery } from './api.js';
import { h, setUrlParams, showProblem } from './dom.js';
import { compareComponents, componentLabel, conditionsKey, conditionsShort, formatAmount, formatInstant } from './format.js';
import { chartEnd, drawStepChart, PALETTE } from './step-chart.js';

const FUTURE_DASH = [6, 4];

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
  const draw = () => {
    const currency = select?.value || root.dataset.currency;
    for (const c of charts.splice(0)) c.destroy();
    root.replaceChildren();
    root.dataset.currency = currency;
    const facts = history.facts.filter((f) => f.currency === currency);
    if (facts.length === 0) {
      root.append(h('p', { class: 'notice' }, `No ${currency} prices are known for this model.`));
      return;
    }
    for (const [component, rows] of byComponent(facts)) root.append(componentChart(component, rows, currency, nowMs, charts));
  };
  select?.addEventListener('change', () => {
    setUrlParams({ currency: select.value });
    draw();
  });
  draw();
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
function componentChart(component, facts, currency, nowMs, charts) {
  const unit = facts[0].unit;
  // Every instant a line of this component changes; the last step runs on to the end of the chart.
  const cuts = [...new Set(facts.flatMap((f) => [ms(f.validFrom), ...(f.validTo ? [ms(f.validTo)] : [])]))].sort((a, b) => a - b);
  const end = chartEnd(cuts[0] / 1000, cuts[cuts.length - 1] / 1000, nowMs / 1000) * 1000;
  const xsMs = [...cuts, end];

  const lines = new Map();
  for (const f of facts) {
    const key = conditionsKey(f.conditions);
    if (!lines.has(key)) lines.set(key, { conditions: f.conditions, facts: [] });
    lines.get(key).facts.push(f);
  }
  const ordered = [...lines.values()].sort((a, b) => (conditionsKey(a.conditions) < conditionsKey(b.conditions) ? -1 : 1));

  const series = [];
  const promoAt = new Array(xsMs.length).fill(false);
  const notes = [];
  let futureSegments = 0;
  ordered.forEach((line, i) => {
    const color = PALETTE[i % PALETTE.length];
    const label = conditionsShort(line.conditions);
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
      const isFuture = t > nowMs;
      if (isFuture && value !== null) futureSegments++;
      past.push(isFuture ? null : value);
      future.push(isFuture ? value : null);
    });
    series.push({ label, values: past, color });
    if (future.some((v) => v !== null)) series.push({ label: `${label} (announced)`, values: future, color, dash: FUTURE_DASH, legend: false });

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

  const title = `${componentLabel(component)}, ${currency} per ${unit}`;
  const notesId = `notes-${component}`;
  const box = h('div', { class: 'chart-box' });
  const figure = h(
    'figure',
    {
      class: 'chart',
      dataset: { component, currency, promoBands: String(bands.length), futureSegments: String(futureSegments), lines: String(ordered.length) },
      'aria-describedby': notes.length ? notesId : undefined,
    },
    h('figcaption', {}, title),
    box,
    notes.length ? h('ul', { class: 'chart-notes', id: notesId }, notes.map((n) => h('li', {}, n))) : null,
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
      });
      charts.push(chart);
    } catch (err) {
      showProblem(box, err, 'The chart could not be drawn');
    }
  });
  return figure;
}
