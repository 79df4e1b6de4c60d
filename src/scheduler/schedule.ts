// When each provider is scraped: a cron pattern (croner) from TOKENTRAIL_SCHEDULE, with per-provider
// overrides TOKENTRAIL_SCHEDULE_<PROVIDER> (e.g. TOKENTRAIL_SCHEDULE_OPENROUTER); `off` disables.
// Patterns are evaluated in UTC. Croner is used only to compute slot instants: timers and the
// clock are ours, so tests can drive slots with a fake clock.
import { Cron } from 'croner';
import { BadInputError } from '../errors.ts';

export const SCHEDULE_ENV = 'TOKENTRAIL_SCHEDULE';
/** Every 6 hours (00:00, 06:00, 12:00, 18:00 UTC); each instance adds its own random jitter. */
export const DEFAULT_SCHEDULE = '0 */6 * * *';

/** One provider's slots. */
export class Slots {
  readonly pattern: string;
  private readonly cron: Cron;

  constructor(pattern: string, field = SCHEDULE_ENV) {
    this.pattern = pattern;
    try {
      this.cron = new Cron(pattern, { timezone: 'UTC', paused: true });
    } catch (e) {
      throw new BadInputError(`${field}: "${pattern}" is not a cron pattern (${(e as Error).message}); use e.g. "0 */6 * * *" or "off"`, { field });
    }
    if (this.cron.nextRun(new Date(0)) === null) throw new BadInputError(`${field}: "${pattern}" never fires`, { field });
  }

  /** The latest slot at or before `t`, or null. */
  at(t: number): number | null {
    return this.cron.previousRuns(1, new Date(t + 1))[0]?.getTime() ?? null;
  }

  /** The first slot strictly after `t`. */
  after(t: number): number | null {
    return this.cron.nextRun(new Date(t))?.getTime() ?? null;
  }

  /** The n-th slot after `t` (n = 1 is `after(t)`). */
  nth(t: number, n: number): number | null {
    const runs = this.cron.nextRuns(n, new Date(t));
    return runs.length === n ? runs[n - 1].getTime() : null;
  }
}

/** `openrouter` → `TOKENTRAIL_SCHEDULE_OPENROUTER`. */
export function overrideEnvName(provider: string): string {
  return `${SCHEDULE_ENV}_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The schedule of each provider: its Slots, or null when it is off. `base` and `overrides` win over
 * the environment.
 */
export function providerSchedules(
  providers: readonly string[],
  opts: { base?: string; overrides?: Record<string, string>; env?: NodeJS.ProcessEnv } = {},
): Map<string, Slots | null> {
  const env = opts.env ?? process.env;
  const base = (opts.base ?? env[SCHEDULE_ENV] ?? DEFAULT_SCHEDULE).trim() || DEFAULT_SCHEDULE;
  const out = new Map<string, Slots | null>();
  for (const p of providers) {
    const field = overrideEnvName(p);
    const own = opts.overrides?.[p] ?? env[field];
    const pattern = own !== undefined && own.trim() !== '' ? own.trim() : base;
    out.set(p, pattern.toLowerCase() === 'off' ? null : new Slots(pattern, own !== undefined ? field : SCHEDULE_ENV));
  }
  return out;
}
