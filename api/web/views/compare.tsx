// Compare / calculator (/compare?models=a,b&input=&hit=&output=&rpd=&at=&currency=): the form,
// filled from the URL. The figures are all POST /v1/quote answers, fetched by the browser
// (assets/calculator.js): the cost per model at a date, and the same workload over time.
import { askResolver, getJson, type ApiFetch, type Models } from '../api-client.ts';
import { ProblemMessage } from '../components.tsx';
import { renderPage } from '../layout.tsx';
import { isoDate, modelHref } from '../assets/format.js';
import { modelIdsIn } from '../assets/price-table.js';
import { HoursWindow } from '../../../src/model.ts';
import { dateInputValue, instantParam, type PageResult } from './page.ts';

export const DEFAULT_MODELS = ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'];
const MAX_MODELS = 8;

export interface Workload {
  models: string[];
  input: number;
  /** Cache-hit rate, 0–1. */
  hit: number;
  /** Cache-write tokens per request. */
  write: number;
  output: number;
  rpd: number;
  at: string;
  currency: string;
  /** How the day's requests are spread: uniform, business hours in `tz`, or a 24-hour profile. */
  spread: 'uniform' | 'business' | 'profile';
  tz: string;
  profile: string;
  tier: string;
  ttl: string;
}

const SPREADS = ['uniform', 'business', 'profile'] as const;
const TIERS = ['batch', 'flex', 'priority'];
const TTLS = ['5m', '1h'];
/** A few zones to pick from (any IANA zone can be typed). */
const ZONES = ['UTC', 'Asia/Shanghai', 'Asia/Tokyo', 'Asia/Kolkata', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Australia/Sydney'];
const DEFAULT_PROFILE = '1,1,1,1,1,1,2,4,6,8,8,8,6,8,8,8,6,4,3,2,2,2,1,1';

/** The price model's own zone rule (HoursWindow.tz). */
const isZone = (tz: string): boolean => HoursWindow.shape.tz.safeParse(tz).success;

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
    write: intParam(url, 'write', 0),
    output: intParam(url, 'output', 20_000),
    rpd: Math.max(1, intParam(url, 'rpd', 100)),
    at: dateInputValue(instantParam(url, 'at')) || isoDate(now),
    currency: (url.searchParams.get('currency') ?? '').trim().toUpperCase().slice(0, 3),
    spread: (SPREADS as readonly string[]).includes(url.searchParams.get('spread') ?? '') ? (url.searchParams.get('spread') as Workload['spread']) : 'uniform',
    tz: isZone(url.searchParams.get('tz') ?? '') ? url.searchParams.get('tz')! : 'UTC',
    profile: (url.searchParams.get('profile') ?? DEFAULT_PROFILE).slice(0, 300),
    tier: TIERS.includes(url.searchParams.get('tier') ?? '') ? url.searchParams.get('tier')! : '',
    ttl: TTLS.includes(url.searchParams.get('ttl') ?? '') ? url.searchParams.get('ttl')! : '',
  };
}

export async function comparePage(api: ApiFetch, url: URL, now: number): Promise<PageResult> {
  const w = workloadFromUrl(url, now);
  // Disagreements of the chosen models only: the unfiltered list takes seconds; the script asks for
  // models added later the same way.
  const [models, disagreements, resolver] = await Promise.all([
    getJson<Models>(api, '/v1/models'),
    Promise.all(w.models.map((m) => api(`/v1/disagreements?model=${encodeURIComponent(m)}`))),
    askResolver(api, ''),
  ]);
  const disputed: string[] = [];
  for (const r of disagreements) if (r.ok) disputed.push(...modelIdsIn(await r.json().catch(() => null)));
  const hitPct = Math.round(w.hit * 100);

  const html = renderPage({
    title: 'Compare & calculate',
    page: 'compare',
    charts: true,
    children: (
      <>
        <h1>What does a workload cost?</h1>
        <p class="lead">
          The day’s cost of your requests on each model, priced at the hour each one falls in; every figure is summed from{' '}
          <a href="/docs">POST /v1/quote</a> answers. Change the workload below, or price your own usage log.
        </p>
        <noscript>
          <p class="notice">The calculator needs JavaScript (it asks the quote API as you type).</p>
        </noscript>
        {models.ok ? null : <ProblemMessage problem={models.problem} />}

        <section aria-labelledby="cost-h" class="results" id="results-top">
          <h2 id="cost-h">Cost per model</h2>
          <p id="calc-status" role="status" class="muted"></p>
          <div id="calc-error" role="alert"></div>
          <div id="quote-results"></div>
        </section>

        <form id="calc" class="calc" method="get" action="/compare" aria-label="Workload" data-disputed={disputed.join(' ')} data-resolver={resolver.available ? 'on' : 'off'}>
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
              <label for="write">Cache-write tokens</label>
              <input id="write" name="write" type="number" min="0" step="1" inputmode="numeric" value={String(w.write)} aria-describedby="write-hint" />
              <small id="write-hint">Per request, part of the input: written to the cache</small>
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
              <small id="at-hint">The UTC day the requests fall in</small>
            </div>
            <div class="field">
              <label for="spread">Spread over the day</label>
              <select id="spread" name="spread" aria-describedby="spread-hint">
                <option value="uniform" selected={w.spread === 'uniform'}>
                  Evenly, around the clock
                </option>
                <option value="business" selected={w.spread === 'business'}>
                  Business hours (09–17 in the zone)
                </option>
                <option value="profile" selected={w.spread === 'profile'}>
                  Hourly profile (in the zone)
                </option>
              </select>
              <small id="spread-hint">Each quarter hour’s requests are priced at its time: peak and off-peak prices count</small>
            </div>
            <div class="field">
              <label for="tz">Time zone</label>
              <input id="tz" name="tz" type="text" list="zones" value={w.tz} autocomplete="off" spellcheck={false} />
              <datalist id="zones">
                {ZONES.map((z) => (
                  <option value={z} />
                ))}
              </datalist>
            </div>
            <div class="field" id="profile-field" hidden={w.spread !== 'profile'}>
              <label for="profile">Hourly profile</label>
              <input id="profile" name="profile" type="text" value={w.profile} aria-describedby="profile-hint" spellcheck={false} />
              <small id="profile-hint">24 weights, 00–23 local</small>
            </div>
            <div class="field">
              <label for="tier">Service tier</label>
              <select id="tier" name="tier">
                <option value="">Standard</option>
                {TIERS.map((t) => (
                  <option value={t} selected={w.tier === t}>
                    {t[0].toUpperCase() + t.slice(1)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="ttl">Cache TTL</label>
              <select id="ttl" name="ttl">
                <option value="">Provider default</option>
                {TTLS.map((t) => (
                  <option value={t} selected={w.ttl === t}>
                    {t}
                  </option>
                ))}
              </select>
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


        <section aria-labelledby="log-h">
          <h2 id="log-h">Price your usage log</h2>
          <p class="muted small">
            A CSV (with a header row) or JSON Lines export: timestamp, model (as the API returned it), input, cached, cache-write and output tokens per request
            or per row. Every row is priced at its own instant on the models of that date; nothing leaves your browser but the quote requests.
          </p>
          <form id="log-form" class="controls" aria-label="Usage log">
            <div class="field grow">
              <label for="log-file">Usage log file</label>
              <input id="log-file" type="file" accept=".csv,.jsonl,.ndjson,.json,.txt,text/csv,application/json" />
            </div>
            <div class="field">
              <label for="log-input">The input column counts</label>
              <select id="log-input">
                <option value="all">All prompt tokens, cached included (OpenAI, DeepSeek)</option>
                <option value="uncached">Uncached tokens only (Anthropic)</option>
              </select>
            </div>
          </form>
          <p id="log-status" role="status" class="muted"></p>
          <div id="log-results"></div>
        </section>

        <section aria-labelledby="over-time-h">
          <h2 id="over-time-h">The same workload over time</h2>
          <p class="muted small">
            The same day’s requests, priced on every day a price of these models changed (and the day after), each request at its quarter hour.
          </p>
          <div id="over-time"></div>
        </section>
      </>
    ),
  });
  return { status: 200, html };
}
