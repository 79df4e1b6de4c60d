// Webhook subscriptions and their delivery log: create (the `whsec_` secret is returned once and
// never listed again), read, change, delete, rotate the secret, send a test event, replay a delivery.
// The HTTP routes (api/webhooks.ts) are a thin layer over these functions.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { BadInputError, NotFoundError } from '../errors.ts';
import { toIso, toIsoOrNull } from '../time.ts';
import { first, type Tx } from '../timeline/write.ts';
import { parseDestination, type AddressPolicy } from './address-policy.ts';
import { writeTestEvent } from './events.ts';
import { SubscriptionFilter } from './outbox.ts';
import { didYouMean } from '../suggest.ts';
import { generateSecret } from './sign.ts';

/** How long the previous secret still signs after a rotation (both signatures are sent meanwhile). */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

export const WebhookFormat = z.enum(['standard', 'slack']);
export const SubscriptionStatus = z.enum(['active', 'disabled']);

export const CreateSubscriptionInput = z
  .object({
    url: z.string().min(1).max(2048),
    description: z.string().max(500).optional(),
    filter: SubscriptionFilter.optional(),
    format: WebhookFormat.optional(),
  })
  .strict();
export type CreateSubscriptionInput = z.infer<typeof CreateSubscriptionInput>;

export const UpdateSubscriptionInput = z
  .object({
    url: z.string().min(1).max(2048).optional(),
    description: z.string().max(500).nullable().optional(),
    filter: SubscriptionFilter.optional(),
    format: WebhookFormat.optional(),
    /** `active` re-enables a disabled endpoint (and forgets its failure streak). */
    status: SubscriptionStatus.optional(),
  })
  .strict();
export type UpdateSubscriptionInput = z.infer<typeof UpdateSubscriptionInput>;

/** A subscription as listed: never with its secret. */
export interface SubscriptionView {
  id: string;
  url: string;
  description: string | null;
  filter: SubscriptionFilter;
  format: 'standard' | 'slack';
  status: 'active' | 'disabled';
  disabledReason: string | null;
  /** First failed attempt since the last successful one (5 days of that disables the endpoint). */
  failingSince: string | null;
  /** During a rotation: until when the previous secret still signs. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptView {
  attempt: number;
  at: string;
  status: number | null;
  ok: boolean;
  error: string | null;
  durationMs: number;
}

export interface DeliveryView {
  /** Also the `webhook-id` header: stable across retries and replays. */
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string | null;
  status: 'pending' | 'delivering' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptLog: AttemptView[];
}

export interface ServiceOptions {
  policy: AddressPolicy;
  now: number;
}

interface SubscriptionRow {
  id: string;
  url: string;
  description: string | null;
  filter: string;
  format: 'standard' | 'slack';
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

function toView(r: SubscriptionRow, now: number): SubscriptionView {
  const rotating = r.previous_secret !== null && r.previous_secret_expires_at !== null && Number(r.previous_secret_expires_at) > now;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    filter: JSON.parse(r.filter) as SubscriptionFilter,
    format: r.format,
    status: r.status,
    disabledReason: r.disabled_reason,
    failingSince: toIsoOrNull(r.failing_since === null ? null : Number(r.failing_since)),
    previousSecretExpiresAt: rotating ? toIso(Number(r.previous_secret_expires_at)) : null,
    createdAt: toIso(Number(r.created_at)),
    updatedAt: toIso(Number(r.updated_at)),
  };
}

async function row(tx: Tx, id: string): Promise<SubscriptionRow> {
  const r = await first<SubscriptionRow>(tx, sql`SELECT * FROM subscriptions WHERE id = ${id}`);
  if (!r) throw new NotFoundError(`no webhook subscription ${id}`, 'id');
  return r;
}

/**
 * A filter names providers and models the dataset knows (a model may be named by an alias): a
 * typo such as "deepsek" would otherwise match nothing, silently, forever. 422 with a suggestion.
 * (On a database holding no dataset at all there is nothing to check against.)
 */
async function checkFilter(db: Db, f: SubscriptionFilter | undefined): Promise<void> {
  if (!f) return;
  const check = async (field: 'providers' | 'models', wanted: string[] | undefined, table: ReturnType<typeof sql>) => {
    if (!wanted?.length) return;
    // Only the names asked are looked up; every name is read only to suggest one for a typo.
    const lower = [...new Set(wanted.map((w) => w.toLowerCase()))];
    const found = await db.all<{ id: string }>(sql`SELECT id FROM (${table}) WHERE lower(id) IN (${sql.join(lower.map((w) => sql`${w}`), sql`, `)})`);
    const have = new Set(found.map((r) => r.id.toLowerCase()));
    const unknown = wanted.find((w) => !have.has(w.toLowerCase()));
    if (unknown === undefined) return;
    const names = (await db.all<{ id: string }>(table)).map((r) => r.id);
    if (names.length === 0) return; // a database without a dataset has nothing to check against
    throw new BadInputError(`filter.${field}: unknown ${field === 'providers' ? 'provider' : 'model'} "${unknown}"${didYouMean(unknown, names)}`, { status: 422, field: `filter.${field}` });
  };
  await check('providers', f.providers, sql`SELECT id FROM providers`);
  await check('models', f.models, sql`SELECT id FROM models UNION SELECT alias AS id FROM aliases`);
}

export async function createSubscription(db: Db, input: CreateSubscriptionInput, o: ServiceOptions): Promise<{ subscription: SubscriptionView; secret: string }> {
  const url = parseDestination(input.url, o.policy).url.href;
  await checkFilter(db, input.filter);
  const id = `whk_${randomUUID()}`;
  const secret = generateSecret();
  const filter = JSON.stringify(input.filter ?? {});
  await db.run(sql`INSERT INTO subscriptions (id, url, description, filter, format, secret, status, created_at, updated_at)
    VALUES (${id}, ${url}, ${input.description ?? null}, ${filter}, ${input.format ?? 'standard'}, ${secret}, 'active', ${o.now}, ${o.now})`);
  return { subscription: toView(await row(db, id), o.now), secret };
}

export async function listSubscriptions(db: Db, now: number): Promise<SubscriptionView[]> {
  const rows = await db.all<SubscriptionRow>(sql`SELECT * FROM subscriptions ORDER BY created_at, id`);
  return rows.map((r) => toView(r, now));
}

export async function getSubscription(db: Db, id: string, now: number): Promise<SubscriptionView> {
  return toView(await row(db, id), now);
}

export async function updateSubscription(db: Db, id: string, patch: UpdateSubscriptionInput, o: ServiceOptions): Promise<SubscriptionView> {
  await row(db, id);
  await checkFilter(db, patch.filter);
  const sets = [sql`updated_at = ${o.now}`];
  if (patch.url !== undefined) sets.push(sql`url = ${parseDestination(patch.url, o.policy).url.href}`);
  if (patch.description !== undefined) sets.push(sql`description = ${patch.description}`);
  if (patch.filter !== undefined) sets.push(sql`filter = ${JSON.stringify(patch.filter)}`);
  if (patch.format !== undefined) sets.push(sql`format = ${patch.format}`);
  if (patch.status === 'active') sets.push(sql`status = 'active', disabled_reason = NULL, failing_since = NULL`);
  if (patch.status === 'disabled') sets.push(sql`status = 'disabled', disabled_reason = coalesce(disabled_reason, 'disabled by an administrator')`);
  await db.run(sql`UPDATE subscriptions SET ${sql.join(sets, sql`, `)} WHERE id = ${id}`);
  return toView(await row(db, id), o.now);
}

/** Deletes a subscription with its deliveries and their log (pending ones are never sent). */
export async function deleteSubscription(db: Db, id: string): Promise<void> {
  await row(db, id);
  await db.transaction(async (tx) => {
    await tx.run(sql`DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE subscription_id = ${id})`);
    await tx.run(sql`DELETE FROM deliveries WHERE subscription_id = ${id}`);
    await tx.run(sql`DELETE FROM subscriptions WHERE id = ${id}`);
  });
}

/**
 * A new secret; the current one becomes the previous one and keeps signing for `graceMs`, so a
 * receiver can switch over without missing a verification. Returns the new secret once.
 */
export async function rotateSecret(db: Db, id: string, now: number, graceMs = ROTATION_GRACE_MS): Promise<{ subscription: SubscriptionView; secret: string }> {
  const secret = generateSecret();
  await db.transaction(async (tx) => {
    await row(tx, id);
    await tx.run(sql`UPDATE subscriptions SET previous_secret = secret, previous_secret_expires_at = ${now + graceMs},
      secret = ${secret}, updated_at = ${now} WHERE id = ${id}`);
  });
  return { subscription: toView(await row(db, id), now), secret };
}

/** The secrets a delivery made at `now` is signed with: current first, then a still-valid previous one. */
export function signingSecrets(r: { secret: string; previous_secret: string | null; previous_secret_expires_at: number | null }, now: number): string[] {
  const out = [r.secret];
  if (r.previous_secret && r.previous_secret_expires_at !== null && Number(r.previous_secret_expires_at) > now) out.push(r.previous_secret);
  return out;
}

/** Queues a test event for one subscription; the caller attempts it (the dispatcher retries it otherwise). */
export async function queueTestEvent(db: Db, id: string, now: number): Promise<{ eventId: string; deliveryId: string }> {
  const sub = await row(db, id);
  if (sub.status !== 'active') throw disabledError(sub);
  return db.transaction((tx) => writeTestEvent(tx, id, now));
}

function disabledError(sub: SubscriptionRow): BadInputError {
  return new BadInputError(
    `webhook ${sub.id} is disabled (${sub.disabled_reason ?? 'no reason recorded'}); re-enable it with PATCH {"status":"active"} first`,
    { status: 422, field: 'status' },
  );
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string | null;
  status: DeliveryView['status'];
  attempts: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

const DELIVERY_COLUMNS = sql`d.id, d.subscription_id, d.event_id, e.type AS event_type, d.status, d.attempts, d.next_attempt_at,
  d.last_status, d.last_error, d.created_at, d.delivered_at`;

async function attemptLogs(db: Tx, ids: string[]): Promise<Map<string, AttemptView[]>> {
  const out = new Map<string, AttemptView[]>();
  if (ids.length === 0) return out;
  const rows = await db.all<{ delivery_id: string; attempt: number; at: number; status: number | null; ok: number; error: string | null; duration_ms: number }>(
    sql`SELECT delivery_id, attempt, at, status, ok, error, duration_ms FROM delivery_attempts
      WHERE delivery_id IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) ORDER BY id`,
  );
  for (const r of rows) {
    const list = out.get(r.delivery_id) ?? [];
    list.push({ attempt: Number(r.attempt), at: toIso(Number(r.at)), status: r.status === null ? null : Number(r.status), ok: Boolean(r.ok), error: r.error, durationMs: Number(r.duration_ms) });
    out.set(r.delivery_id, list);
  }
  return out;
}

function deliveryView(r: DeliveryRow, log: AttemptView[]): DeliveryView {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    eventId: r.event_id,
    eventType: r.event_type,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.status === 'pending' ? toIsoOrNull(r.next_attempt_at === null ? null : Number(r.next_attempt_at)) : null,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    createdAt: toIso(Number(r.created_at)),
    deliveredAt: toIsoOrNull(r.delivered_at === null ? null : Number(r.delivered_at)),
    attemptLog: log,
  };
}

export interface DeliveryQuery {
  status?: DeliveryView['status'];
  limit?: number;
  /** From a previous page's nextCursor. */
  cursor?: string;
}

function encodeCursor(r: DeliveryRow): string {
  return Buffer.from(`${r.created_at}:${r.id}`, 'utf8').toString('base64url');
}

function decodeCursor(c: string): { createdAt: number; id: string } {
  const text = Buffer.from(c, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):(dlv_[A-Za-z0-9-]{1,64})$/.exec(text);
  // An instant past Number.MAX_SAFE_INTEGER is no cursor we made (and SQLite cannot bind it).
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw new BadInputError('cursor: not a cursor this API returned', { field: 'cursor' });
  return { createdAt: Number(m[1]), id: m[2] };
}

/** A subscription's deliveries, newest first, each with its attempt log. */
export async function listDeliveries(db: Db, subscriptionId: string, q: DeliveryQuery = {}): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  await row(db, subscriptionId);
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const where = [sql`d.subscription_id = ${subscriptionId}`];
  if (q.status) where.push(sql`d.status = ${q.status}`);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(sql`(d.created_at < ${c.createdAt} OR (d.created_at = ${c.createdAt} AND d.id < ${c.id}))`);
  }
  const rows = await db.all<DeliveryRow>(sql`SELECT ${DELIVERY_COLUMNS} FROM deliveries d LEFT JOIN events e ON e.id = d.event_id
    WHERE ${sql.join(where, sql` AND `)} ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const logs = await attemptLogs(db, page.map((r) => r.id));
  return {
    data: page.map((r) => deliveryView(r, logs.get(r.id) ?? [])),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null,
  };
}

export async function getDelivery(db: Tx, id: string): Promise<DeliveryView> {
  const r = await first<DeliveryRow>(db, sql`SELECT ${DELIVERY_COLUMNS} FROM deliveries d LEFT JOIN events e ON e.id = d.event_id WHERE d.id = ${id}`);
  if (!r) throw new NotFoundError(`no webhook delivery ${id}`, 'id');
  const logs = await attemptLogs(db, [id]);
  return deliveryView(r, logs.get(id) ?? []);
}

/**
 * Sends a delivery again: back to pending, due now, attempts counted from zero (the attempt log
 * keeps the earlier ones). Same delivery id, so the same `webhook-id`: receivers de-duplicate.
 */
export async function replayDelivery(db: Db, id: string, now: number): Promise<DeliveryView> {
  return db.transaction(async (tx) => {
    const d = await first<{ subscription_id: string; status: string }>(tx, sql`SELECT subscription_id, status FROM deliveries WHERE id = ${id}`);
    if (!d) throw new NotFoundError(`no webhook delivery ${id}`, 'id');
    if (d.status === 'delivering') throw new BadInputError(`delivery ${id} is being attempted right now; try again in a moment`, { status: 422, field: 'id' });
    const sub = await row(tx, d.subscription_id);
    if (sub.status !== 'active') throw disabledError(sub);
    await tx.run(sql`UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ${now}, claimed_by = NULL,
      claimed_until = NULL, last_error = NULL, last_status = NULL, delivered_at = NULL WHERE id = ${id}`);
    return getDelivery(tx, id);
  });
}
