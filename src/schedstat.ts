// Where the calling thread's time went, from Linux's /proc/thread-self/schedstat: on a CPU, or
// waiting for one (runnable but not scheduled). A stall of the event loop that the thread spent
// waiting for a CPU is the machine's load, not this process's work; tracing and the stall tests
// tell the two apart with it. Elsewhere (no procfs) both read 0.
import { readFileSync } from 'node:fs';

export interface SchedStat {
  /** Time spent running on a CPU so far, ms. */
  onCpuMs: number;
  /** Time spent runnable, waiting for a CPU, so far, ms. */
  runQueueMs: number;
}

let available = true;

export function threadSchedStat(): SchedStat {
  if (available) {
    try {
      const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
      return { onCpuMs: Number(run) / 1e6, runQueueMs: Number(wait) / 1e6 };
    } catch {
      available = false;
    }
  }
  return { onCpuMs: 0, runQueueMs: 0 };
}

/** Whether threadSchedStat measures anything here. */
export function schedStatAvailable(): boolean {
  threadSchedStat();
  return available;
}
