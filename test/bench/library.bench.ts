// The library against the leading peer, in one process: tokentrail's `quote()` (the package entry,
// offline, exact decimals) and @pydantic/genai-prices' `calcPrice` on the same usage of a model both
// know, in alternating half-second slices (peer, ours, peer, ours…); calls per second, per-call
// p50/p99, and the median of the per-slice ratios. The two totals are printed side by side: the
// bench compares the cost of the same answer.
//   npm run bench -- library        (BENCH_SLICES=5)
import { calcPrice } from '@pydantic/genai-prices';
import { pathToFileURL } from 'node:url';
import { quote } from '../../src/index.ts';

const SLICES = Number(process.env.BENCH_SLICES ?? 5);
const SLICE_MS = 500;

/** One request on a model both datasets price the same way, at an instant both hold. */
const CASE = {
  ours: 'openai/gpt-5',
  peer: { model: 'gpt-5', providerId: 'openai' },
  at: '2026-06-01T00:00:00Z',
  usage: { inputTokens: 100_000, cacheReadTokens: 20_000, outputTokens: 5_000 },
};

export interface LibraryFigure {
  callsPerSecond: number;
  p50Us: number;
  p99Us: number;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const pct = (xs: number[], p: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
};

async function timed(call: () => unknown): Promise<{ calls: number; ms: number; times: number[] }> {
  const times: number[] = [];
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < SLICE_MS) {
    const r = call();
    if (r instanceof Promise) await r;
    const t1 = performance.now();
    times.push(t1 - t);
    t = t1;
  }
  return { calls: times.length, ms: t - t0, times };
}

export async function runLibraryBench() {
  const timestamp = new Date(CASE.at);
  const peerUsage = { input_tokens: CASE.usage.inputTokens, cache_read_tokens: CASE.usage.cacheReadTokens, output_tokens: CASE.usage.outputTokens };
  const body = { models: [CASE.ours], at: CASE.at, currency: 'USD', usage: CASE.usage };
  const peerCall = () => calcPrice(peerUsage, CASE.peer.model, { providerId: CASE.peer.providerId, timestamp });
  const ourCall = () => quote(body, { now: CASE.at });
  const t = performance.now();
  const first = await ourCall(); // seeds the offline engine from the bundled snapshot
  const firstCallMs = round(performance.now() - t, 0);
  const peer = peerCall();
  const ourTotal = (first as { quotes: Array<{ total: unknown }> }).quotes[0]?.total;
  await timed(peerCall);
  await timed(ourCall);
  const a: Array<Awaited<ReturnType<typeof timed>>> = [];
  const b: Array<Awaited<ReturnType<typeof timed>>> = [];
  for (let i = 0; i < SLICES; i++) {
    b.push(await timed(peerCall));
    a.push(await timed(ourCall));
  }
  const figure = (xs: typeof a): LibraryFigure => ({
    callsPerSecond: round(median(xs.map((x) => (x.calls / x.ms) * 1000)), 0),
    p50Us: round(pct(xs.flatMap((x) => x.times), 50) * 1000, 1),
    p99Us: round(pct(xs.flatMap((x) => x.times), 99) * 1000, 1),
  });
  return {
    case: { model: CASE.ours, peerModel: `${CASE.peer.providerId}/${CASE.peer.model}`, at: CASE.at, usage: CASE.usage },
    totals: { ours: ourTotal, peer: peer?.total_price ?? null },
    firstCallMs,
    ours: figure(a),
    peer: figure(b),
    /** Median of ours ÷ peer calls per second over the slices (goal ≥ 1). */
    ratio: round(median(a.map((x, i) => x.calls / x.ms / (b[i].calls / b[i].ms)))),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await runLibraryBench(), null, 2));
