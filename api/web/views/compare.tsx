// Compare / calculator (/compare?models=a,b&input=&hit=&output=&rpd=&at=&currency=): the form,
// filled from the URL. The figures are all POST /v1/quote answers, fetched by the browser
// (assets/calculator.js): the cost per model at a date, and the same workload over time.
import { getJson, type ApiFetch, type Models } from '../api-client.ts';
import { ProblemMessage } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { isoDate, modelHref } from '../assets/format.js';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

export const DEFAULT_MODELS = ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'];
const MAX_MODELS = 8;

export interface Workload {
  models: string[];
  input: number;
  /** Cache-hit rate, 0–1. */
  hit: number;
  output: number;
  rpd: number;
  at: string;
  currency: string;
}

function intParam(url: URL, name: string, fallback: number): number {
  const n = Number(url.searchParams.get(name));
  return url.searchParams.has(name) && Number.isFinite(n) && n >= 0 ? Math.round(n) : fallback;
}

/** The workload in the URL, with defaults; `hit` is a fraction (a number above 1 is read as percent). */
export function workloadFromUrl(url: URL, now: number): Workload {
  const models = (url.searchParams.get('models') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, MAX_MODELS);
  let hit = Number(url.searchParams.get('hit'));
  if (!url.searchParams.has('hit') || !Number.isFinite(hit) || hit < 0) hit = 0.8;
  if (hit > 1) hit = Math.min(hit, 100) / 100;
  return {
    models: url.searchParams.has('models') ? models : DEFAULT_MODELS,
    input: intParam(url, 'input', 100_000),
    hit,
    output: intParam(url, 'output', 20_000),
    rpd: Math.max(1, intParam(url, 'rpd', 100)),
    at: dateInputValue(instantParam(url, 'at')) || isoDate(now),
    currency: (url.searchParams.get('currency') ?? '').trim().toUpperCase().slice(0, 3),
  };
}

export async function comparePage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  const w = workloadFromUrl(url, now);
  const models = await getJson<Models>(api, '/v1/models');
  const hitPct = Math.round(w.hit * 100);

  const html = renderPage({
    title: 'Compare & calculate',
    page: 'compare',
    charts: true,
    children: (
      <>
        <h1>What does a workload cost?</h1>
        <p class="lead">
          Describe one request, how much of its prompt hits the cache, and how many requests a day; every figure below is a{' '}
          <a href="/docs">POST /v1/quote</a> answer at the date you pick, and over the history of the models.
        </p>
        <noscript>
          <p class="notice">The calculator needs JavaScript (it asks the quote API as you type).</p>
        </noscript>
        {models.ok ? null : <ProblemMessage problem={models.problem} />}

        <form id="calc" class="calc" method="get" action="/compare" aria-label="Workload">
          <fieldset class="models">
            <legend>Models</legend>
            <ul id="chosen-models" class="chips">
              {w.models.map((m) => (
                <li data-model={m}>
                  <a href={modelHref(m)}>{m}</a>
                  <button type="button" class="chip-remove" data-remove={m} aria-label={`Remove ${m}`}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <input type="hidden" id="models" name="models" value={w.models.join(',')} />
            <div class="add-model">
              <label for="add-model">Add a model</label>
              <input id="add-model" type="text" list="all-models" placeholder="e.g. anthropic/claude-sonnet-5" autocomplete="off" spellcheck={false} />
              <button type="button" id="add-model-btn">
                Add
              </button>
            </div>
            <datalist id="all-models">{models.ok ? models.data.data.map((m) => <option value={m.id}>{m.name}</option>) : null}</datalist>
          </fieldset>

          <fieldset class="workload">
            <legend>Workload</legend>
            <div class="field">
              <label for="input">Input tokens</label>
              <input id="input" name="input" type="number" min="0" step="1" inputmode="numeric" value={String(w.input)} required aria-describedby="input-hint" />
              <small id="input-hint">Per request: all prompt tokens, cached ones included</small>
            </div>
            <div class="field">
              <label for="hit">Cache-hit rate</label>
              <div class="slider">
                <input id="hit" name="hit" type="range" min="0" max="100" step="1" value={String(hitPct)} aria-describedby="hit-hint" />
                <output id="hit-out" for="hit">
                  {hitPct}%
                </output>
              </div>
              <small id="hit-hint">Share of the input read from the cache</small>
            </div>
            <div class="field">
              <label for="output">Output tokens</label>
              <input id="output" name="output" type="number" min="0" step="1" inputmode="numeric" value={String(w.output)} required aria-describedby="output-hint" />
              <small id="output-hint">Per request</small>
            </div>
            <div class="field">
              <label for="rpd">Requests per day</label>
              <input id="rpd" name="rpd" type="number" min="1" step="1" inputmode="numeric" value={String(w.rpd)} required />
            </div>
            <div class="field">
              <label for="at">Date</label>
              <input id="at" name="at" type="date" value={w.at} required aria-describedby="at-hint" />
              <small id="at-hint">Priced at 00:00 UTC</small>
            </div>
            <div class="field">
              <label for="currency">Currency</label>
              <select id="currency" name="currency" data-value={w.currency}>
                <option value="">Automatic</option>
                {w.currency ? (
                  <option value={w.currency} selected>
                    {w.currency}
                  </option>
                ) : null}
              </select>
              <small>As published where a model publishes it; otherwise converted at the ECB reference rate of the date (shown per line)</small>
            </div>
          </fieldset>
          <button type="submit">Calculate</button>
        </form>

        <section aria-labelledby="cost-h" class="results">
          <h2 id="cost-h">Cost per model</h2>
          <p id="calc-status" role="status" class="muted"></p>
          <div id="calc-error" role="alert"></div>
          <div id="quote-results"></div>
        </section>

        <section aria-labelledby="over-time-h">
          <h2 id="over-time-h">The same workload over time</h2>
          <p class="muted small">
            Daily cost, quoted at every instant a price of these models changed. Where prices depend on the time of day, each point is priced at its instant.
          </p>
          <div id="over-time"></div>
        </section>
      </>
    ),
  });
  return { status: 200, html };
}
