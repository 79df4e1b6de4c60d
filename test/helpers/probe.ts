// A /healthz probe every 10 ms while something else runs: the worst latency is counted from when
// each probe was due, so a stalled timer (a blocked event loop) counts as much as a slow answer.
// And a watcher of this thread's event loop that tells its own stalls from the machine's load.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { threadSchedStat, schedStatAvailable } from '../../src/schedstat.ts';
export interface ProbeResult {
  worstMs: number;
  /** When the worst probe was due, ms after the probe started. */
  worstAtMs: number;
  probes: number;
  /**
   * The worst latency less the time this thread waited for a CPU meanwhile (Linux; else the
   * latency): what is left when the machine's load is taken out, for a server in this process.
   */
  worstUnqueuedMs: number;
}

export function probeHealthz(url: string): { stop(): Promise<ProbeResult> } {
  let running = true;
  const t0 = performance.now();
  const out: ProbeResult = { worstMs: 0, worstAtMs: 0, probes: 0, worstUnqueuedMs: 0 };
  const loop = (async () => {
    while (running) {
      const due = performance.now() + 10;
      const queued = threadSchedStat().runQueueMs;
      await new Promise((r) => setTimeout(r, 10));
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      const latency = performance.now() - due;
      if (latency > out.worstMs) Object.assign(out, { worstMs: latency, worstAtMs: due - t0 });
      out.worstUnqueuedMs = Math.max(out.worstUnqueuedMs, latency - (threadSchedStat().runQueueMs - queued));
      out.probes++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return out;
    },
  };
}

/** Runs `work` under a probe; its duration and the probe's figures. */
export async function withProbe<T>(url: string, work: () => Promise<T>): Promise<ProbeResult & { result: T; ms: number }> {
  const probe = probeHealthz(url);
  const t0 = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - t0;
    return { ...(await probe.stop()), result, ms };
  } finally {
    await probe.stop();
  }
}

/** One stall of this thread's event loop: a gap between two ticks of a 5 ms timer. */
export interface LoopStall {
  /** When the gap began, ms after the watch started. */
  atMs: number;
  wallMs: number;
  /** Of the gap, the time this thread ran on a CPU: synchronous work of its own. */
  onCpuMs: number;
  /** Of the gap, the time this thread was runnable but waited for a CPU: the machine's load. */
  runQueueMs: number;
}

export interface LoopWatch {
  /** Whether the split of a stall into CPU and run-queue time was measured (Linux schedstat). */
  schedstat: boolean;
  /** monitorEventLoopDelay over the watch, ms. */
  delayMaxMs: number;
  delayP99Ms: number;
  /** The longest gap in wall time. */
  worstWall: LoopStall;
  /** The gap in which this thread ran longest on a CPU. */
  worstOnCpu: LoopStall;
  /** The gap in which this thread spent the most time not waiting for a CPU (its work, or a blocking call). */
  worstBlocked: LoopStall;
}

/**
 * Watches this thread's event loop (in tests the server runs in the test's process): every gap of
 * a 5 ms timer, split by /proc/thread-self/schedstat into time on a CPU and time waiting for one.
 * A loop blocked by the server's own work or a synchronous wait shows up as CPU or blocked time;
 * a loaded machine (other test files, a CLI child) shows up as run-queue time.
 */
export function watchLoop(): { stop(): LoopWatch } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const t0 = performance.now();
  const none: LoopStall = { atMs: 0, wallMs: 0, onCpuMs: 0, runQueueMs: 0 };
  const out = { worstWall: none, worstOnCpu: none, worstBlocked: none };
  let last = performance.now();
  let lastSched = threadSchedStat();
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = threadSchedStat();
    const stall: LoopStall = { atMs: last - t0, wallMs: now - last, onCpuMs: sched.onCpuMs - lastSched.onCpuMs, runQueueMs: sched.runQueueMs - lastSched.runQueueMs };
    if (stall.wallMs > out.worstWall.wallMs) out.worstWall = stall;
    if (stall.onCpuMs > out.worstOnCpu.onCpuMs) out.worstOnCpu = stall;
    if (blockedMs(stall) > blockedMs(out.worstBlocked)) out.worstBlocked = stall;
    last = now;
    lastSched = sched;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      histogram.disable();
      return { schedstat: schedStatAvailable(), delayMaxMs: histogram.max / 1e6, delayP99Ms: histogram.percentile(99) / 1e6, ...out };
    },
  };
}

/** A stall's time not spent waiting for a CPU: the thread's own work or a blocking call. */
export const blockedMs = (s: LoopStall): number => Math.max(0, s.wallMs - s.runQueueMs);

export const describeStall = (s: LoopStall): string =>
  `${s.wallMs.toFixed(0)} ms at ${s.atMs.toFixed(0)} ms (on CPU ${s.onCpuMs.toFixed(0)}, waiting for a CPU ${s.runQueueMs.toFixed(0)})`;
