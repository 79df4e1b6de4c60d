// API benchmark (not part of `npm test`). The app runs in a process of its own (test/bench/app-server.ts,
// seeded from data/ like `npm start`), and so does the baseline: a pure Hono JSON route
// (test/bench/bare-server.ts). wrk (-t1 -c50, Debian's `wrk`; autocannon when wrk is missing) loads
// them in alternating one-second slices — bare, route, bare, route… — so both see the same machine,
// and the median of the per-slice ratios is reported with p50/p99 beside it.
//   npm run bench -- api          (BENCH_SLICES=5 BENCH_CONNECTIONS=50)
//   npm run bench -- middleware   /healthz with the shared middleware layers mounted cumulatively
//                                 and all but one, each stack in a process of its own
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MIDDLEWARE_LAYERS } from '../../api/app.ts';

const HERE = import.meta.dirname;
const SLICES = Number(process.env.BENCH_SLICES ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export interface Figure {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** CPU time of the server's main thread per request (µs): less sensitive to machine load than req/s. */
  cpuUs?: number;
}
export interface Paired {
  route: Figure;
  bare: Figure;
  /** Median of route req/s ÷ bare req/s over the slices. */
  ratio: number;
  /** Median of bare ÷ route main-thread CPU per request: the ratio a quiet core would show. */
  cpuRatio?: number;
}

interface Load {
  path: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** A wrk Lua `request` function body that returns a request (varied paths); replaces path. */
  lua?: string;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/* ------------------------------------------------------------------ processes */

interface Child {
  proc: ChildProcess;
  url: string;
  pid: number;
  startedMs: number;
}

function startChild(script: string, env: Record<string, string> = {}): Promise<Child> {
  const t = performance.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', join(HERE, script)], {
    env: { ...process.env, LOG_LEVEL: 'warn', TOKENTRAIL_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ proc, url: `http://127.0.0.1:${m[1]}`, pid: proc.pid!, startedMs: performance.now() - t });
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

async function stopChild(c: Child): Promise<void> {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
}

function rssMb(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: round(kb('VmRSS') / 1024, 1), peakMb: round(kb('VmHWM') / 1024, 1) };
}

/* ------------------------------------------------------------------ load generators */

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
const luaDir = mkdtempSync(join(tmpdir(), 'tokentrail-bench-lua-'));

function wrkScript(load: Load): string | null {
  if (!load.lua && load.method !== 'POST') return null;
  const file = join(luaDir, `${Math.random().toString(36).slice(2)}.lua`);
  const parts: string[] = [];
  if (load.method === 'POST') {
    parts.push(`wrk.method = "POST"`, `wrk.headers["Content-Type"] = "application/json"`, `wrk.body = ${JSON.stringify(load.body ?? '')}`);
  }
  if (load.lua) parts.push(`math.randomseed(42)`, `request = function()\n${load.lua}\nend`);
  writeFileSync(file, parts.join('\n') + '\n');
  return file;
}

function parseWrk(out: string): Figure {
  const ms = (s: string | undefined) => {
    if (!s) return NaN;
    const m = /([\d.]+)(us|ms|s)/.exec(s)!;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1]);
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0);
  return { rps: round(rps), p50Ms: round(p50, 3), p99Ms: round(p99, 3), errors };
}

/** Nanoseconds the process's main thread has run on a CPU (Linux), or null. */
function cpuNs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

async function slice(base: string, load: Load, seconds = 1, connections = CONNECTIONS, pid?: number): Promise<Figure> {
  if (hasWrk) {
    const script = wrkScript(load);
    const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(script ? ['-s', script] : []), base + load.path];
    const cpu0 = cpuNs(pid);
    const r = spawnSync('wrk', args, { encoding: 'utf8' });
    const cpu1 = cpuNs(pid);
    const f = parseWrk(r.stdout);
    const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
    if (cpu0 !== null && cpu1 !== null && requests > 0) f.cpuUs = round((cpu1 - cpu0) / 1000 / requests, 1);
    return f;
  }
  const autocannon = createRequire(import.meta.url)('autocannon') as (o: Record<string, unknown>) => Promise<{
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  }>;
  const r = await autocannon({
    url: base + load.path,
    method: load.method ?? 'GET',
    body: load.body,
    headers: load.body ? { 'content-type': 'application/json' } : {},
    connections,
    duration: seconds,
    workers: 1,
  });
  return { rps: round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts };
}

async function paired(bare: Child, app: Child, load: Load): Promise<Paired> {
  const b: Figure[] = [];
  const a: Figure[] = [];
  for (let i = 0; i < SLICES; i++) {
    b.push(await slice(bare.url, { path: '/' }, 1, CONNECTIONS, bare.pid));
    a.push(await slice(app.url, load, 1, CONNECTIONS, app.pid));
  }
  const agg = (fs: Figure[]): Figure => ({
    rps: round(median(fs.map((f) => f.rps))),
    p50Ms: median(fs.map((f) => f.p50Ms)),
    p99Ms: median(fs.map((f) => f.p99Ms)),
    errors: fs.reduce((n, f) => n + f.errors, 0),
    ...(fs.every((f) => f.cpuUs !== undefined) && { cpuUs: median(fs.map((f) => f.cpuUs!)) }),
  });
  const cpu = a.every((f, i) => f.cpuUs && b[i].cpuUs) ? { cpuRatio: round(median(a.map((f, i) => b[i].cpuUs! / f.cpuUs!))) } : {};
  return { route: agg(a), bare: agg(b), ratio: round(median(a.map((f, i) => f.rps / b[i].rps))), ...cpu };
}

/* ------------------------------------------------------------------ workloads */

const MODELS = ['deepseek/deepseek-v4-pro', 'deepseek/deepseek-v4-flash', 'anthropic/claude-opus-4-6', 'openai/gpt-5', 'xiaomi/mimo-v2.5-pro', 'google/gemini-2.5-pro'];

/** Prices at varied instants and knowledge times over 2025-2026 (the calculator's real workload: cache misses). */
const VARIED_PRICES_LUA = `
  local models = {${MODELS.map((m) => JSON.stringify(m)).join(', ')}}
  local m = models[math.random(1, #models)]
  local t0 = 1735689600
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ", t0 + math.random(0, 700 * 86400))
  local asof = os.date("!%Y-%m-%dT%H:%M:%SZ", t0 + math.random(0, 700 * 86400))
  return wrk.format("GET", "/v1/prices?model=" .. m .. "&at=" .. at .. "&asOf=" .. asof)`;

const ONE_QUOTE = JSON.stringify({
  models: ['deepseek/deepseek-v4-pro', 'deepseek/deepseek-v4-flash', 'xiaomi/mimo-v2.5-pro'],
  at: '2026-06-01T00:00:00Z',
  currency: 'CNY',
  usage: { inputTokens: 100_000, cacheReadTokens: 80_000, outputTokens: 20_000 },
});

function usageLog(n: number): string {
  const t0 = Date.parse('2026-08-18T00:00:00Z');
  const usage = Array.from({ length: n }, (_, i) => ({
    at: new Date(t0 + i * 61_000).toISOString(),
    inputTokens: 2000 + (i % 7) * 300,
    cacheReadTokens: 1000,
    outputTokens: 500 + (i % 5) * 100,
  }));
  return JSON.stringify({ models: ['deepseek/deepseek-v4-pro'], currency: 'CNY', usage });
}

/** A large usage-log quote with /healthz probed every 5 ms from this process: quote time and the longest probe. */
async function heavyQuote(app: Child, body: string, rounds = 5): Promise<{ quoteMs: number; maxQuoteMs: number; worstHealthzMs: number; status: number }> {
  const times: number[] = [];
  let worst = 0;
  let status = 0;
  for (let i = 0; i < rounds; i++) {
    let done = false;
    const probe = (async () => {
      while (!done) {
        const t = performance.now();
        // A kept-alive socket the server closed while idle resets on reuse: ask again.
        await fetch(app.url + '/healthz')
          .catch(() => fetch(app.url + '/healthz'))
          .then((r) => r.arrayBuffer());
        worst = Math.max(worst, performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const t = performance.now();
    const r = await fetch(app.url + '/v1/quote', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    await r.arrayBuffer();
    status = r.status;
    times.push(performance.now() - t);
    done = true;
    await probe;
  }
  return { quoteMs: round(median(times), 1), maxQuoteMs: round(Math.max(...times), 1), worstHealthzMs: round(worst, 1), status };
}

export interface ApiBenchResult {
  loadGenerator: string;
  connections: number;
  slices: number;
  coldStartMs: number;
  healthz: Paired;
  pricesCached: Paired;
  pricesUncached: Paired;
  quoteOne: Paired;
  usageLog10k: Awaited<ReturnType<typeof heavyQuote>>;
  memory: { rssMb: number; peakMb: number };
}

export async function runApiBench(): Promise<ApiBenchResult> {
  const bare = await startChild('bare-server.ts');
  // Cold start: process spawn, migrate, import of the dataset, until the first answer.
  const t = performance.now();
  const app = await startChild('app-server.ts');
  const first = await fetch(app.url + '/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z');
  await first.arrayBuffer();
  const coldStartMs = round(performance.now() - t, 0);
  try {
    // Warm up both (JIT, caches).
    await slice(bare.url, { path: '/' });
    await slice(app.url, { path: '/healthz' });
    const healthz = await paired(bare, app, { path: '/healthz' });
    const pricesCached = await paired(bare, app, { path: '/v1/prices?model=deepseek/deepseek-v4-pro&at=2026-05-01T00:00:00Z' });
    const pricesUncached = await paired(bare, app, { path: '/v1/prices', lua: VARIED_PRICES_LUA });
    const quoteOne = await paired(bare, app, { path: '/v1/quote', method: 'POST', body: ONE_QUOTE });
    const usageLog10k = await heavyQuote(app, usageLog(10_000));
    const memory = rssMb(app.pid);
    return { loadGenerator: hasWrk ? 'wrk -t1' : 'autocannon (wrk not found)', connections: CONNECTIONS, slices: SLICES, coldStartMs, healthz, pricesCached, pricesUncached, quoteOne, usageLog10k, memory };
  } finally {
    await stopChild(app);
    await stopChild(bare);
    rmSync(luaDir, { recursive: true, force: true });
  }
}

export interface LayerFigure extends Paired {
  layers: string[];
}

/**
 * What each shared middleware layer costs on the lightest route (`/healthz`, an empty database):
 * the stack built up one layer at a time (outermost first), then the whole stack without each
 * layer. Every stack runs in a process of its own with production rate limits, against the pure
 * Hono route in alternating slices.
 */
export async function runMiddlewareBench(): Promise<{ loadGenerator: string; cumulative: LayerFigure[]; allBut: LayerFigure[] }> {
  const bare = await startChild('bare-server.ts');
  const measure = async (layers: readonly string[]): Promise<LayerFigure> => {
    const app = await startChild('app-server.ts', { BENCH_DATA: 'none', BENCH_LAYERS: layers.length ? layers.join(',') : 'none' });
    try {
      await slice(app.url, { path: '/healthz' });
      return { layers: [...layers], ...(await paired(bare, app, { path: '/healthz' })) };
    } finally {
      await stopChild(app);
    }
  };
  try {
    await slice(bare.url, { path: '/' });
    const cumulative: LayerFigure[] = [];
    for (let i = 0; i <= MIDDLEWARE_LAYERS.length; i++) cumulative.push(await measure(MIDDLEWARE_LAYERS.slice(0, i)));
    const allBut: LayerFigure[] = [];
    for (const l of MIDDLEWARE_LAYERS) allBut.push(await measure(MIDDLEWARE_LAYERS.filter((x) => x !== l)));
    return { loadGenerator: hasWrk ? 'wrk -t1' : 'autocannon (wrk not found)', cumulative, allBut };
  } finally {
    await stopChild(bare);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('middleware')) {
  const r = await runMiddlewareBench();
  const line = (name: string, p: Paired) =>
    `${name.padEnd(26)} ratio ${String(p.ratio).padEnd(5)} cpu ratio ${String(p.cpuRatio).padEnd(5)} ${String(p.route.rps).padStart(8)} req/s  ${p.route.cpuUs} µs CPU/req  p50 ${p.route.p50Ms} / p99 ${p.route.p99Ms} ms  (bare ${p.bare.rps}, ${p.bare.cpuUs} µs)`;
  for (const f of r.cumulative) console.log(line(f.layers.length ? `+ ${f.layers[f.layers.length - 1]}` : 'no shared middleware', f));
  for (const [i, f] of r.allBut.entries()) console.log(line(`all but ${MIDDLEWARE_LAYERS[i]}`, f));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runApiBench();
  const row = (name: string, p: Paired, goal: number) =>
    `${name.padEnd(22)} ${String(p.route.rps).padStart(9)} req/s  p50 ${p.route.p50Ms} ms  p99 ${p.route.p99Ms} ms  ratio ${p.ratio} (goal ≥ ${goal}), CPU ratio ${p.cpuRatio} (${p.route.cpuUs} µs/req)` +
    (p.route.errors ? `  errors ${p.route.errors}` : '');
  console.log(`bare Hono route (own process): ${r.healthz.bare.rps} req/s, ${r.loadGenerator}, ${r.connections} connections`);
  console.log(row('GET /healthz', r.healthz, 0.8));
  console.log(row('GET /v1/prices cached', r.pricesCached, 0.7));
  console.log(row('GET /v1/prices varied', r.pricesUncached, 0.4));
  console.log(row('POST /v1/quote', r.quoteOne, 0.3));
  console.log(`usage log 10k: ${r.usageLog10k.quoteMs} ms (max ${r.usageLog10k.maxQuoteMs}), worst /healthz ${r.usageLog10k.worstHealthzMs} ms, status ${r.usageLog10k.status}`);
  console.log(`cold start to first answer: ${r.coldStartMs} ms; server RSS ${r.memory.rssMb} MB (peak ${r.memory.peakMb} MB)`);
}
