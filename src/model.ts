// The price model: every shape that crosses a boundary (dataset files, the database, the API,
// scrapers) is defined here once as a zod schema; the TypeScript type shares its name.
import { z } from 'zod';

/** UTC instant, ISO 8601 with a zone (Z or ±hh:mm); normalised to `…Z` by `toIso`. */
export const Instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 instant with a zone, e.g. 2026-05-01T00:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a real instant');
export type Instant = z.infer<typeof Instant>;

/** A non-negative exact decimal as a string ("0.003625"); never a float. */
export const DecimalString = z
  .string()
  .regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'expected a plain non-negative decimal such as "0.435"');
export type DecimalString = z.infer<typeof DecimalString>;

/**
 * Money in every answer (API JSON, the library, CLI `--json`, the dataset): an exact decimal
 * string, canonical and in plain notation ("0.27"; never the JSON number 0.27, never "2.7e-1").
 * JSON numbers are doubles; a total past 15–17 significant digits would silently change.
 */
export const Money = DecimalString.meta({
  id: 'Money',
  description: 'An exact decimal string in plain notation, canonical (no trailing zeros), e.g. "0.27" or "1650". Parse it with a decimal library, not as a float, to keep it exact.',
  examples: ['0.27', '0.003625', '1650'],
});
export type Money = z.infer<typeof Money>;

export const Confidence = z.enum(['high', 'medium', 'low']);
export type Confidence = z.infer<typeof Confidence>;

export const Source = z
  .object({
    url: z.url(),
    title: z.string().optional(),
    retrievedAt: Instant.optional(),
    archiveUrl: z.url().optional(),
    snapshot: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex').optional(),
    note: z.string().optional(),
  })
  .strict();
export type Source = z.infer<typeof Source>;

export const Sources = z.array(Source).min(1, 'every figure needs at least one source');

/** Known components; the set is open (`input_audio`, `request`, `web_search`, …). */
export const KNOWN_COMPONENTS = ['input', 'cache_read', 'cache_write', 'output'] as const;
export const Component = z.string().regex(/^[a-z][a-z0-9_]*$/, 'component: lowercase snake_case');
export type Component = z.infer<typeof Component>;

export const Currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as USD or CNY');
export type Currency = z.infer<typeof Currency>;

export const ProviderId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'provider id: lowercase letters, digits, dashes');
export type ProviderId = z.infer<typeof ProviderId>;

/** `provider/api-model-name`, lowercased; aggregators keep the upstream slash. */
export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9._:\/-]*$/, 'model id: provider/model, lowercase');
export type ModelId = z.infer<typeof ModelId>;

const HHMM = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'HH:MM');

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export const IsoWeekday = z.number().int().min(1).max(7);

/**
 * A time-of-day window read in `tz` (any IANA zone). Each range is [start, end) in local time; a
 * range whose end is before its start wraps past midnight ("22:00"–"06:00"). `days` (ISO weekdays,
 * of the local day on which the range starts) limits the window to those days; absent = every day.
 */
export const HoursWindow = z
  .object({
    tz: z.string().min(1).refine(isTimeZone, 'unknown IANA time zone'),
    ranges: z.array(z.tuple([HHMM, HHMM])).min(1),
    days: z.array(IsoWeekday).min(1).max(7).optional(),
    label: z.string().optional(),
  })
  .strict();
export type HoursWindow = z.infer<typeof HoursWindow>;

export const ServiceTier = z.enum(['batch', 'flex', 'priority']);
export type ServiceTier = z.infer<typeof ServiceTier>;
export const CacheTtl = z.enum(['5m', '1h']);
export type CacheTtl = z.infer<typeof CacheTtl>;

/** What a context tier counts: the request's input tokens (default) or its total context (input + output). */
export const ContextMeasure = z.enum(['input', 'total']);
export type ContextMeasure = z.infer<typeof ContextMeasure>;

export const Conditions = z
  .object({
    /** The row applies when the request's context (see contextMeasure) exceeds this many tokens… */
    contextAbove: z.number().int().positive().optional(),
    /** …or reaches it, when the page states the bound as inclusive ("≥ 272K", "272K and above"). */
    contextInclusive: z.literal(true).optional(),
    /** Omitted = input tokens (cache reads and writes included), as DESIGN §3 says. */
    contextMeasure: z.literal('total').optional(),
    hours: HoursWindow.optional(),
    serviceTier: ServiceTier.optional(),
    cacheTtl: CacheTtl.optional(),
    variant: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.contextAbove === undefined && (c.contextInclusive || c.contextMeasure))
      ctx.addIssue({ code: 'custom', path: ['contextInclusive'], message: 'contextInclusive and contextMeasure qualify contextAbove, which is missing' });
  });
export type Conditions = z.infer<typeof Conditions>;

export const PriceKind = z.enum(['list', 'promo']);
export type PriceKind = z.infer<typeof PriceKind>;

/** A public catalog read as a secondary source (DESIGN §4, kind `catalog`). */
export const CatalogId = z.enum(['genai-prices', 'models.dev', 'llm-prices', 'litellm']);
export type CatalogId = z.infer<typeof CatalogId>;

/** One number with its scope and its valid and knowledge time (DESIGN §3). */
export const PriceFact = z
  .object({
    model: ModelId,
    component: Component,
    currency: Currency,
    unit: z.string().min(1),
    conditions: Conditions,
    amount: DecimalString,
    kind: PriceKind,
    validFrom: Instant,
    validTo: Instant.nullable(),
    announcedAt: Instant.optional(),
    recordedAt: Instant,
    supersededAt: Instant.nullable().optional(),
    /** The latest observation by any source that showed this fact unchanged (DESIGN §3). */
    lastConfirmedAt: Instant.optional(),
    /** What this series cost before validFrom is not known (a new currency list, a first scrape). */
    priorUnknown: z.boolean().optional(),
    /** Stated as free by the provider; a 0 without this flag is refused. */
    free: z.boolean().optional(),
    /** A scraped change with no stated date: [last observation of the old value, first of the new]. */
    detectedBetween: z.tuple([Instant, Instant]).optional(),
    /** The catalog that states this fact (`models.dev`, `genai-prices`, …), as its own series beside the
     * provider's; absent = the provider's own page or a curated fact (docs/decisions.md, precedence). */
    origin: CatalogId.optional(),
    sources: Sources,
    confidence: Confidence,
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.validTo !== null && Date.parse(f.validTo) <= Date.parse(f.validFrom))
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validTo must be after validFrom' });
    if (f.supersededAt && Date.parse(f.supersededAt) <= Date.parse(f.recordedAt))
      ctx.addIssue({ code: 'custom', path: ['supersededAt'], message: 'supersededAt must be after recordedAt' });
    if (/^0(\.0+)?$/.test(f.amount) && !f.free)
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a price of 0 must be stated as free (free: true)' });
  });
export type PriceFact = z.infer<typeof PriceFact>;

export const ModelAlias = z
  .object({
    alias: ModelId,
    validFrom: Instant.optional(),
    validTo: Instant.nullable().optional(),
    note: z.string().optional(),
    sources: Sources,
  })
  .strict();
export type ModelAlias = z.infer<typeof ModelAlias>;

export const Model = z
  .object({
    id: ModelId,
    provider: ProviderId,
    name: z.string().min(1),
    contextWindow: z.number().int().positive().optional(),
    maxOutput: z.number().int().positive().optional(),
    releasedAt: Instant.optional(),
    deprecatedAt: Instant.optional(),
    retiredAt: Instant.optional(),
    renamedFrom: ModelId.optional(),
    /** A hosted or regional model (Bedrock, Vertex, Azure, a reseller): the upstream model it serves. */
    upstream: ModelId.optional(),
    aliases: z.array(ModelAlias).optional(),
    note: z.string().optional(),
    sources: Sources.optional(),
  })
  .strict();
export type Model = z.infer<typeof Model>;

export const Provider = z
  .object({
    id: ProviderId,
    name: z.string().min(1),
    url: z.url(),
    pricingPages: z.array(z.url()).optional(),
  })
  .strict();
export type Provider = z.infer<typeof Provider>;

export const PlanId = ModelId; // `xiaomi/token-plan-lite`
export type PlanId = z.infer<typeof PlanId>;

export const TokenPlan = z
  .object({ id: PlanId, provider: ProviderId, name: z.string().min(1), note: z.string().optional() })
  .strict();
export type TokenPlan = z.infer<typeof TokenPlan>;

const versioned = {
  validFrom: Instant,
  validTo: Instant.nullable(),
  announcedAt: Instant.optional(),
  recordedAt: Instant,
  supersededAt: Instant.nullable().optional(),
  sources: Sources,
  confidence: Confidence,
};

/** A plan's fee and credits for a period, versioned like a price. */
export const PlanTerms = z
  .object({
    plan: PlanId,
    fee: DecimalString,
    currency: Currency,
    period: z.enum(['day', 'week', 'month', 'year']),
    credits: DecimalString,
    ...versioned,
  })
  .strict();
export type PlanTerms = z.infer<typeof PlanTerms>;

/** Credits a plan charges per token of one model component. */
export const PlanRate = z
  .object({
    plan: PlanId,
    model: ModelId,
    component: Component,
    creditsPerToken: DecimalString,
    ...versioned,
  })
  .strict();
export type PlanRate = z.infer<typeof PlanRate>;

/** One file of `data/`: a provider and everything known about its prices. */
export const ProviderDataset = z
  .object({
    $schema: z.string().optional(),
    provider: Provider,
    models: z.array(Model),
    plans: z.array(TokenPlan),
    facts: z.array(PriceFact),
    planTerms: z.array(PlanTerms),
    planRates: z.array(PlanRate),
  })
  .strict();
export type ProviderDataset = z.infer<typeof ProviderDataset>;

/** What a scraper's parse claims a page says. Pure data, no clock. */
export const Observation = z
  .object({
    model: ModelId,
    component: Component,
    currency: Currency,
    unit: z.string().min(1),
    conditions: Conditions,
    amount: DecimalString,
    kind: PriceKind,
    /** With kind promo: the list price the page shows beside it. */
    listAmount: DecimalString.optional(),
    validFrom: Instant.optional(),
    validTo: Instant.optional(),
    announcedAt: Instant.optional(),
    free: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();
export type Observation = z.infer<typeof Observation>;

export const ObservedModel = z
  .object({
    id: ModelId,
    name: z.string().min(1),
    contextWindow: z.number().int().positive().optional(),
    maxOutput: z.number().int().positive().optional(),
    aliases: z.array(z.object({ alias: ModelId, note: z.string().optional() }).strict()).optional(),
  })
  .strict();
export type ObservedModel = z.infer<typeof ObservedModel>;

/**
 * A part of a provider's price list: every field given must match (conditions exactly, by their
 * canonical key); an empty scope is the whole page. Coverage speaks in scopes.
 */
export const CoverageScope = z
  .object({
    model: ModelId.optional(),
    component: Component.optional(),
    currency: Currency.optional(),
    conditions: Conditions.optional(),
  })
  .strict();
export type CoverageScope = z.infer<typeof CoverageScope>;

/** A section of the page the parser could not read, why, and which prices it would have held. */
export const UnreadSection = z
  .object({
    section: z.string().min(1),
    reason: z.string().min(1),
    /** The prices the section holds, when known; absent = unknown which, so nothing on the page may be removed. */
    scope: z.array(CoverageScope).optional(),
  })
  .strict();
export type UnreadSection = z.infer<typeof UnreadSection>;

/**
 * What a parse read and what it could not. Reconcile closes or changes only series inside `read`
 * and outside every unread section's scope; a parse with unread sections is a `partial` run, which
 * never removes a price.
 */
export const Coverage = z
  .object({
    read: z.array(CoverageScope),
    unread: z.array(UnreadSection),
    /** Rows on the page vs rows read, for replay reports ("rows read vs rows on the page"). */
    rowsOnPage: z.number().int().nonnegative().optional(),
    rowsRead: z.number().int().nonnegative().optional(),
  })
  .strict();
export type Coverage = z.infer<typeof Coverage>;

export const ParseResult = z
  .object({
    provider: ProviderId,
    /** Absent (older parsers): the page is taken to read every price of the provider in its currencies. */
    coverage: Coverage.optional(),
    observations: z.array(Observation),
    models: z.array(ObservedModel).optional(),
    planTerms: z.array(PlanTerms.omit({ validFrom: true, validTo: true, recordedAt: true, supersededAt: true, sources: true, confidence: true }).extend({ validFrom: Instant.optional() })).optional(),
    planRates: z.array(PlanRate.omit({ validFrom: true, validTo: true, recordedAt: true, supersededAt: true, sources: true, confidence: true }).extend({ validFrom: Instant.optional() })).optional(),
    /** Page-level statements worth keeping (e.g. "the scheduled increase will not occur"). */
    notes: z.array(z.string()).optional(),
  })
  .strict();
export type ParseResult = z.infer<typeof ParseResult>;

export const ChangeType = z.enum([
  'price_cut',
  'price_increase',
  'price_added',
  'price_removed',
  'tier_removed',
  'first_known',
  'promo_started',
  'promo_ended',
  'list_changed',
  'announcement_withdrawn',
  'split',
]);
export type ChangeType = z.infer<typeof ChangeType>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
