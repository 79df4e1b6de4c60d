// Every environment variable the server reads, parsed once with zod at start. A bad value stops
// the start with one line naming the variable (ConfigError is a BadInputError: CLI exit 2).
import { z } from 'zod';
import { BadInputError } from './errors.ts';
import { ALLOW_ENV, parseAllowList } from './webhooks/address-policy.ts';
import { providerSchedules, SCHEDULE_ENV } from './scheduler/schedule.ts';
import { DEFAULT_STALE_AFTER_MS, parseStaleAfter } from './timeline/freshness.ts';

export class ConfigError extends BadInputError {
  constructor(message: string, field: string) {
    super(message, { field });
    this.name = 'ConfigError';
  }
}

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

/** A non-negative number; `0` turns the limit off. */
const rate = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'expected a non-negative number (0 turns the limit off)')
    .transform(Number)
    .optional()
    .transform((n) => n ?? fallback);

export const Config = z.object({
  DATABASE_URL: optionalText,
  DATABASE_AUTH_TOKEN: optionalText,
  PORT: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/, 'expected a port number')
    .transform(Number)
    .refine((n) => n <= 65535, 'expected a port number (0–65535)')
    .optional()
    .transform((n) => n ?? 8787),
  HOST: optionalText.transform((s) => s ?? '0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  TOKENTRAIL_ADMIN_TOKEN: z
    .string()
    .optional()
    // A token with whitespace can never match `Authorization: Bearer <token>`: refuse to start.
    .refine((s) => s === undefined || s === '' || !/\s/.test(s), 'contains whitespace, which a bearer token cannot carry; remove it')
    .transform((s) => (s ? s : undefined)),
  [SCHEDULE_ENV]: optionalText,
  TOKENTRAIL_CHROMIUM: optionalText,
  [ALLOW_ENV]: optionalText,
  /** `off` (default), `on` (one proxy in front), or the number of proxies in front. */
  TOKENTRAIL_TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(off|on|true|false|0|[1-9]\d?)$/, 'expected off, on or the number of proxies in front (1–99)')
    .optional()
    .transform((s) => (s === undefined || s === 'off' || s === 'false' || s === '0' ? 0 : s === 'on' || s === 'true' ? 1 : Number(s))),
  /** Quote work per client and second, in units of 100 model × request pairs (at least 1 a quote). */
  TOKENTRAIL_QUOTE_RATE: rate(100),
  TOKENTRAIL_QUOTE_BURST: rate(300),
  /** Admin writes per client and second. */
  TOKENTRAIL_WRITE_RATE: rate(1),
  TOKENTRAIL_WRITE_BURST: rate(30),
  /** Requests with a wrong or missing admin token per client and second. */
  TOKENTRAIL_AUTH_FAIL_RATE: rate(0.1),
  TOKENTRAIL_AUTH_FAIL_BURST: rate(10),
  /** How long a price stays fresh without a new confirmation: days (`14`) or `36h`, `14d`, `2w`. */
  TOKENTRAIL_STALE_AFTER: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return DEFAULT_STALE_AFTER_MS;
      try {
        return parseStaleAfter(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    }),
  /** How long a write waits for SQLite's lock before the API answers 503. */
  TOKENTRAIL_DB_BUSY_MS: rate(5000),
});
export type Config = z.infer<typeof Config>;

/** Parses the environment; throws ConfigError with one line for the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(Object.keys(Config.shape).map((k) => [k, env[k]]));
  const r = Config.safeParse(known);
  if (!r.success) {
    const issue = r.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`${name}: ${issue.message}`, name);
  }
  // Values with their own parsers: the same rules the scheduler and the dispatcher apply.
  try {
    parseAllowList(r.data[ALLOW_ENV]);
    const overrides = Object.keys(env).filter((k) => k.startsWith(`${SCHEDULE_ENV}_`));
    providerSchedules(['_', ...overrides.map((k) => k.slice(SCHEDULE_ENV.length + 1).toLowerCase())], { env });
  } catch (e) {
    if (e instanceof BadInputError) throw new ConfigError(e.message, e.field ?? 'environment');
    throw e;
  }
  return r.data;
}

/** The rate-limit settings as token buckets (`false`: off). */
export function bucketsFromConfig(c: Config) {
  const bucket = (refillPerSecond: number, capacity: number) => (refillPerSecond === 0 || capacity === 0 ? false : { refillPerSecond, capacity });
  return {
    quote: bucket(c.TOKENTRAIL_QUOTE_RATE, c.TOKENTRAIL_QUOTE_BURST),
    writes: bucket(c.TOKENTRAIL_WRITE_RATE, c.TOKENTRAIL_WRITE_BURST),
    authFailures: bucket(c.TOKENTRAIL_AUTH_FAIL_RATE, c.TOKENTRAIL_AUTH_FAIL_BURST),
  } as const;
}
