// The timeline database (drizzle-orm on libsql). Instants are integer milliseconds since the epoch
// (UTC); amounts are decimal strings, never floats.
import { sqliteTable, text, integer, blob, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const providers = sqliteTable('providers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  /** The full Provider record as JSON, so export reproduces it exactly. */
  record: text('record').notNull(),
});

export const models = sqliteTable(
  'models',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** The full Model record (metadata, aliases, sources) as JSON. */
    record: text('record').notNull(),
  },
  (t) => [index('models_provider').on(t.provider)],
);

/** Alias → model, with the alias's own validity (denormalised from models.record for lookups). */
export const aliases = sqliteTable(
  'aliases',
  {
    alias: text('alias').notNull(),
    model: text('model').notNull(),
    validFrom: integer('valid_from'),
    validTo: integer('valid_to'),
  },
  (t) => [primaryKey({ columns: [t.alias, t.model] })],
);

/**
 * A series is one price line: (model, component, currency, unit, conditions, kind). Facts hang off
 * it, so a price-at query is one index seek per series, however long the history grows.
 */
export const series = sqliteTable(
  'series',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    model: text('model').notNull(),
    component: text('component').notNull(),
    currency: text('currency').notNull(),
    unit: text('unit').notNull(),
    /** Canonical JSON of the conditions (sorted keys); `{}` for none. */
    conditions: text('conditions').notNull(),
    kind: text('kind', { enum: ['list', 'promo'] }).notNull(),
  },
  (t) => [
    uniqueIndex('series_identity').on(t.model, t.component, t.currency, t.unit, t.conditions, t.kind),
  ],
);

export const facts = sqliteTable(
  'facts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    seriesId: integer('series_id').notNull(),
    amount: text('amount').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    announcedAt: integer('announced_at'),
    recordedAt: integer('recorded_at').notNull(),
    supersededAt: integer('superseded_at'),
    priorUnknown: integer('prior_unknown', { mode: 'boolean' }).notNull().default(false),
    free: integer('free', { mode: 'boolean' }).notNull().default(false),
    /** JSON [from, to] in ms, for scraped changes without a stated date. */
    detectedBetween: text('detected_between'),
    sources: text('sources').notNull(),
    confidence: text('confidence', { enum: ['high', 'medium', 'low'] }).notNull(),
    /** sha256 of the fact's identity (series, amount, valid and recorded time): makes import idempotent. */
    factKey: text('fact_key').notNull(),
    /** The scrape run that wrote it; null for curated facts. */
    runId: integer('run_id'),
    /** The latest observation that showed this fact unchanged while in force (see observations). */
    lastConfirmedAt: integer('last_confirmed_at'),
  },
  (t) => [
    uniqueIndex('facts_key').on(t.factKey),
    index('facts_series_valid').on(t.seriesId, t.validFrom, t.recordedAt),
    index('facts_recorded').on(t.recordedAt),
  ],
);

export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  provider: text('provider').notNull(),
  record: text('record').notNull(),
});

export const planTerms = sqliteTable(
  'plan_terms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    plan: text('plan').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    recordedAt: integer('recorded_at').notNull(),
    supersededAt: integer('superseded_at'),
    /** The full PlanTerms record without supersededAt, as JSON. */
    record: text('record').notNull(),
    factKey: text('fact_key').notNull(),
  },
  (t) => [uniqueIndex('plan_terms_key').on(t.factKey), index('plan_terms_plan').on(t.plan, t.validFrom)],
);

export const planRates = sqliteTable(
  'plan_rates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    plan: text('plan').notNull(),
    model: text('model').notNull(),
    component: text('component').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    recordedAt: integer('recorded_at').notNull(),
    supersededAt: integer('superseded_at'),
    record: text('record').notNull(),
    factKey: text('fact_key').notNull(),
  },
  (t) => [uniqueIndex('plan_rates_key').on(t.factKey), index('plan_rates_plan').on(t.plan, t.validFrom)],
);

/** Raw fetched pages, gzip-compressed, addressed by the sha256 of the uncompressed bytes. */
export const snapshots = sqliteTable('snapshots', {
  sha256: text('sha256').primaryKey(),
  url: text('url').notNull(),
  fetchedAt: integer('fetched_at').notNull(),
  contentType: text('content_type'),
  size: integer('size').notNull(),
  gzip: blob('gzip', { mode: 'buffer' }).notNull(),
});

/** What we last saw of each page: conditional-GET validators and the last snapshot parsed. */
export const pageState = sqliteTable('page_state', {
  url: text('url').primaryKey(),
  provider: text('provider').notNull(),
  etag: text('etag'),
  lastModified: text('last_modified'),
  lastSnapshot: text('last_snapshot'),
  lastObservedAt: integer('last_observed_at'),
  /** A suspect observation waiting for confirmation: its snapshot hash and when it was first seen. */
  pendingSnapshot: text('pending_snapshot'),
  pendingSince: integer('pending_since'),
  pendingClaims: text('pending_claims'),
});

export const scrapeRuns = sqliteTable(
  'scrape_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    provider: text('provider').notNull(),
    url: text('url'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    /** `partial`: applied, but some sections were not read (or rows refused); it removed nothing. */
    outcome: text('outcome', { enum: ['running', 'ok', 'unchanged', 'failed', 'suspect', 'partial'] }).notNull(),
    reason: text('reason'),
    snapshot: text('snapshot'),
    /** For an accepted page: the instant its claims took effect (its observation, or the first
     * suspect sighting it confirmed). Re-parse replays pages in this order. */
    effectiveFrom: integer('effective_from'),
    observations: integer('observations').notNull().default(0),
    factsAdded: integer('facts_added').notNull().default(0),
    factsSuperseded: integer('facts_superseded').notNull().default(0),
    changes: integer('changes').notNull().default(0),
  },
  (t) => [index('scrape_runs_provider').on(t.provider, t.startedAt)],
);

/**
 * Every observation of a series by a scrape run, confirming or changing: what the page claimed for
 * it (segments) and what was in force at the observation. Knowledge in itself: a later observation
 * bounds what an older copy ingested afterwards may claim, and it says when a fact was last confirmed.
 */
export const observations = sqliteTable(
  'observations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    seriesId: integer('series_id').notNull(),
    runId: integer('run_id').notNull(),
    url: text('url').notNull(),
    snapshot: text('snapshot'),
    /** The valid-time instant the page speaks for (its observation, or the first sighting it confirmed). */
    observedAt: integer('observed_at').notNull(),
    knownAt: integer('known_at').notNull(),
    /** The amount the page showed in force at observedAt; null when it only announced a future one. */
    amount: text('amount'),
    /** JSON of the page's segments for this series: [[amount, from, to|null, dated, free], …]. */
    claims: text('claims').notNull(),
  },
  (t) => [index('observations_series').on(t.seriesId, t.observedAt), index('observations_run').on(t.runId), index('observations_url').on(t.url, t.observedAt)],
);

/** Key/value facts about the database itself, e.g. the data version that caches are keyed by. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** Leases so that only one instance scrapes a provider (or runs a job) at a time. */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

/** Events (changes, scraper health) written in the same transaction as what they announce. */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    createdAt: integer('created_at').notNull(),
    provider: text('provider'),
    payload: text('payload').notNull(),
    /** Set once the dispatcher has fanned the event out to the matching subscriptions. */
    fannedOutAt: integer('fanned_out_at'),
  },
  (t) => [index('events_fanout').on(t.fannedOutAt, t.createdAt)],
);

export const subscriptions = sqliteTable('subscriptions', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  filter: text('filter').notNull(),
  format: text('format', { enum: ['standard', 'slack'] }).notNull(),
  secret: text('secret').notNull(),
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: integer('previous_secret_expires_at'),
  status: text('status', { enum: ['active', 'disabled'] }).notNull(),
  disabledReason: text('disabled_reason'),
  failingSince: integer('failing_since'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const deliveries = sqliteTable(
  'deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull(),
    eventId: text('event_id').notNull(),
    status: text('status', { enum: ['pending', 'delivering', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    claimedBy: text('claimed_by'),
    claimedUntil: integer('claimed_until'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('deliveries_due').on(t.status, t.nextAttemptAt),
    index('deliveries_subscription').on(t.subscriptionId, t.createdAt),
    uniqueIndex('deliveries_once').on(t.subscriptionId, t.eventId),
  ],
);

export const deliveryAttempts = sqliteTable(
  'delivery_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deliveryId: text('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    at: integer('at').notNull(),
    status: integer('status'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('delivery_attempts_delivery').on(t.deliveryId, t.attempt)],
);
