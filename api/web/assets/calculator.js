// Compare / calculator: a workload (input tokens per request, cache-hit rate, cache writes, output
// tokens, requests per day spread over the day, service tier, cache TTL) priced on several models,
// and an uploaded usage log priced row by row. Every figure is a sum of POST /v1/quote answers for
// timed requests (workload.js builds them), added up exactly (decimal.js): the table at the chosen
// day, the chart at every day a price of these models changed. The form's state lives in the URL.
import Decimal from './decimal.mjs';
import { ApiProblem, getJson, postJson, withQuery } from './api.js';
import { h, setUrlParams, showProblem } from './dom.js';
import { componentLabel, conditionsShort, formatInstant, formatMoney, isoDate, modelHref, problemText } from './format.js';
import { matchesQuery, modelIdsIn } from './price-table.js';
import { chartCsv, chartEnd, downloadLink, drawStepChart, PALETTE } from './step-chart.js';
import { dayGroups, localModelFor, parseProfile, parseUsageLog, slotCounts, slotWeights } from './workload.js';

const MAX_MODELS = 8;
/** At most this many instants on the chart (each is one quote request). */
const MAX_POINTS = 40;
/** Quote requests the chart may make for one drawing (points × request-count groups). */
const CHART_BUDGET = 160;
const CONCURRENCY = 4;
const DAYS_PER_MONTH = 30;
/** Logged requests per quote body (the API takes up to 10,000 model × request pairs). */
const LOG_CHUNK = 5000;

const $ = (id) => document.getElementById(id);

export function init() {
  const form = $('calc');
  if (!form) return;
  const calc = new Calculator(form);
  calc.run();
  wireUsageLog(form);
}

/**
 * The quote's stale warnings for one model (the response's `warnings`, and a quote's own where
 * it carries them): the lines whose prices no source confirmed recently, with the API's words.
 */
export function warningsFor(res, q, model) {
  const all = [...(Array.isArray(res?.warnings) ? res.warnings : []), ...(Array.isArray(q?.warnings) ? q.warnings : [])];
  return dedupeWarnings(all.filter((w) => w && (!w.model || w.model === model || w.model === q?.model || w.model === q?.requested)));
}

function dedupeWarnings(list) {
  const seen = new Map();
  for (const w of list) seen.set(JSON.stringify([w.code, w.model, w.component, w.currency, w.conditions ?? null, w.lastConfirmedAt ?? null]), w);
  return [...seen.values()];
}

/** One warning in words: the API's own sentence (it names the model and line), else built from the fields. */
function warningText(w) {
  if (w.message) return w.message;
  const cond = w.conditions && Object.keys(w.conditions).length ? ` (${conditionsShort(w.conditions)})` : '';
  return `${w.model ? `${w.model} ` : ''}${componentLabel(w.component ?? '')}${cond}${w.currency ? ` ${w.currency}` : ''}: stale${w.lastConfirmedAt ? `, last confirmed ${w.lastConfirmedAt.slice(0, 10)}` : ''}`;
}

/** The banner over a result table: every stale line a figure used, nobody can miss it. */
function staleBanner(id, warnings) {
  if (warnings.length === 0) return '';
  return h(
    'div',
    { class: 'stale-banner', id, role: 'note', dataset: { warnings: String(warnings.length) } },
    h('h3', {}, `${warnings.length} price ${warnings.length === 1 ? 'line' : 'lines'} used here may be out of date`),
    h('p', {}, 'The quote API flagged them stale: no source has confirmed them recently. Check the provider’s page before relying on these totals.'),
    h('ul', {}, warnings.slice(0, 12).map((w) => h('li', {}, warningText(w)))),
    warnings.length > 12 ? h('p', { class: 'small' }, `and ${warnings.length - 12} more`) : '',
  );
}

function staleBadge(q) {
  const n = q?.warnings?.length ?? 0;
  return n ? h('span', { class: 'badge badge-stale', title: q.warnings.map(warningText).join('\n') }, n === 1 ? 'stale price' : `${n} stale prices`) : null;
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
    for (const id of ['input', 'write', 'output', 'rpd', 'at', 'tz', 'profile']) $(id).addEventListener('input', soon);
    for (const id of ['spread', 'tier', 'ttl']) $(id).addEventListener('change', () => this.run());
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
      const typed = $('add-model').value.trim();
      if (!typed) return;
      const id = this.modelFor(typed);
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

  /** A typed name as a model id: an id or alias, a raw API name, or the one model the words match. */
  modelFor(typed) {
    const models = [...$('all-models').options].map((o) => ({ id: o.value, name: o.textContent ?? o.value, provider: o.value.split('/')[0] }));
    const exact = localModelFor(typed, models);
    if (exact) return exact;
    const found = models.filter((m) => matchesQuery({ model: m.id, name: m.name, providerName: m.provider }, typed));
    // Direct providers before aggregators: the shortest ids first.
    const best = found.filter((m) => m.id.split('/').length === Math.min(...found.map((f) => f.id.split('/').length)));
    if (best.length === 1) return best[0].id;
    // Many resellers list the model under the same name: the direct one is the maker's, the provider
    // the aggregators' own ids name (openrouter/anthropic/claude-opus-4.6 → anthropic).
    const makers = new Set(found.map((m) => m.id.split('/')).filter((p) => p.length > 2).map((p) => p[1]));
    const direct = best.filter((m) => makers.has(m.provider));
    if (direct.length === 1) return direct[0].id;
    // Words matched exactly before those one typo away (opus 4.6, not opus 4.7); then the maker's
    // model before its dated snapshots (claude-opus-4-6, not claude-opus-4-6-20260205).
    const squeeze = (t) => t.toLowerCase().replace(/[^a-z0-9]/g, '');
    const exactWords = direct.filter((m) => squeeze(`${m.id} ${m.name}`).includes(squeeze(typed)));
    const root = exactWords.find((d) => exactWords.every((o) => o.id.startsWith(d.id)));
    if (root) return root.id;
    $('calc-status').textContent = found.length
      ? `${found.length} models match “${typed}”: ${found.slice(0, 5).map((m) => m.id).join(', ')}${found.length > 5 ? '…' : ''}; pick one from the list.`
      : `No model matches “${typed}”.`;
    return null;
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
    const write = $('write').value === '' ? 0 : whole('write', 0);
    const output = whole('output', 0);
    const rpd = whole('rpd', 1);
    const hitPct = Number($('hit').value);
    const at = $('at').value;
    const spread = $('spread').value;
    const tz = $('tz').value.trim() || 'UTC';
    if (input === null) return { error: 'Enter the input tokens per request (a whole number).' };
    if (write === null) return { error: 'Enter the cache-write tokens per request (a whole number).' };
    if (output === null) return { error: 'Enter the output tokens per request (a whole number).' };
    if (rpd === null) return { error: 'Enter the requests per day (a whole number, at least 1).' };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(at)) return { error: 'Pick a date.' };
    const cached = Math.round(input * (hitPct / 100));
    if (cached + write > input) return { error: 'Cache reads and writes are part of the input: together they cannot exceed it.' };
    let weights;
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
    } catch {
      return { error: `Unknown time zone “${tz}” (an IANA name such as Asia/Shanghai).` };
    }
    try {
      weights = (date) => slotWeights(date, spread, tz, parseProfile($('profile').value));
      weights(at);
    } catch (err) {
      return { error: `The hourly profile: ${err.message}.` };
    }
    return { input, write, output, rpd, hit: hitPct / 100, at, spread, tz, profile: $('profile').value.trim(), tier: $('tier').value, ttl: $('ttl').value, weights };
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
    $('profile-field').hidden = w.spread !== 'profile';
    setUrlParams({
      models: this.models.join(','),
      input: w.input,
      hit: w.hit,
      write: w.write || '',
      output: w.output,
      rpd: w.rpd,
      at: w.at,
      currency: currencySelect.value,
      spread: w.spread === 'uniform' ? '' : w.spread,
      tz: w.tz === 'UTC' ? '' : w.tz,
      profile: w.spread === 'profile' ? w.profile : '',
      tier: w.tier,
      ttl: w.ttl,
    });
    status.textContent = 'Asking the quote API…';

    try {
      const histories = await Promise.all(this.models.map((m) => this.history(m)));
      if (stale()) return;
      const known = new Map();
      const unknown = new Map();
      this.models.forEach((m, i) => (histories[i] instanceof ApiProblem ? unknown.set(m, histories[i]) : known.set(m, histories[i])));
      const currency = this.pickCurrency(known, currencySelect);
      const usage = { inputTokens: w.input, cacheReadTokens: Math.round(w.input * w.hit), outputTokens: w.output };
      if (w.write) usage.cacheWriteTokens = w.write;
      const options = { ...(currency ? { currency } : {}), ...(w.tier ? { serviceTier: w.tier } : {}), ...(w.ttl ? { cacheTtl: w.ttl } : {}) };
      // One day's requests as timed quote bodies: a log of slot instants per request count.
      const day = (models, date) => dayGroups(date, slotCounts(w.rpd, w.weights(date)), usage).map((g) => ({ models, ...options, requests: g.count, usage: g.log }));

      const atIso = `${w.at}T00:00:00Z`;
      const [quotes] = await Promise.all([this.quoteSum([...known.keys()], (models) => day(models, w.at)), learnDisputes([...known.keys()])]);
      if (stale()) return;
      for (const [m, p] of unknown) quotes.set(m, p);
      this.renderTable(w, currency, atIso, quotes);
      const where = currency ? `in ${currency}` : 'each in its own currency';
      status.textContent = `Priced ${known.size} model${known.size === 1 ? '' : 's'} on ${w.at} ${where}; drawing the history…`;

      const points = await this.overTime([...known.entries()], currency, day);
      if (stale()) return;
      this.renderOverTime(points, currency, Date.parse(atIso));
      status.textContent = `Priced on ${w.at} ${where}, and on ${points.xs.length} days over time.`;
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
    // No currency they all publish: each model in its own, as published (pick one to convert).
    const auto = shared.includes('USD') ? 'USD' : (shared[0] ?? '');
    const chosen = select.value || select.dataset.value || '';
    // Any of these can be asked for: a model that does not publish it is converted at the ECB rate of the day (shown per line).
    const options = [...new Set([...all, ...CONVERTIBLE, ...(chosen ? [chosen] : [])])].sort();
    select.replaceChildren(h('option', { value: '' }, `Automatic (${auto || 'each its own'})`), ...options.map((c) => h('option', { value: c }, c)));
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
      models.forEach((m, i) => {
        const q = res.quotes.find((x) => (x.requested ?? x.model) === m) ?? res.quotes[i];
        out.set(m, { ...q, warnings: warningsFor(res, q, m) });
      });
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
        out.set(m, { ...res.quotes[0], warnings: warningsFor(res, res.quotes[0], m) });
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        out.set(m, err);
      }
    }
    return out;
  }

  /**
   * The sum of several quote bodies (a day's request-count groups, or a log's chunks) per model:
   * totals and lines added exactly. A model any body refused keeps that refusal.
   * @returns Map model → quote | ApiProblem
   */
  async quoteSum(models, makeBodies) {
    const out = new Map();
    for (const body of makeBodies(models)) {
      const part = await this.quoteEach(body.models, (ms) => ({ ...body, models: ms }));
      for (const [m, q] of part) {
        const prev = out.get(m);
        if (prev instanceof ApiProblem) continue;
        out.set(m, q instanceof ApiProblem || !prev ? q : addQuotes(prev, q));
      }
    }
    return out;
  }

  /** Daily cost of each model on every day one of their prices changed (in this currency). */
  async overTime(known, currency, makeDay) {
    // A model that publishes the currency: those lines; one that does not: all of them (the quote converts at each day's rate).
    const facts = new Map(known.map(([m, h]) => [m, currency && h.facts.some((f) => f.currency === currency) ? h.facts.filter((f) => f.currency === currency) : h.facts]));
    // Days a price changed, and the day after (a change at 16:00 leaves a mixed day, then a whole one).
    const DAY = 86_400_000;
    const changes = [...new Set([...facts.values()].flat().flatMap((f) => [Date.parse(f.validFrom), ...(f.validTo ? [Date.parse(f.validTo)] : [])]))];
    let instants = [...new Set(changes.flatMap((t) => [Math.floor(t / DAY) * DAY, Math.floor(t / DAY) * DAY + DAY]))].sort((a, b) => a - b);
    const groups = Math.max(1, makeDay([], isoDate(instants[0] ?? Date.now())).length);
    const maxPoints = Math.max(6, Math.min(MAX_POINTS, Math.floor(CHART_BUDGET / groups)));
    if (instants.length > maxPoints) {
      const step = (instants.length - 1) / (maxPoints - 1);
      instants = [...new Set(Array.from({ length: maxPoints }, (_, i) => instants[Math.round(i * step)]))];
    }
    // Only the models with a price all that day are asked about it.
    const priced = (m, t) =>
      facts.get(m).some((f) => Date.parse(f.validFrom) <= t && (f.validTo === null || t < Date.parse(f.validTo))) &&
      facts.get(m).some((f) => Date.parse(f.validFrom) <= t + DAY - 1 && (f.validTo === null || t + DAY - 1 < Date.parse(f.validTo)));
    const results = new Array(instants.length);
    let next = 0;
    const worker = async () => {
      while (next < instants.length) {
        const i = next++;
        const t = instants[i];
        const models = known.map(([m]) => m).filter((m) => priced(m, t));
        results[i] = await this.quoteSum(models, (ms) => makeDay(ms, isoDate(t)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, instants.length) }, worker));
    const series = known.map(([m]) => ({
      model: m,
      values: instants.map((_, i) => {
        const q = results[i].get(m);
        return q && !(q instanceof ApiProblem) ? Number(q.total) : null;
      }),
      currency: [...results].reverse().map((r) => r.get(m)).find((q) => q && !(q instanceof ApiProblem))?.currency ?? currency,
    }));
    return { xs: instants, series };
  }

  renderTable(w, currency, atIso, quotes) {
    const cached = Math.round(w.input * w.hit);
    const spread = w.spread === 'uniform' ? 'spread evenly over the day' : w.spread === 'business' ? `in business hours (09–17, ${w.tz})` : `by the hourly profile (${w.tz})`;
    const extras = [w.write ? `${formatMoney(w.write, '')} written to the cache` : '', w.tier ? `${w.tier} tier` : '', w.ttl ? `cache TTL ${w.ttl}` : ''].filter(Boolean).join(', ');
    const caption = `Cost on ${w.at} (UTC) ${currency ? `in ${currency}` : 'in each model’s own currency'}: ${formatMoney(w.input, '')} input tokens per request (${Math.round(w.hit * 100)}% = ${formatMoney(cached, '')} from the cache${extras ? `; ${extras}` : ''}), ${formatMoney(w.output, '')} output tokens, ${formatMoney(w.rpd, '')} requests a day ${spread}`;
    const rows = this.models.map((m) => {
      const q = quotes.get(m);
      const name = h('th', { scope: 'row' }, h('a', { href: modelHref(m) }, m), disputedBadge(m), q && !(q instanceof ApiProblem) ? staleBadge(q) : null);
      if (!q || q instanceof ApiProblem) {
        return h('tr', { dataset: { model: m, error: 'true' } }, name, h('td', { colspan: '4', class: 'row-error' }, problemText(q?.problem ?? 'no answer')));
      }
      return h(
        'tr',
        { dataset: { model: m, stale: q.warnings?.length ? 'true' : '' } },
        name,
        h('td', { class: 'num', 'data-label': 'Per request' }, formatMoney(new Decimal(q.total).div(w.rpd).toDecimalPlaces(12).toFixed(), q.currency)),
        h('td', { class: 'num quote-total', 'data-label': 'Per day', dataset: { total: q.total, currency: q.currency } }, formatMoney(q.total, q.currency)),
        h('td', { class: 'num', 'data-label': `Per ${DAYS_PER_MONTH} days` }, formatMoney(new Decimal(q.total).times(DAYS_PER_MONTH).toFixed(), q.currency)),
        h('td', {}, breakdown(q)),
      );
    });
    const warnings = dedupeWarnings(this.models.flatMap((m) => quotes.get(m)?.warnings ?? []));
    $('quote-results').replaceChildren(
      staleBanner('quote-stale', warnings),
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
    // The last known cost holds to the end of the chart. A chosen currency: every model on one
    // axis (converted where it does not publish it). None: as published, an axis per currency.
    const currencies = [...new Set(drawn.map((s) => s.currency))].sort((x, y) => (x === 'USD' ? -1 : y === 'USD' ? 1 : x.localeCompare(y)));
    const axisOf = (c) => (currency || c === currencies[0] ? 'y' : c);
    const series = drawn.map((s, i) => ({
      label: currency ? s.model : `${s.model} (${s.currency})`,
      color: PALETTE[i % PALETTE.length],
      values: [...s.values, s.values[s.values.length - 1]],
      scale: axisOf(s.currency),
    }));
    const axes = currency ? 1 : currencies.length;
    const chartBox = h('div', { class: 'chart-box' });
    const figure = h(
      'figure',
      { class: 'chart', id: 'cost-chart', dataset: { points: String(points.xs.length), currency, axes: String(axes) } },
      h('figcaption', {}, currency ? `Daily cost in ${currency} (one axis; converted at each day’s ECB rate where not published)` : `Daily cost, as published: ${currencies.join(' and ')}${axes > 1 ? ', an axis each' : ''}`),
      chartBox,
      h('p', { class: 'chart-foot' }, downloadLink(chartCsv(xs, series, currency ? `${currency} per day` : 'per day, own currency'), 'daily-cost.csv', 'Download this chart’s data (CSV)')),
      dataTable(points, currency),
    );
    box.append(figure);
    this.chart = drawStepChart(chartBox, {
      xs,
      series,
      markers: [{ x: atMs / 1000, label: `quoted date (${formatInstant(new Date(atMs).toISOString())})` }],
      format: (v) => formatMoney(v, '').trim(),
      height: 260,
      axisLabels: Object.fromEntries((currency ? [currency] : currencies).map((c) => [axisOf(c), c])),
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
            h('td', { class: 'num' }, formatMoney(l.tokens, '')),
            h('td', { class: 'num' }, `${formatMoney(l.unitPrice, q.currency)} / ${l.unit}`),
            h('td', { class: 'num' }, formatMoney(l.cost, q.currency)),
          ),
        ),
      ),
    ),
  );
}

/** The chart's figures as a table (for screen readers and for copying). */
const CONVERTIBLE = ['CNY', 'EUR', 'USD'];

/** How a converted quote line was converted, in words. */
export function convertedText(l, currency) {
  return `converted from ${l.originalAmount} ${l.convertedFrom} at ${l.rate} ${currency}/${l.convertedFrom} (ECB reference rate of ${l.rateDate})`;
}

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
              points.series.map((s) => h('td', { class: 'num' }, s.values[i] === null ? '—' : formatMoney(s.values[i], s.currency ?? currency))),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Two quotes of one model added exactly: totals, and lines of the same price added together. */
function addQuotes(a, b) {
  const lines = new Map();
  for (const l of [...a.lines, ...b.lines]) {
    const key = JSON.stringify([l.component, l.unitPrice, l.unit, l.conditions ?? null, l.note ?? null]);
    const cur = lines.get(key);
    if (cur) lines.set(key, { ...cur, tokens: cur.tokens + l.tokens, cost: new Decimal(cur.cost).plus(l.cost).toFixed() });
    else lines.set(key, { ...l });
  }
  const total = new Decimal(a.total).plus(b.total).toFixed();
  const warnings = dedupeWarnings([...(a.warnings ?? []), ...(b.warnings ?? [])]);
  return { ...a, total, warnings, lines: [...lines.values()] };
}

/**
 * Which of these models sources disagree on: asked per model (`/v1/disagreements?model=`, fast)
 * and added to the form's list, which the server filled for the models in the URL. The whole
 * list (`/v1/disagreements` unfiltered) takes seconds.
 */
const disputesAsked = new Map();
async function learnDisputes(models) {
  const form = $('calc');
  if (!form) return;
  await Promise.all(
    models.map((m) => {
      if (!disputesAsked.has(m))
        disputesAsked.set(
          m,
          getJson(withQuery('/v1/disagreements', { model: m }))
            .then((body) => {
              if (modelIdsIn(body).size === 0) return;
              const list = new Set((form.dataset.disputed ?? '').split(' ').filter(Boolean));
              list.add(m.toLowerCase());
              form.dataset.disputed = [...list].join(' ');
            })
            .catch(() => {}),
        );
      return disputesAsked.get(m);
    }),
  );
}

/** The model ids a priced log answered for. */
function logModelIds(result) {
  const ids = new Set();
  for (const m of result.models) {
    const priced = [...(result.cells.get(m)?.values() ?? [])].find((q) => q && !(q instanceof ApiProblem));
    const id = priced?.model ?? result.idFor.get(m);
    if (id) ids.add(id);
  }
  return [...ids];
}

function disputedBadge(model) {
  const disputed = ($('calc')?.dataset.disputed ?? '').split(' ');
  return disputed.includes(model) ? h('span', { class: 'badge badge-disputed', title: 'Sources disagree on a price of this model' }, ' sources disagree') : null;
}

/* ---------------------------------------------------------------- the usage log */

function wireUsageLog(calcForm) {
  const file = $('log-file');
  if (!file) return;
  const read = async () => {
    const f = file.files?.[0];
    if (!f) return;
    const status = $('log-status');
    const box = $('log-results');
    box.replaceChildren();
    status.textContent = `Reading ${f.name}…`;
    const { rows, errors } = parseUsageLog(await f.text(), { inputIncludesCache: $('log-input').value === 'all' });
    if (rows.length === 0) {
      status.textContent = '';
      showProblem(box, new Error(errors[0] ?? 'no usage rows'), 'The log could not be read');
      return;
    }
    try {
      const result = await priceLog(rows, calcForm, (done, total) => (status.textContent = `Pricing ${rows.length} requests: ${done} of ${total} quotes…`));
      await learnDisputes(logModelIds(result));
      renderLog(box, result, errors);
      status.textContent = `Priced ${rows.length} requests on ${result.days.length} days and ${result.models.length} models${errors.length ? `; ${errors.length} lines skipped` : ''}.`;
    } catch (err) {
      status.textContent = '';
      showProblem(box, err, 'The log could not be priced');
    }
  };
  file.addEventListener('change', read);
  $('log-input').addEventListener('change', read);
}

/**
 * Prices a log: per model name and UTC day, its requests as one timed usage log (in chunks the
 * API accepts); the resolver (when it answers) or the local catalogue maps raw API names.
 */
async function priceLog(rows, calcForm, progress) {
  const models = [...$('all-models').options].map((o) => ({ id: o.value }));
  const aliases = await getJson('/v1/models').then(
    (r) => r.data,
    () => models,
  );
  const names = [...new Set(rows.map((r) => r.model))];
  const idFor = new Map();
  for (const n of names) idFor.set(n, (await resolveName(n)) ?? localModelFor(n, aliases));
  const byKey = new Map();
  for (const r of rows) {
    const key = `${r.model}\u0000${r.at.slice(0, 10)}`;
    if (!byKey.has(key)) byKey.set(key, []);
    const { model, ...usage } = r;
    byKey.get(key).push(usage);
  }
  const jobs = [...byKey.entries()];
  const cells = new Map(); // name → day → quote | ApiProblem
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const [key, log] = jobs[next++];
      const [name, day] = key.split('\u0000');
      const id = idFor.get(name);
      let q;
      if (!id) q = new ApiProblem({ title: 'Unknown model', status: 404, detail: `no model is known by the name ${name}` });
      else {
        for (let i = 0; i < log.length; i += LOG_CHUNK) {
          try {
            const res = await postJson('/v1/quote', { models: [id], usage: log.slice(i, i + LOG_CHUNK) });
            const part = { ...res.quotes[0], warnings: warningsFor(res, res.quotes[0], id) };
            q = q ? addQuotes(q, part) : part;
          } catch (err) {
            if (!(err instanceof ApiProblem)) throw err;
            q = err;
            break;
          }
        }
      }
      if (!cells.has(name)) cells.set(name, new Map());
      cells.get(name).set(day, q);
      progress(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  const days = [...new Set(rows.map((r) => r.at.slice(0, 10)))].sort();
  const requests = new Map(names.map((n) => [n, rows.filter((r) => r.model === n).length]));
  return { days, models: names.sort(), idFor, cells, requests };
}

/** GET /v1/models/resolve when that route answers with a model; null otherwise (local matching). */
async function resolveName(name) {
  // Only when the server saw the route (no 404 noise before the resolver lands).
  if ($('calc')?.dataset.resolver !== 'on') return null;
  try {
    const body = await getJson(`/v1/models/resolve?name=${encodeURIComponent(name)}`);
    const id = body?.model ?? body?.id ?? body?.data?.[0]?.model ?? body?.data?.[0]?.id ?? null;
    return typeof id === 'string' ? id.toLowerCase() : null;
  } catch {
    return null;
  }
}

function renderLog(box, result, errors) {
  const { days, models, idFor, cells, requests } = result;
  // Totals per model and currency, exact.
  const totals = new Map();
  for (const m of models)
    for (const q of cells.get(m)?.values() ?? []) {
      if (!q || q instanceof ApiProblem) continue;
      const k = `${m}\u0000${q.currency}`;
      totals.set(k, new Decimal(totals.get(k) ?? 0).plus(q.total).toFixed());
    }
  const problems = models.flatMap((m) => [...(cells.get(m)?.entries() ?? [])].filter(([, q]) => q instanceof ApiProblem).map(([d, q]) => `${m} on ${d}: ${problemText(q.problem)}`));
  const table = h(
    'table',
    { id: 'log-table', class: 'stack' },
    h('caption', {}, 'Cost per model and day (UTC), in the currency each model is priced in'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model (as logged)'), h('th', { scope: 'col', class: 'num' }, 'Requests'), h('th', { scope: 'col', class: 'num' }, 'Total'), days.map((d) => h('th', { scope: 'col', class: 'num' }, d)))),
    h(
      'tbody',
      {},
      models.map((m) => {
        const row = cells.get(m);
        const priced = [...(row?.values() ?? [])].find((q) => q && !(q instanceof ApiProblem));
        const cur = priced?.currency;
        // The model the quotes answered for (an alias resolves to its model at each instant).
        const id = priced?.model ?? idFor.get(m);
        return h(
          'tr',
          { dataset: { model: m, resolved: id ?? '' } },
          h('th', { scope: 'row' }, m, id && id !== m ? h('span', { class: 'muted small' }, ` → `, h('a', { href: modelHref(id) }, id)) : null, id ? disputedBadge(id) : null, flags(row)),
          h('td', { class: 'num', 'data-label': 'Requests' }, formatMoney(requests.get(m), '')),
          h('td', { class: 'num log-total', 'data-label': 'Total', dataset: { total: cur ? totals.get(`${m}\u0000${cur}`) : '', currency: cur ?? '' } }, cur ? formatMoney(totals.get(`${m}\u0000${cur}`), cur) : '—'),
          days.map((d) => {
            const q = row?.get(d);
            if (!q) return h('td', { class: 'num empty', 'data-label': d }, '');
            if (q instanceof ApiProblem) return h('td', { class: 'num row-error', 'data-label': d, title: problemText(q.problem) }, 'not priced');
            return h('td', { class: 'num', 'data-label': d, dataset: { total: q.total } }, formatMoney(q.total, q.currency));
          }),
        );
      }),
    ),
  );
  const warnings = dedupeWarnings(models.flatMap((m) => [...(cells.get(m)?.values() ?? [])].flatMap((q) => (q && !(q instanceof ApiProblem) ? (q.warnings ?? []) : []))));
  box.replaceChildren(
    staleBanner('log-stale', warnings),
    h('div', { class: 'table-wrap', role: 'region', 'aria-label': 'Usage log cost', tabindex: '0' }, table),
    problems.length ? h('div', { class: 'problem', role: 'alert' }, h('h3', {}, 'Not priced'), h('ul', {}, problems.slice(0, 20).map((p) => h('li', {}, p)))) : '',
    errors.length ? h('details', {}, h('summary', {}, `${errors.length} lines skipped`), h('ul', {}, errors.slice(0, 50).map((e) => h('li', {}, e)))) : '',
  );
}

/** The quote API's stale warnings of a logged model, over all its days. */
function flags(row) {
  const warnings = dedupeWarnings([...(row?.values() ?? [])].flatMap((q) => (q && !(q instanceof ApiProblem) ? (q.warnings ?? []) : [])));
  return warnings.length ? staleBadge({ warnings }) : null;
}
