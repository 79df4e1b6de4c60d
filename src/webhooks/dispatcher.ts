// The dispatcher: takes due deliveries from the outbox and POSTs them, at least once.
//
// - Claims are one atomic UPDATE … RETURNING (status → delivering, claimed_by, claimed_until), so
//   two instances on one database never attempt the same delivery; a claim whose holder died
//   (kill -9) expires and the row is taken again.
// - Every attempt is logged in delivery_attempts; failures are retried on retry-schedule.ts's
//   schedule (Retry-After can only postpone); after the last attempt the delivery is `failed`
//   (replayable). 410 disables the subscription at once; so does failing without a single
//   success for 5 days. The reason is recorded.
// - `webhook-id` is the delivery id: the same on every retry and replay.
// - A bounded number of POSTs run at once, and at most `perEndpoint` (default 1) per subscription,
//   across instances: a hanging receiver holds one POST, not the slots every other one needs.
//   The clock is injectable so tests drive the schedule.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Client, InStatement } from '@libsql/client';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { log } from '../log.ts';
import { toIso } from '../time.ts';
import { policyFromEnv, type AddressPolicy } from './address-policy.ts';
import { buildBody, type WebhookFormat } from './body.ts';
import { deliver, DEFAULT_TIMEOUT_MS, type DeliveryResult } from './deliver.ts';
import { decodeEvent, type StoredEvent } from './events.ts';
import { createGuardedAgents, type GuardedAgents, type Resolver } from './guarded-connect.ts';
import { DISABLE_AFTER_MS, nextAttemptAt, shouldDisableEndpoint } from './retry-schedule.ts';
import { signDelivery } from './sign.ts';
import { signingSecrets } from './subscriptions.ts';

export interface DispatcherOptions {
  database: Database;
  /** Which private ranges may be reached; default from TOKENTRAIL_WEBHOOK_ALLOW. */
  policy?: AddressPolicy;
  now?: () => number;
  /** Names this instance in claims; default host:pid:random. */
  instanceId?: string;
  /** Parallel POSTs (default 64). */
  concurrency?: number;
  /** Parallel POSTs to one subscription (default 1), so slow endpoints cannot starve the rest. */
  perEndpoint?: number;
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** How long a claim protects a delivery; must exceed the timeout (default timeout + 45 s). */
  claimTtlMs?: number;
  /** Idle polling for due deliveries when running (default 1 s); wake() skips the wait. */
  pollIntervalMs?: number;
  /** Jitter source for the retry schedule. */
  random?: () => number;
  /** DNS for destinations (tests fake it). */
  resolver?: Resolver;
  disableAfterMs?: number;
  /** Reuse connections (default true; a one-off attempt turns it off). */
  keepAlive?: boolean;
}

export interface AttemptOutcome {
  deliveryId: string;
  subscriptionId: string;
  attempt: number;
  result: DeliveryResult | null;
  /** What the delivery is now. */
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: number | null;
  /** Set when this attempt disabled the subscription. */
  disabledReason?: string;
}

export interface DrainStats {
  attempted: number;
  delivered: number;
  failed: number;
  retrying: number;
}

interface Claimed {
  id: string;
  attempts: number;
  subscription_id: string;
  url: string | null;
  format: WebhookFormat | null;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  sub_status: 'active' | 'disabled' | null;
  disabled_reason: string | null;
  failing_since: number | null;
  event_id: string;
  type: string | null;
  created_at: number | null;
  provider: string | null;
  payload: string | null;
}

export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class Dispatcher {
  readonly instanceId: string;
  private readonly db: Database['db'];
  private readonly client: Client;
  private readonly policy: AddressPolicy;
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly perEndpoint: number;
  private readonly timeoutMs: number;
  private readonly claimTtlMs: number;
  private readonly pollIntervalMs: number;
  private readonly random: () => number;
  private readonly disableAfterMs: number;
  private readonly agents: GuardedAgents;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Attempt records waiting for the next write batch (see write()). */
  private queued: { stmts: InStatement[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;
  /** Bodies by event and format, for a fan-out of one event to many subscribers. */
  private bodies = new Map<string, string>();

  constructor(o: DispatcherOptions) {
    this.db = o.database.db;
    this.client = o.database.client;
    this.policy = o.policy ?? policyFromEnv();
    this.now = o.now ?? Date.now;
    this.instanceId = o.instanceId ?? defaultInstanceId();
    this.concurrency = Math.max(1, o.concurrency ?? 64);
    this.perEndpoint = Math.max(1, o.perEndpoint ?? 1);
    this.timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.claimTtlMs = o.claimTtlMs ?? this.timeoutMs + 45_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.random = o.random ?? Math.random;
    this.disableAfterMs = o.disableAfterMs ?? DISABLE_AFTER_MS;
    // Keep-alive: a fan-out to many subscriptions on few hosts reuses connections. Sockets are
    // only ever opened to checked addresses (guarded-connect.ts).
    this.agents = createGuardedAgents({ policy: this.policy, resolver: o.resolver, agentOptions: { keepAlive: o.keepAlive ?? true, maxSockets: this.concurrency } });
  }

  /** Attempts every delivery due now (and those due while it works) until none is left. */
  async drain(): Promise<DrainStats> {
    const stats: DrainStats = { attempted: 0, delivered: 0, failed: 0, retrying: 0 };
    const inflight = new Set<Promise<void>>();
    const track = (c: Claimed) => {
      const p = this.process(c)
        .then((o) => {
          if (!o) return;
          stats.attempted += o.result ? 1 : 0;
          if (o.status === 'delivered') stats.delivered++;
          else if (o.status === 'failed') stats.failed++;
          else stats.retrying++;
        })
        .catch((err) => log.error({ err, delivery: c.id }, 'webhook delivery crashed'))
        .finally(() => inflight.delete(p));
      inflight.add(p);
    };
    try {
      for (;;) {
        if (!this.running && this.loop !== null) break; // stopping: finish what is in flight only
        const room = this.concurrency - inflight.size;
        // Claim in batches, not one row per finished POST: fewer write transactions.
        if (room >= Math.ceil(this.concurrency / 4) || inflight.size === 0) {
          const claimed = await this.claim(room);
          for (const c of claimed) track(c);
          if (claimed.length === 0 && inflight.size === 0) break;
          if (claimed.length > 0) continue;
        }
        await Promise.race(inflight);
      }
    } finally {
      await Promise.all(inflight);
      this.bodies.clear();
    }
    return stats;
  }

  /**
   * Attempts one delivery now if it can be claimed (pending, or its claim expired), whatever its
   * next_attempt_at: the test route uses it. Null when another instance holds it or it is done.
   */
  async attempt(deliveryId: string): Promise<AttemptOutcome | null> {
    const claimed = await this.claim(1, deliveryId);
    if (claimed.length === 0) return null;
    try {
      return await this.process(claimed[0]);
    } finally {
      this.bodies.clear();
    }
  }

  /** Runs drain() whenever deliveries are due (polling, or at once after wake()). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.drain();
        } catch (err) {
          // A busy database or a transient error: try again on the next round.
          log.warn({ err }, 'webhook dispatcher round failed');
        }
        if (!this.running) break;
        await this.sleep(this.pollIntervalMs);
      }
    })();
  }

  /** New deliveries were written: look now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops claiming, waits for POSTs in flight to be recorded, releases any claim still held. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    this.loop = null;
    await this.releaseClaims();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Puts back deliveries this instance claimed but did not attempt. */
  async releaseClaims(): Promise<number> {
    const rows = await this.db.all<{ id: string }>(sql`UPDATE deliveries SET status = 'pending', claimed_by = NULL, claimed_until = NULL
      WHERE claimed_by = ${this.instanceId} AND status = 'delivering' RETURNING id`);
    return rows.length;
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /**
   * Atomically claims up to `limit` due deliveries (or the one named) and reads what sending them
   * needs. The claim is one UPDATE … RETURNING: atomic on its own, and no transaction is held
   * open across an await (the libsql binding waits for a busy lock synchronously, so a write
   * transaction left open between two awaits can stall every other connection in the process).
   */
  private async claim(limit: number, onlyId?: string): Promise<Claimed[]> {
    if (limit <= 0) return [];
    const now = this.now();
    // Expired claims first (their holder died), then pending rows by due time (the deliveries_due
    // index), at most perEndpoint per subscription counting the ones in flight on any instance.
    // One statement takes the write lock for its whole run, so the rows it selects are still
    // claimable when it updates them.
    const which = onlyId
      ? sql`id = ${onlyId} AND (status = 'pending' OR (status = 'delivering' AND claimed_until < ${now}))`
      : sql`id IN (SELECT id FROM (SELECT id FROM deliveries WHERE status = 'delivering' AND claimed_until < ${now} LIMIT ${limit})
          UNION ALL SELECT id FROM (
            SELECT id, next_attempt_at FROM (
              SELECT d.id, d.next_attempt_at,
                ROW_NUMBER() OVER (PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.created_at, d.id)
                  + (SELECT count(*) FROM deliveries b WHERE b.subscription_id = d.subscription_id AND b.status = 'delivering' AND b.claimed_until >= ${now}) AS rank
              FROM deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= ${now})
            WHERE rank <= ${this.perEndpoint} ORDER BY next_attempt_at LIMIT ${limit})
          LIMIT ${limit})`;
    const ids = await this.db.all<{ id: string }>(sql`UPDATE deliveries SET status = 'delivering', claimed_by = ${this.instanceId}, claimed_until = ${now + this.claimTtlMs}
      WHERE ${which} RETURNING id`);
    if (ids.length === 0) return [];
    return this.db.all<Claimed>(sql`SELECT d.id, d.attempts, d.subscription_id, s.url, s.format, s.secret, s.previous_secret,
        s.previous_secret_expires_at, s.status AS sub_status, s.disabled_reason, s.failing_since, d.event_id, e.type, e.created_at, e.provider, e.payload
      FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id LEFT JOIN events e ON e.id = d.event_id
      WHERE d.id IN (${sql.join(ids.map((r) => sql`${r.id}`), sql`, `)})`);
  }

  private body(c: Claimed, event: StoredEvent): string {
    const key = `${event.id}\u0000${c.format}`;
    let b = this.bodies.get(key);
    if (b === undefined) {
      b = buildBody(event, c.format ?? 'standard');
      if (this.bodies.size > 1000) this.bodies.clear();
      this.bodies.set(key, b);
    }
    return b;
  }

  private async process(c: Claimed): Promise<AttemptOutcome | null> {
    if (c.sub_status !== 'active' || c.url === null || c.secret === null || c.type === null) {
      // Disabled or deleted subscription, or a missing event: nothing to send; replayable later.
      const reason = c.sub_status === 'disabled' ? `subscription disabled: ${c.disabled_reason ?? 'no reason recorded'}` : c.sub_status === null ? 'subscription deleted' : 'event missing';
      await this.db.run(sql`UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, claimed_by = NULL, claimed_until = NULL, last_error = ${reason}
        WHERE id = ${c.id} AND claimed_by = ${this.instanceId}`);
      return { deliveryId: c.id, subscriptionId: c.subscription_id, attempt: Number(c.attempts), result: null, status: 'failed', nextAttemptAt: null };
    }
    const event = decodeEvent({ id: c.event_id, type: c.type, created_at: Number(c.created_at), provider: c.provider, payload: c.payload ?? '{}' });
    const body = this.body(c, event);
    const at = this.now();
    const headers = signDelivery({ id: c.id, timestamp: new Date(at), body, secrets: signingSecrets({ ...c, secret: c.secret }, at) });
    const result = await deliver({
      url: c.url,
      body,
      headers,
      policy: this.policy,
      agents: this.agents,
      timeoutMs: this.timeoutMs,
      now: () => new Date(this.now()),
    });
    return this.record(c, at, result);
  }

  /**
   * Logs the attempt and decides what next, in one write batch (statements run back to back
   * between BEGIN and COMMIT, with no await in between).
   */
  private async record(c: Claimed, at: number, r: DeliveryResult): Promise<AttemptOutcome> {
    const attempt = Number(c.attempts) + 1;
    const done = this.now();
    const error = r.ok ? null : (r.error ?? r.outcome).slice(0, 1000);
    const status = r.status ?? null;
    const stmts: InStatement[] = [
      {
        sql: 'INSERT INTO delivery_attempts (delivery_id, attempt, at, status, ok, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
        args: [c.id, attempt, at, status, r.ok ? 1 : 0, error, r.durationMs],
      },
    ];
    // `claimed_by = me`: if our claim expired and another instance took the row, it decides.
    const mine = 'WHERE id = ? AND claimed_by = ?';
    let out: AttemptOutcome;
    if (r.ok) {
      stmts.push(
        {
          sql: `UPDATE deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, next_attempt_at = NULL, claimed_by = NULL,
            claimed_until = NULL, last_status = ?, last_error = NULL ${mine}`,
          args: [attempt, done, status, c.id, this.instanceId],
        },
        { sql: 'UPDATE subscriptions SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL', args: [c.subscription_id] },
      );
      out = { deliveryId: c.id, subscriptionId: c.subscription_id, attempt, result: r, status: 'delivered', nextAttemptAt: null };
    } else {
      let disabledReason: string | undefined;
      let next: number | null = null;
      if (r.outcome === 'gone') {
        disabledReason = `the endpoint answered 410 Gone at ${toIso(done)}`;
      } else {
        next = nextAttemptAt(attempt, new Date(done), r.retryAfterMs, { random: this.random })?.getTime() ?? null;
        // failing_since as read at the claim; the UPDATE keeps whichever failure came first.
        const since = c.failing_since === null ? at : Math.min(Number(c.failing_since), at);
        stmts.push({ sql: 'UPDATE subscriptions SET failing_since = coalesce(min(failing_since, ?), ?) WHERE id = ?', args: [at, at, c.subscription_id] });
        if (shouldDisableEndpoint({ failingSince: new Date(since), now: new Date(done) }, this.disableAfterMs)) {
          disabledReason = `failing continuously since ${toIso(since)} (${Math.round(this.disableAfterMs / 86_400_000)} days without a successful delivery); last error: ${error}`;
        }
      }
      const final = next === null || disabledReason !== undefined;
      stmts.push({
        sql: `UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = NULL,
          last_status = ?, last_error = ? ${mine}`,
        args: [final ? 'failed' : 'pending', attempt, final ? null : next, status, error, c.id, this.instanceId],
      });
      if (disabledReason !== undefined) stmts.push(...disableStatements(c.subscription_id, disabledReason, done));
      out = {
        deliveryId: c.id,
        subscriptionId: c.subscription_id,
        attempt,
        result: r,
        status: final ? 'failed' : 'pending',
        nextAttemptAt: final ? null : next,
        ...(disabledReason !== undefined && { disabledReason }),
      };
    }
    await this.write(stmts);
    if (out.disabledReason) log.warn({ subscription: c.subscription_id, reason: out.disabledReason }, 'webhook endpoint disabled');
    return out;
  }

  /**
   * Runs `stmts` as one transaction, together with the other attempts recorded in the same turn of
   * the event loop: one commit for many deliveries when a fan-out is in full flow.
   */
  private write(stmts: InStatement[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ stmts, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queued.splice(0);
    try {
      await this.client.batch(batch.flatMap((b) => b.stmts), 'write');
      for (const b of batch) b.resolve();
    } catch {
      // One at a time, so a failing record does not take the others down with it.
      for (const b of batch) await this.client.batch(b.stmts, 'write').then(b.resolve, b.reject);
    }
  }
}

/** Disables a subscription with its reason; its pending deliveries fail (and stay replayable). */
export function disableStatements(id: string, reason: string, now: number): InStatement[] {
  return [
    { sql: "UPDATE subscriptions SET status = 'disabled', disabled_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'", args: [reason, now, id] },
    {
      sql: "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = ? WHERE subscription_id = ? AND status = 'pending'",
      args: [`subscription disabled: ${reason}`, id],
    },
  ];
}

export function createDispatcher(o: DispatcherOptions): Dispatcher {
  return new Dispatcher(o);
}
