// When to try a delivery again, and when to give up on an endpoint. Pure functions of their
// inputs (time and randomness are parameters) so a test clock can drive them.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Delay before attempt n+1, counted from the failure of attempt n (index 0 = the first attempt,
 * made immediately). Eight attempts spread over about 27.5 hours.
 */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
]);
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;

/** ±10%: spreads retries of many deliveries that failed together (a receiver outage). */
export const DEFAULT_JITTER_RATIO = 0.1;
/** A receiver's Retry-After is honoured up to this; beyond it we retry at the cap anyway. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;
/** An endpoint failing without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * DAY;

export interface ScheduleOptions {
  /** Uniform [0, 1) source; injectable for tests. Default Math.random. */
  random?: () => number;
  /** Jitter as a fraction of the delay, applied ±. Default 0.1. */
  jitterRatio?: number;
  /** Cap on an honoured Retry-After. Default 24 h. */
  maxRetryAfterMs?: number;
}

/** The delay before the attempt after `attemptNumber` (1-based), without jitter; null if none. */
export function baseDelayMs(attemptNumber: number): number | null {
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) {
    throw new RangeError(`attemptNumber must be an integer ≥ 1, got ${attemptNumber}`);
  }
  return attemptNumber < MAX_ATTEMPTS ? RETRY_DELAYS_MS[attemptNumber] : null;
}

/**
 * When to make the next attempt after attempt `attemptNumber` (1-based) failed at `failedAt`;
 * null when that was the last attempt. A `retryAfterMs` from the receiver (see parseRetryAfter)
 * can only postpone the attempt, never bring it forward, and is capped.
 */
export function nextAttemptAt(
  attemptNumber: number,
  failedAt: Date,
  retryAfterMs?: number | null,
  opts: ScheduleOptions = {},
): Date | null {
  const base = baseDelayMs(attemptNumber);
  if (base === null) return null;
  const random = opts.random ?? Math.random;
  const ratio = opts.jitterRatio ?? DEFAULT_JITTER_RATIO;
  const cap = opts.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
  // random() in [0,1) → factor in [1-ratio, 1+ratio).
  const jittered = Math.round(base * (1 + ratio * (2 * random() - 1)));
  const honoured = retryAfterMs != null && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.min(retryAfterMs, cap) : 0;
  return new Date(failedAt.getTime() + Math.max(jittered, honoured));
}

/**
 * Parses a Retry-After header: delay-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015
 * 07:28:00 GMT`). Returns milliseconds from `now` (0 for a date in the past), capped; undefined
 * when absent or unparseable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined | null,
  now: Date = new Date(),
  maxMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw == null) return undefined;
  const v = raw.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Math.min(Number(v) * SECOND, maxMs);
  // An HTTP-date always names a weekday or month; this keeps Date.parse from accepting "1.5" etc.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  // asctime (`Sun Nov  6 08:49:37 1994`) carries no zone but means GMT; Date.parse would read local time.
  const asctime = /^[A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/.test(v);
  const at = Date.parse(asctime ? `${v} GMT` : v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now.getTime()), maxMs);
}

export interface EndpointHealth {
  /** First failure since the last success (null when the last attempt succeeded / no failures). */
  failingSince: Date | null;
  now: Date;
}

/** The rule "disable an endpoint after it has failed continuously for 5 days". */
export function shouldDisableEndpoint(health: EndpointHealth, windowMs: number = DISABLE_AFTER_MS): boolean {
  if (health.failingSince === null) return false;
  return health.now.getTime() - health.failingSince.getTime() >= windowMs;
}
