// Events as the dispatcher reads them back from the outbox, and the events that are not price
// changes: scraper health (written by the scheduler) and the test event of POST /v1/webhooks/{id}/test.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { toIso, toIsoOrNull } from '../time.ts';
import type { Tx } from '../timeline/write.ts';
import { newEvent, type EventType, type OutboxEvent } from './outbox.ts';

/** Sent only to the one subscription it was asked for; never fanned out, never matched by filters. */
export const TEST_EVENT_TYPE = 'webhook.test';
export type WebhookEventType = EventType | typeof TEST_EVENT_TYPE;

/** An `events` row, decoded. */
export interface StoredEvent {
  id: string;
  type: WebhookEventType;
  createdAt: number;
  provider: string | null;
  data: Record<string, unknown>;
}

export interface EventRow {
  id: string;
  type: string;
  created_at: number;
  provider: string | null;
  payload: string;
}

export function decodeEvent(r: EventRow): StoredEvent {
  return {
    id: r.id,
    type: r.type as WebhookEventType,
    createdAt: Number(r.created_at),
    provider: r.provider,
    data: JSON.parse(r.payload) as Record<string, unknown>,
  };
}

/** `data` of `scraper.failed`. */
export interface ScraperFailedData {
  provider: string;
  consecutiveFailures: number;
  /** When the first failed run of this streak started. */
  failingSince: string | null;
  lastFailureAt: string;
  reason: string | null;
  url: string | null;
  lastSuccessAt: string | null;
}

/** `data` of `scraper.recovered`. */
export interface ScraperRecoveredData {
  provider: string;
  /** Failed runs in the streak that just ended. */
  failedRuns: number;
  failingSince: string | null;
  recoveredAt: string;
}

export function scraperFailedEvent(d: Omit<ScraperFailedData, 'failingSince' | 'lastFailureAt' | 'lastSuccessAt'> & {
  failingSince: number | null;
  lastFailureAt: number;
  lastSuccessAt: number | null;
}, createdAt: number): OutboxEvent {
  const data: ScraperFailedData = {
    ...d,
    failingSince: toIsoOrNull(d.failingSince),
    lastFailureAt: toIso(d.lastFailureAt),
    lastSuccessAt: toIsoOrNull(d.lastSuccessAt),
  };
  return newEvent('scraper.failed', d.provider, { ...data }, createdAt);
}

export function scraperRecoveredEvent(d: { provider: string; failedRuns: number; failingSince: number | null; recoveredAt: number }, createdAt: number): OutboxEvent {
  const data: ScraperRecoveredData = {
    provider: d.provider,
    failedRuns: d.failedRuns,
    failingSince: toIsoOrNull(d.failingSince),
    recoveredAt: toIso(d.recoveredAt),
  };
  return newEvent('scraper.recovered', d.provider, { ...data }, createdAt);
}

/**
 * Writes a test event and one delivery of it to one subscription (not through writeEvents: a test
 * must not reach the other subscribers). Returns the delivery id (= its `webhook-id`).
 */
export async function writeTestEvent(tx: Tx, subscriptionId: string, now: number): Promise<{ eventId: string; deliveryId: string }> {
  const eventId = `evt_${randomUUID()}`;
  const deliveryId = `dlv_${randomUUID()}`;
  const data = { test: true, subscriptionId, message: 'A test event from tokentrail: this endpoint is reachable and verifies our signature.' };
  // fanned_out_at is set: there is nothing to fan out.
  await tx.run(sql`INSERT INTO events (id, type, created_at, provider, payload, fanned_out_at)
    VALUES (${eventId}, ${TEST_EVENT_TYPE}, ${now}, NULL, ${JSON.stringify(data)}, ${now})`);
  await tx.run(sql`INSERT INTO deliveries (id, subscription_id, event_id, status, attempts, next_attempt_at, created_at)
    VALUES (${deliveryId}, ${subscriptionId}, ${eventId}, 'pending', 0, ${now}, ${now})`);
  return { eventId, deliveryId };
}
