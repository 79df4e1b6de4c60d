// Compare / calculator: a workload (input tokens per request, cache-hit rate, output tokens,
// requests per day) priced on several models. Every figure is a POST /v1/quote answer: one quote
// at the chosen date for the table, and one per instant a price of these models changed for the
// chart (all models in one body per instant). The form's state lives in the URL.
import { ApiProblem, getJson, postJson } from './api.js';
import { h, setUrlParams, showProblem } from './dom.js';
import { componentLabel, conditionsShort, formatInstant, formatMoney, modelHref, problemText } from './format.js';
import { chartEnd, drawStepChart, PALETTE } from './step-chart.js';

const MAX_MODELS = 8;
/** At most this many instants on the chart (each is one quote request). */
const MAX_POINTS = 40;
const CONCURRENCY = 4;
const DAYS_PER_MONTH = 30;

const $ = (id) => document.getElementById(id);

export function init() {
  const form = $('calc');
  if (!form) return;
  const calc = new Calculator(form);
  calc.run();
}

class Calculator {
  constructor(form) {
    this.form = form;
    this.histories = new Map(); // model → Promise<history | ApiProblem>
    this.generation = 0;
    this.timer = 0;
    this.chart = null;
    this.models = $('models').value.split(',').map((s) => s.trim()).filter(Boolean);
    this.wireControls();
  }

  wireControls() {
    const soon = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), 250);
    };
    for (const id of ['input', 'output', 'rpd', 'at']) $(id).addEventListener('input', soon);
    $('hit').addEventListener('input', () => {
      $('hit-out').textContent = `${$('hit').value}%`;
      soon();
    });
    $('currency').addEventListener('change', () => this.run());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.run();
    });
    $('chosen-models').addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-remove]');
      if (!btn) return;
      this.models = this.models.filter((m) => m !== btn.dataset.remove);
      this.renderChips();
      $('add-model').focus();
      this.run();
    });
    const add = () => {
      const id = $('add-model').value.trim().toLowerCase();
      if (!id) return;
      if (!this.models.includes(id)) {
        if (this.models.length >= MAX_MODELS) {
          $('calc-status').textContent = `At most ${MAX_MODELS} models at once.`;
          return;
        }
        this.models.push(id);
        this.renderChips();
      }
      $('add-model').value = '';
      this.run();
    };
    $('add-model-btn').addEventListener('click', add);
    $('add-model').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        add();
      }
    });
  }

  renderChips() {
    $('models').value = this.models.join(',');
    $('chosen-models').replaceChildren(
      ...this.models.map((m) =>
        h(
          'li',
          { dataset: { model: m } },
          h('a', { href: modelHref(m) }, m),
          h('button', { type: 'button', class: 'chip-remove', dataset: { remove: m }, 'aria-label': `Remove ${m}` }, '×'),
        ),
      ),
    );
  }

  /** The workload in the form, or a sentence saying what is missing. */
  readWorkload() {
    const whole = (id, min) => {
      const v = Number($(id).value);
      return $(id).value !== '' && Number.isInteger(v) && v >= min ? v : null;
    };
    const input = whole('input', 0);
    const output = whole('output', 0);
    const rpd = whole('rpd', 1);
    const hitPct = Number($('hit').value);
    const at = $('at').value;
    if (input === null) return { error: 'Enter the input tokens per request (a whole number).' };
    if (output === null) return { error: 'Enter the output tokens per request (a whole number).' };
    if (rpd === null) return { error: 'Enter the requests per day (a whole number, at least 1).' };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(at)) return { error: 'Pick a date.' };
    return { input, output, rpd, hit: hitPct / 100, at };
  }

  history(model) {
    if (!this.histories.has(model)) {
      this.histories.set(
        model,
        getJson(`/v1/history?model=${encodeURIComponent(model)}`).catch((err) => (err instanceof ApiProblem ? err : new ApiProblem({ title: 'Error', detail: String(err) }))),
      );
    }
    return this.histories.get(model);
  }

  async run() {
    const gen = ++this.generation;
    const stale = () => gen !== this.generation;
    const status = $('calc-status');
    const errorBox = $('calc-error');
    errorBox.replaceChildren();
    const w = this.readWorkload();
    if (w.error) {
      status.textContent = w.error;
      return;
    }
    if (this.models.length === 0) {
      status.textContent = 'Add a model to price the workload.';
      $('quote-results').replaceChildren();
      this.chart?.destroy();
      this.chart = null;
      $('over-time').replaceChildren();
      return;
    }
    const currencySelect = $('currency');
    setUrlParams({ models: this.models.join(','), input: w.input, hit: w.hit, output: w.output, rpd: w.rpd, at: w.at, currency: currencySelect.value });
    status.textContent = 'Asking the quote API…';

    try {
      const histories = await Promise.all(this.models.map((m) => this.history(m)));
      if (stale()) return;
      const known = new Map();
      const unknown = new Map();
      this.models.forEach((m, i) => (histories[i] instanceof ApiProblem ? unknown.set(m, histories[i]) : known.set(m, histories[i])));
      const currency = this.pickCurrency(known, currencySelect);
      const usage = { inputTokens: w.input, cacheReadTokens: Math.round(w.input * w.hit), outputTokens: w.output };
      const body = (models, at) => ({ models, at, currency, requests: w.rpd, usage });

      const atIso = `${w.at}T00:00:00Z`;
      const quotes = await this.quoteEach([...known.keys()], (models) => body(models, atIso));
      if (stale()) return;
      for (const [m, p] of unknown) quotes.set(m, p);
      this.renderTable(w, currency, atIso, quotes);
      status.textContent = `Priced ${known.size} model${known.size === 1 ? '' : 's'} at ${formatInstant(atIso)} in ${currency}; drawing the history…`;

      const points = await this.overTime([...known.entries()], currency, body);
      if (stale()) return;
      this.renderOverTime(points, currency, Date.parse(atIso));
      status.textContent = `Priced at ${formatInstant(atIso)} in ${currency}, and at ${points.xs.length} instants over time.`;
    } catch (err) {
      if (stale()) return;
      status.textContent = '';
      showProblem(errorBox, err);
    }
  }

  /** Options: the currencies the models publish; automatic = one they all share (USD first). */
  pickCurrency(known, select) {
    const sets = [...known.values()].map((h) => new Set(h.facts.map((f) => f.currency)));
    const all = [...new Set(sets.flatMap((s) => [...s]))].sort();
    const shared = all.filter((c) => sets.every((s) => s.has(c)));
    const auto = shared.includes('USD') ? 'USD' : (shared[0] ?? (all.includes('USD') ? 'USD' : (all[0] ?? 'USD')));
    const chosen = select.value || select.dataset.value || '';
    // Any of these can be asked for: a model that does not publish it is converted at the ECB rate of the day (shown per line).
    const options = [...new Set([...all, ...CONVERTIBLE, ...(chosen ? [chosen] : [])])].sort();
    select.replaceChildren(h('option', { value: '' }, `Automatic (${auto})`), ...options.map((c) => h('option', { value: c }, c)));
    select.value = chosen;
    select.dataset.value = '';
    return chosen || auto;
  }

  /**
   * Quotes several models in one request; if the API refuses the batch (e.g. one model has no
   * price in that currency), asks per model so each row shows its own answer.
   * @returns Map model → quote | ApiProblem
   */
  async quoteEach(models, makeBody) {
    const out = new Map();
    if (models.length === 0) return out;
    try {
      const res = await postJson('/v1/quote', makeBody(models));
      models.forEach((m, i) => out.set(m, res.quotes.find((q) => (q.requested ?? q.model) === m) ?? res.quotes[i]));
      return out;
    } catch (err) {
      // Only a refusal about the request itself is worth splitting; the rest is shown as is.
      const s = err instanceof ApiProblem ? err.problem.status : 0;
      if (s < 400 || s === 429 || s >= 500) throw err;
      if (models.length === 1) {
        out.set(models[0], err);
        return out;
      }
    }
    for (const m of models) {
      try {
        const res = await postJson('/v1/quote', makeBody([m]));
        out.set(m, res.quotes[0]);
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        out.set(m, err);
      }
    }
    return out;
  }

  /** Daily cost of each model at every instant one of their prices changed (in this currency). */
  async overTime(known, currency, makeBody) {
    // A model that does not publish this currency is drawn from its own change instants, each
    // quoted (and so converted) at the ECB rate of that day; instants without a rate stay gaps.
    const facts = new Map(
      known.map(([m, h]) => {
        const own = h.facts.filter((f) => f.currency === currency);
        return [m, own.length ? own : h.facts];
      }),
    );
    let instants = [...new Set([...facts.values()].flat().flatMap((f) => [Date.parse(f.validFrom), ...(f.validTo ? [Date.parse(f.validTo)] : [])]))].sort((a, b) => a - b);
    if (instants.length > MAX_POINTS) {
      const step = (instants.length - 1) / (MAX_POINTS - 1);
      instants = [...new Set(Array.from({ length: MAX_POINTS }, (_, i) => instants[Math.round(i * step)]))];
    }
    // Only the models with a price at an instant are asked about it.
    const priced = (m, t) => facts.get(m).some((f) => Date.parse(f.validFrom) <= t && (f.validTo === null || t < Date.parse(f.validTo)));
    const results = new Array(instants.length);
    let next = 0;
    const worker = async () => {
      while (next < instants.length) {
        const i = next++;
        const t = instants[i];
        const models = known.map(([m]) => m).filter((m) => priced(m, t));
        results[i] = await this.quoteEach(models, (ms) => makeBody(ms, new Date(t).toISOString()));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, instants.length) }, worker));
    const series = known.map(([m]) => ({
      model: m,
      values: instants.map((_, i) => {
        const q = results[i].get(m);
        return q && !(q instanceof ApiProblem) ? q.total : null;
      }),
    }));
    return { xs: instants, series };
  }

  renderTable(w, currency, atIso, quotes) {
    const cached = Math.round(w.input * w.hit);
    const caption = `Cost at ${formatInstant(atIso)} in ${currency}: ${w.input.toLocaleString('en-US')} input tokens per request (${Math.round(w.hit * 100)}% = ${cached.toLocaleString('en-US')} from the cache), ${w.output.toLocaleString('en-US')} output tokens, ${w.rpd.toLocaleString('en-US')} requests a day`;
    const rows = this.models.map((m) => {
      const q = quotes.get(m);
      const name = h('th', { scope: 'row' }, h('a', { href: modelHref(m) }, m));
      if (!q || q instanceof ApiProblem) {
        return h('tr', { dataset: { model: m, error: 'true' } }, name, h('td', { colspan: '4', class: 'row-error' }, problemText(q?.problem ?? 'no answer')));
      }
      return h(
        'tr',
        { dataset: { model: m } },
        name,
        h('td', { class: 'num', 'data-label': 'Per request' }, formatMoney(q.total / w.rpd, q.currency)),
        h('td', { class: 'num quote-total', 'data-label': 'Per day', dataset: { total: String(q.total), currency: q.currency } }, formatMoney(q.total, q.currency)),
        h('td', { class: 'num', 'data-label': `Per ${DAYS_PER_MONTH} days` }, formatMoney(q.total * DAYS_PER_MONTH, q.currency)),
        h('td', {}, breakdown(q)),
      );
    });
    $('quote-results').replaceChildren(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-label': 'Cost per model', tabindex: '0' },
        h(
          'table',
          { id: 'quote-table', class: 'stack' },
          h('caption', {}, caption),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Model'),
              h('th', { scope: 'col', class: 'num' }, 'Per request'),
              h('th', { scope: 'col', class: 'num' }, 'Per day'),
              h('th', { scope: 'col', class: 'num' }, `Per ${DAYS_PER_MONTH} days`),
              h('th', { scope: 'col' }, 'Breakdown (per day)'),
            ),
          ),
          h('tbody', {}, rows),
        ),
      ),
    );
  }

  renderOverTime(points, currency, atMs) {
    const box = $('over-time');
    this.chart?.destroy();
    this.chart = null;
    box.replaceChildren();
    const drawn = points.series.filter((s) => s.values.some((v) => v !== null));
    if (points.xs.length === 0 || drawn.length === 0) {
      box.append(h('p', { class: 'notice' }, `No ${currency} prices over time for these models.`));
      return;
    }
    const nowS = Date.now() / 1000;
    const end = chartEnd(points.xs[0] / 1000, points.xs[points.xs.length - 1] / 1000, nowS);
    const xs = [...points.xs.map((t) => t / 1000), end];
    // The last known cost holds to the end of the chart.
    const series = drawn.map((s, i) => ({ label: s.model, color: PALETTE[i % PALETTE.length], values: [...s.values, s.values[s.values.length - 1]] }));
    const chartBox = h('div', { class: 'chart-box' });
    const figure = h(
      'figure',
      { class: 'chart', id: 'cost-chart', dataset: { points: String(points.xs.length), currency } },
      h('figcaption', {}, `Daily cost in ${currency}`),
      chartBox,
      dataTable(points, currency),
    );
    box.append(figure);
    this.chart = drawStepChart(chartBox, {
      xs,
      series,
      markers: [{ x: atMs / 1000, label: `quoted date (${formatInstant(new Date(atMs).toISOString())})` }],
      format: (v) => formatMoney(v, '').trim(),
      height: 260,
    });
  }
}

function breakdown(q) {
  return h(
    'details',
    { class: 'breakdown' },
    h('summary', {}, `${q.lines.length} line${q.lines.length === 1 ? '' : 's'}`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Component'), h('th', { scope: 'col', class: 'num' }, 'Tokens'), h('th', { scope: 'col', class: 'num' }, 'Unit price'), h('th', { scope: 'col', class: 'num' }, 'Cost')),
      ),
      h(
        'tbody',
        {},
        q.lines.map((l) =>
          h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row' },
              componentLabel(l.component),
              l.conditions ? h('span', { class: 'muted small' }, ` (${conditionsShort(l.conditions)})`) : null,
              l.note ? h('div', { class: 'muted small' }, l.note) : null,
              l.convertedFrom ? h('div', { class: 'muted small converted' }, convertedText(l, q.currency)) : null,
            ),
            h('td', { class: 'num' }, l.tokens.toLocaleString('en-US')),
            h('td', { class: 'num' }, `${formatMoney(l.unitPrice, q.currency)} / ${l.unit}`),
            h('td', { class: 'num' }, formatMoney(l.cost, q.currency)),
          ),
        ),
      ),
    ),
  );
}

/** Currencies offered besides the published ones (converted where a model does not publish them). */
const CONVERTIBLE = ['CNY', 'EUR', 'USD'];

/** "converted from 3 CNY at 0.1463665176 (ECB reference rate of 2026-04-13)". */
export function convertedText(l, currency) {
  return `converted from ${l.originalAmount} ${l.convertedFrom} at ${l.rate} ${currency}/${l.convertedFrom} (ECB reference rate of ${l.rateDate})`;
}

/** The chart's figures as a table (for screen readers and for copying). */
function dataTable(points, currency) {
  return h(
    'details',
    {},
    h('summary', {}, 'The figures of this chart'),
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-label': 'Daily cost over time', tabindex: '0' },
      h(
        'table',
        { id: 'over-time-table' },
        h('caption', {}, `Daily cost in ${currency}, from each instant on`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'From'), points.series.map((s) => h('th', { scope: 'col', class: 'num' }, s.model)))),
        h(
          'tbody',
          {},
          points.xs.map((t, i) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, formatInstant(new Date(t).toISOString())),
              points.series.map((s) => h('td', { class: 'num' }, s.values[i] === null ? '—' : formatMoney(s.values[i], currency))),
            ),
          ),
        ),
      ),
    ),
  );
}
