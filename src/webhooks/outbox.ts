// The outbox: events are written in the same transaction as the changes they announce, and fanned
// out to the matching subscriptions' delivery rows in that transaction too, so a crash can lose
// neither the change nor its notification.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../timeline/write.ts';
import type { ChangeRecord } from '../timeline/queries.ts';
import { ChangeType } from '../model.ts';

export const EVENT_TYPES = [
  'price.changed',
  'price.announced',
  'price.announcement_withdrawn',
  'promo.started',
  'promo.ended',
  'model.added',
  'model.removed',
  'scraper.failed',
  'scraper.recovered',
  'scraper.degraded',
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

export const SubscriptionFilter = z
  .object({
    providers: z.array(z.string().min(1).max(64)).max(100).optional(),
    models: z.array(z.string().min(1).max(200)).max(500).optional(),
    components: z.array(z.string().min(1).max(64)).max(50).optional(),
    /** Event types (`price.changed`) or change types (`price_cut`). */
    types: z.array(z.union([EventType, ChangeType])).max(50).optional(),
    minChangePct: z.number().min(0).max(100_000).optional(),
  })
  .strict();
export type SubscriptionFilter = z.infer<typeof SubscriptionFilter>;

export interface OutboxEvent {
  id: string;
  type: EventType;
  createdAt: number;
  provider: string | null;
  /** price.* and promo.*: one `change`; model.added / model.removed: the model and its `changes`. */
  data: Record<string, unknown> & { change?: ChangeRecord; model?: string; changes?: ChangeRecord[] };
}

/** Which event announces a change (model.added / model.removed are grouped per model by eventsForChanges). */
export function eventTypeOf(c: ChangeRecord, modelIsNew: boolean, modelIsGone: boolean): EventType {
  if (c.type === 'announcement_withdrawn') return 'price.announcement_withdrawn';
  if (c.upcoming) return 'price.announced';
  switch (c.type) {
    case 'promo_started':
      return 'promo.started';
    case 'promo_ended':
      return 'promo.ended';
    case 'price_added':
    case 'first_known':
      return modelIsNew ? 'model.added' : 'price.changed';
    case 'price_removed':
      return modelIsGone ? 'model.removed' : 'price.changed';
    default:
      return 'price.changed';
  }
}

/**
 * The events of one reconcile: one `model.added` per new model carrying the lines it was added
 * with, one `model.removed` per model left without a live price carrying the lines removed, and one
 * event per other change (price.*, promo.*, price.announcement_withdrawn).
 */
export function eventsForChanges(
  provider: string,
  records: ChangeRecord[],
  ctx: { createdModels: Set<string>; liveModels: Set<string>; now: number },
): OutboxEvent[] {
  const grouped = new Map<string, { type: 'model.added' | 'model.removed'; model: string; changes: ChangeRecord[] }>();
  const single: OutboxEvent[] = [];
  for (const c of records) {
    const type = eventTypeOf(c, ctx.createdModels.has(c.model), !ctx.liveModels.has(c.model));
    if (type === 'model.added' || type === 'model.removed') {
      const k = `${type}\u0000${c.model}`;
      const g = grouped.get(k) ?? { type, model: c.model, changes: [] };
      g.changes.push(c);
      grouped.set(k, g);
    } else single.push(newEvent(type, provider, { provider, change: c }, ctx.now));
  }
  const models = [...grouped.values()].map((g) => newEvent(g.type, provider, { provider, model: g.model, changes: g.changes }, ctx.now));
  return [...models, ...single];
}

export function matchesFilter(f: SubscriptionFilter, e: OutboxEvent): boolean {
  const c = e.data.change;
  // A model event matches through its model and any of its lines.
  const lines = c ? [c] : (e.data.changes ?? []);
  const model = c?.model ?? e.data.model;
  if (f.providers?.length && !(e.provider && f.providers.includes(e.provider))) return false;
  if (f.models?.length && !(model && f.models.includes(model))) return false;
  if (f.components?.length && !lines.some((l) => f.components!.includes(l.component))) return false;
  if (f.types?.length && !f.types.some((t) => t === e.type || lines.some((l) => t === l.type))) return false;
  if (f.minChangePct !== undefined && c) {
    // A change without a percentage (a new or removed price) passes; a small move does not.
    if (c.changePct !== null && Math.abs(c.changePct) < f.minChangePct) return false;
  }
  return true;
}

/** Writes events and their deliveries inside the caller's transaction. */
export async function writeEvents(tx: Tx, events: OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  const subs = await tx.all<{ id: string; filter: string }>(sql`SELECT id, filter FROM subscriptions WHERE status = 'active'`);
  const parsed = subs.map((s) => ({ id: s.id, filter: JSON.parse(s.filter) as SubscriptionFilter }));
  for (const e of events) {
    await tx.run(sql`INSERT INTO events (id, type, created_at, provider, payload, fanned_out_at)
      VALUES (${e.id}, ${e.type}, ${e.createdAt}, ${e.provider}, ${JSON.stringify(e.data)}, ${e.createdAt})`);
    const targets = parsed.filter((s) => matchesFilter(s.filter, e));
    for (let i = 0; i < targets.length; i += 100) {
      const values = targets
        .slice(i, i + 100)
        .map((s) => sql`(${`dlv_${randomUUID()}`}, ${s.id}, ${e.id}, 'pending', 0, ${e.createdAt}, ${e.createdAt})`);
      await tx.run(sql`INSERT INTO deliveries (id, subscription_id, event_id, status, attempts, next_attempt_at, created_at)
        VALUES ${sql.join(values, sql`, `)} ON CONFLICT DO NOTHING`);
    }
  }
}

export function newEvent(type: EventType, provider: string | null, data: OutboxEvent['data'], createdAt: number): OutboxEvent {
  return { id: `evt_${randomUUID()}`, type, createdAt, provider, data };
}
