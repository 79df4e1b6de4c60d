// Response shapes for the OpenAPI document and the typed client. They describe what the core's
// queries return (src/timeline/*, src/quote.ts); the price model's own schemas are reused.
import { z } from '@hono/zod-openapi';
import { ChangeType, Conditions, Confidence, Model, Money, PriceKind, Provider, Source } from '../src/model.ts';
import { FxLineSchemaFields } from '../src/fx/convert.ts';
import { SuspectStale } from '../src/fx/consistency.ts';

const instant = z.string().openapi({ format: 'date-time', example: '2026-05-01T00:00:00.000Z' });
/**
 * Money or null. A union, not `MoneyOrNull`: the generator turns a nullable of a named schema
 * into a bare `$ref` and makes the component itself nullable, which would let every amount be null.
 */
export const MoneyOrNull = z.union([Money, z.null()]);
// Schemas made in src/ before @hono/zod-openapi loaded lack `.openapi()`; zod's own `.meta({id})`
// names them as components just the same.
const SourceSchema = Source.meta({ id: 'Source' });
const ConditionsSchema = Conditions.meta({ id: 'Conditions' });

export const ScraperHealthSchema = z
  .object({
    lastRunAt: instant.nullable(),
    lastOutcome: z.string().nullable(),
    lastSuccessAt: instant.nullable(),
    lastFailureAt: instant.nullable(),
    lastFailureReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    runs: z.number().int(),
  })
  .openapi('ScraperHealth');

export const ProviderFreshnessSchema = z
  .object({
    lines: z.number().int().openapi({ description: 'Price lines in force now (effective lines, every currency).' }),
    staleLines: z.number().int().openapi({ description: 'Of those, lines that are stale.' }),
    lastConfirmedAt: instant.nullable().openapi({ description: 'The newest confirmation among its lines.' }),
    oldestConfirmedAt: instant.nullable().openapi({ description: 'The oldest confirmation among its lines.' }),
  })
  .openapi('ProviderFreshness');

export const ProvidersResponse = z
  .object({
    data: z.array(
      Provider.extend({
        modelCount: z.number().int(),
        freshness: ProviderFreshnessSchema,
        scraper: ScraperHealthSchema,
      }).openapi('ProviderSummary'),
    ),
  })
  .openapi('Providers');

export const ModelsResponse = z
  .object({
    at: instant,
    data: z.array(
      Model.extend({ status: z.enum(['active', 'deprecated', 'retired']) }).openapi('ModelSummary', {
        description: 'A model with its aliases and its status at `at` (deprecatedAt / retiredAt).',
      }),
    ),
  })
  .openapi('Models');

export const StaleReasonSchema = z
  .object({
    code: z.enum(['not-confirmed', 'sibling-changed']),
    message: z.string(),
    currency: z.string().optional().openapi({ description: 'sibling-changed: the currency whose prices moved.' }),
    changedAt: instant.optional().openapi({ description: 'sibling-changed: when that change took effect.' }),
  })
  .openapi('StaleReason');

export const PriceRowSchema = z
  .object({
    component: z.string(),
    currency: z.string(),
    unit: z.string(),
    conditions: ConditionsSchema,
    amount: Money.describe('Effective amount per unit (promo over list), an exact decimal string.'),
    kind: PriceKind,
    listAmount: MoneyOrNull,
    validFrom: instant,
    validTo: instant.nullable(),
    announcedAt: instant.optional(),
    recordedAt: instant,
    lastConfirmedAt: instant.nullable().openapi({
      description: 'The latest instant a source showed this price unchanged, as known at `asOf` (an observation of the page or catalog, or a cited source’s retrieval); null when no source says when.',
    }),
    stale: z.boolean().openapi({
      description: 'Not confirmed within TOKENTRAIL_STALE_AFTER (default 14 days) before min(`at`, `asOf`), or a sibling line of the model in another currency changed after this line was last confirmed.',
    }),
    staleReason: StaleReasonSchema.optional(),
    free: z.boolean().optional(),
    sources: z.array(SourceSchema),
    confidence: Confidence,
    ...FxLineSchemaFields,
    flags: z.array(z.literal('suspect-stale')).optional(),
    suspectStale: SuspectStale.optional(),
    alsoReportedBy: z.array(z.string()).optional().openapi({ description: 'Other sources (`provider` or a catalog id) stating the same amount for this line at `at`.' }),
  })
  .openapi('PriceRow');

export const PriceSheetSchema = z
  .object({
    model: z.string(),
    aliasOf: z.string().optional(),
    requested: z.string().optional(),
    at: instant,
    asOf: instant,
    prices: z.array(PriceRowSchema),
  })
  .openapi('PriceSheet');

export const ProviderSheetsSchema = z
  .object({
    provider: z.string(),
    at: instant,
    asOf: instant,
    data: z.array(z.object({ model: z.string(), prices: z.array(PriceRowSchema), note: z.string().optional() })),
  })
  .openapi('ProviderPriceSheets');

export const HistoryResponse = z
  .object({
    model: z.string(),
    from: instant.nullable(),
    to: instant.nullable(),
    asOf: instant,
    facts: z.array(
      z
        .object({
          component: z.string(),
          currency: z.string(),
          unit: z.string(),
          conditions: ConditionsSchema,
          kind: PriceKind,
          amount: Money,
          validFrom: instant,
          validTo: instant.nullable(),
          announcedAt: instant.nullable(),
          recordedAt: instant,
          supersededAt: instant.nullable(),
          sources: z.array(SourceSchema),
          confidence: Confidence,
        })
        .openapi('HistoryFact'),
    ),
  })
  .openapi('History');

const changeCore = {
  model: z.string(),
  component: z.string(),
  currency: z.string(),
  unit: z.string(),
  conditions: ConditionsSchema,
  before: MoneyOrNull,
  after: MoneyOrNull,
  listBefore: MoneyOrNull,
  listAfter: MoneyOrNull,
  changePct: z.number().nullable().openapi({ description: 'Percent change of the effective price, 2 decimals (−98.2 = −98.2%).' }),
  type: ChangeType,
  effectiveAt: instant,
};

export const DiffResponse = z
  .object({
    from: instant,
    to: instant,
    asOf: instant,
    changes: z.array(z.object({ ...changeCore, ...FxLineSchemaFields, rateBefore: z.object(FxLineSchemaFields).optional() }).openapi('DiffLine')),
  })
  .openapi('Diff');

export const ChangeSchema = z
  .object({
    ...changeCore,
    announcedAt: instant.nullable(),
    detectedAt: instant,
    detectedBetween: z.tuple([instant, instant]).nullable(),
    upcoming: z.boolean(),
    sources: z.array(SourceSchema),
    withdrawnAt: instant.optional().openapi({ description: 'announcement_withdrawn only: when the announced change (effective at effectiveAt) stopped being announced.' }),
    into: z
      .array(z.object({ conditions: ConditionsSchema, after: MoneyOrNull, listAfter: MoneyOrNull }))
      .optional()
      .openapi({ description: 'split only: the conditional lines this line became at effectiveAt (its own after is null).' }),
  })
  .openapi('Change');

export const ChangesResponse = z
  .object({ data: z.array(ChangeSchema), nextCursor: z.string().nullable() })
  .openapi('Changes');

export const PlansResponse = z
  .object({
    at: instant,
    asOf: instant,
    data: z.array(
      z
        .object({
          id: z.string(),
          provider: z.string(),
          name: z.string(),
          note: z.string().optional(),
          terms: z
            .object({
              fee: Money,
              currency: z.string(),
              period: z.string(),
              credits: Money,
              validFrom: instant,
              validTo: instant.nullable(),
              sources: z.array(SourceSchema),
              confidence: Confidence,
            })
            .nullable(),
          rates: z.array(
            z.object({
              model: z.string(),
              component: z.string(),
              creditsPerToken: Money,
              validFrom: instant,
              sources: z.array(SourceSchema),
              planPricePer1M: MoneyOrNull.optional(),
              paygPricePer1M: MoneyOrNull.optional(),
              currency: z.string().nullable().optional(),
              planConversion: z.object(FxLineSchemaFields).optional(),
              paygConversion: z.object(FxLineSchemaFields).optional(),
              note: z.string().optional(),
            }),
          ),
        })
        .openapi('PlanAt'),
    ),
  })
  .openapi('Plans');

export const QuoteResponse = z
  .object({
    at: instant,
    asOf: instant,
    quotes: z.array(
      z
        .object({
          model: z.string(),
          requested: z.string().optional(),
          currency: z.string(),
          total: Money.describe('The exact sum of the lines, rounded half-even to 12 decimals.'),
          lines: z.array(
            z.object({
              component: z.string(),
              tokens: z.number(),
              unitPrice: Money,
              unit: z.string(),
              cost: Money,
              conditions: ConditionsSchema.optional(),
              note: z.string().optional(),
              ...FxLineSchemaFields,
            }),
          ),
          plan: z
            .object({
              plan: z.string(),
              credits: Money,
              creditsPerRequest: Money,
              planCredits: MoneyOrNull,
              period: z.string().nullable(),
              requestsCovered: z.number().nullable(),
              fee: MoneyOrNull,
              feeCurrency: z.string().nullable(),
              effectivePricePer1M: MoneyOrNull,
              paygPricePer1M: Money,
              currency: z.string().optional(),
              effectivePricePer1MInFeeCurrency: MoneyOrNull.optional(),
              feeConversion: z.object(FxLineSchemaFields).optional(),
              note: z.string().optional(),
            })
            .optional(),
        })
        .openapi('ModelQuote'),
    ),
    warnings: z
      .array(
        z
          .object({
            code: z.literal('stale'),
            model: z.string(),
            component: z.string(),
            currency: z.string().openapi({ description: 'The line’s published currency (a converted line is judged by the line it came from).' }),
            conditions: ConditionsSchema,
            lastConfirmedAt: instant.nullable(),
            reason: z.enum(['not-confirmed', 'sibling-changed']),
            message: z.string(),
          })
          .openapi('QuoteWarning'),
      )
      .openapi({ description: 'Price lines the quote used that are stale at the instants they priced (see PriceRow.stale); empty when every line was fresh.' }),
  })
  .openapi('Quote');

export const HealthResponse = z.object({ status: z.literal('ok') }).openapi('Health');
