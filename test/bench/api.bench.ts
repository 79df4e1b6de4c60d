// API benchmark (not part of `npm test`): autocannon against the real server on 127.0.0.1.
// `GET /v1/prices`, `POST /v1/quote` and `/v1/diff` across all models are reported as ratios to a
// bare Hono JSON route (`/bench/noop`, mounted only in bench mode) measured on the same server in
// the same run, in alternating slices; then `/v1/diff` with caching off (computed each time).
//   npx tsx test/bench/api.bench.ts            (BENCH_SECONDS=5 BENCH_CONNECTIONS=10 by default)
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { startSeededServer } from '../helpers/server.ts';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface Figure {
  path: string;
  method: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface ApiBenchResult {
  seconds: number;
  connections: number;
  baseline: Figure;
  prices: Figure & { rpsRatio: number; p99Ratio: number };
  quote: Figure & { rpsRatio: number; p99Ratio: number };
  diff: Figure & { rpsRatio: number; p99Ratio: number };
  diffUncached: Figure;
}

const QUOTE_BODY = JSON.stringify({
  models: ['deepseek/deepseek-v4-pro', 'xiaomi/mimo-v2.5-pro'],
  at: '2026-06-01T00:00:00Z',
  currency: 'CNY',
  requests: 10,
  usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 },
});
const PRICES = '/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z';
const DIFF = '/v1/diff?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z';

async function measure(base: string, path: string, seconds: number, connections: number, method = 'GET', body?: string): Promise<Figure> {
  const r = await autocannon({
    url: base + path,
    method,
    body,
    headers: body ? { 'content-type': 'application/json' } : {},
    connections,
    duration: seconds,
    // The load generator runs in a worker thread, so it does not share the server's event loop.
    workers: 1,
  });
  return { path, method, rps: round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/**
 * The route against the bare route in alternating one-second slices (bare, route, bare, route…):
 * on a shared, noisy machine both see the same load, and the median of the per-slice ratios is
 * stable where one long run each is not. Ratios are higher-is-better: req/s route / bare, and
 * p99 bare / route.
 */
async function paired(base: string, path: string, seconds: number, connections: number, method = 'GET', body?: string) {
  const rounds = Math.max(1, Math.round(seconds));
  const bare: Figure[] = [];
  const route: Figure[] = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(await measure(base, '/bench/noop', 1, connections));
    route.push(await measure(base, path, 1, connections, method, body));
  }
  const sum = (fs: Figure[], k: 'non2xx' | 'errors') => fs.reduce((n, f) => n + f[k], 0);
  const figure = (fs: Figure[]): Figure => ({
    path: fs[0].path,
    method: fs[0].method,
    rps: round(fs.reduce((n, f) => n + f.rps, 0) / fs.length),
    p50Ms: median(fs.map((f) => f.p50Ms)),
    p99Ms: median(fs.map((f) => f.p99Ms)),
    non2xx: sum(fs, 'non2xx'),
    errors: sum(fs, 'errors'),
  });
  return {
    bare: figure(bare),
    route: {
      ...figure(route),
      rpsRatio: round(median(route.map((r, i) => r.rps / bare[i].rps))),
      p99Ratio: round(median(route.map((r, i) => Math.max(bare[i].p99Ms, 1) / Math.max(r.p99Ms, 1)))),
    },
  };
}

export async function runApiBench(opts: { seconds?: number; connections?: number } = {}): Promise<ApiBenchResult> {
  const seconds = opts.seconds ?? Number(process.env.BENCH_SECONDS ?? 5);
  const connections = opts.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 10);
  const server = await startSeededServer({ app: { bench: true, rateLimits: { quote: false, writes: false } } });
  const uncached = await startSeededServer({ app: { bench: true, cache: false } });
  try {
    // Warm up (JIT, first cache fill).
    for (const p of ['/bench/noop', PRICES, DIFF]) await fetch(server.url + p).then((r) => r.arrayBuffer());
    await fetch(server.url + '/v1/quote', { method: 'POST', body: QUOTE_BODY, headers: { 'content-type': 'application/json' } }).then((r) => r.arrayBuffer());
    await measure(server.url, '/bench/noop', 1, connections);
    const prices = await paired(server.url, PRICES, seconds, connections);
    const quote = await paired(server.url, '/v1/quote', seconds, connections, 'POST', QUOTE_BODY);
    const diff = await paired(server.url, DIFF, seconds, connections);
    const bares = [prices.bare, quote.bare, diff.bare];
    const baseline: Figure = {
      ...prices.bare,
      rps: round(bares.reduce((n, f) => n + f.rps, 0) / bares.length),
      p50Ms: median(bares.map((f) => f.p50Ms)),
      p99Ms: median(bares.map((f) => f.p99Ms)),
      non2xx: bares.reduce((n, f) => n + f.non2xx, 0),
      errors: bares.reduce((n, f) => n + f.errors, 0),
    };
    const diffUncached = await measure(uncached.url, DIFF, seconds, Math.min(connections, 4));
    return { seconds, connections, baseline, prices: prices.route, quote: quote.route, diff: diff.route, diffUncached };
  } finally {
    await server.close();
    await uncached.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runApiBench();
  const row = (name: string, f: Figure & { rpsRatio?: number; p99Ratio?: number }) =>
    `${name.padEnd(14)} ${String(f.rps).padStart(9)} req/s  p50 ${String(f.p50Ms).padStart(4)} ms  p99 ${String(f.p99Ms).padStart(4)} ms` +
    (f.rpsRatio !== undefined ? `  ratio req/s ${f.rpsRatio}  ratio p99 ${f.p99Ratio}` : '') +
    (f.non2xx || f.errors ? `  non-2xx ${f.non2xx} errors ${f.errors}` : '');
  console.log(`tokentrail API bench: ${r.seconds} s per route, ${r.connections} connections`);
  console.log(row('bare route', r.baseline));
  console.log(row('GET prices', r.prices));
  console.log(row('POST quote', r.quote));
  console.log(row('GET diff', r.diff));
  console.log(row('diff uncached', r.diffUncached));
  console.log(JSON.stringify(r));
  const ok = r.prices.rpsRatio >= 0.5 && r.quote.rpsRatio >= 0.5;
  if (!ok) process.exitCode = 1;
}
