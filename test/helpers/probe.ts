// A /healthz probe every 10 ms while something else runs: the worst latency is counted from when
// each probe was due, so a stalled timer (a blocked event loop) counts as much as a slow answer.
export interface ProbeResult {
  worstMs: number;
  /** When the worst probe was due, ms after the probe started. */
  worstAtMs: number;
  probes: number;
}

export function probeHealthz(url: string): { stop(): Promise<ProbeResult> } {
  let running = true;
  const t0 = performance.now();
  const out: ProbeResult = { worstMs: 0, worstAtMs: 0, probes: 0 };
  const loop = (async () => {
    while (running) {
      const due = performance.now() + 10;
      await new Promise((r) => setTimeout(r, 10));
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      const latency = performance.now() - due;
      if (latency > out.worstMs) Object.assign(out, { worstMs: latency, worstAtMs: due - t0 });
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
