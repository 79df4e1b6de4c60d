// /v1/webhooks…: subscriptions and their delivery log (DESIGN §8). Every route needs the admin
// token (api/admin.ts) and is a thin layer over src/webhooks/subscriptions.ts. Destinations are
// checked with the SSRF policy (422 for unsafe URLs); the secret appears only in the answers of
// create and rotate-secret.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../src/db/client.ts';
import { policyFromEnv, type AddressPolicy } from '../src/webhooks/address-policy.ts';
import { Dispatcher } from '../src/webhooks/dispatcher.ts';
import { EVENT_TYPES } from '../src/webhooks/outbox.ts';
import {
  CreateSubscriptionInput,
  createSubscription,
  deleteSubscription,
  getDelivery,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  queueTestEvent,
  replayDelivery,
  rotateSecret,
  UpdateSubscriptionInput,
  updateSubscription,
} from '../src/webhooks/subscriptions.ts';
import { cursorParam } from './params.ts';
import { problemResponses } from './problem.ts';

export interface WebhookRouteDeps {
  database: Database;
  now: () => number;
  requireAdmin: MiddlewareHandler;
  /** Default: TOKENTRAIL_WEBHOOK_ALLOW. */
  webhookPolicy?: AddressPolicy;
  /** Makes the attempt of POST …/test; default one of its own (no keep-alive). */
  dispatcher?: Dispatcher;
}

const instant = z.string().openapi({ format: 'date-time', example: '2026-05-26T16:00:00.000Z' });
const idParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected an id such as whk_…')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'whk_4f0c2d9e-7b1a-4c61-9f0e-2a7d3c1b5e88' });
const deliveryIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a delivery id such as dlv_…')
  .openapi({ param: { name: 'id', in: 'path' }, example: 'dlv_0b6e1f7a-3c2d-4e5f-8a9b-1c2d3e4f5a6b' });

const Filter = z
  .object({
    providers: z.array(z.string()).optional(),
    models: z.array(z.string()).optional(),
    components: z.array(z.string()).optional(),
    types: z.array(z.string()).optional().openapi({ description: `Event types (${EVENT_TYPES.join(', ')}) or change types (price_cut, …).` }),
    minChangePct: z.number().optional().openapi({ description: 'Skip price moves smaller than this many percent (changes without a percentage pass).' }),
  })
  .openapi('WebhookFilter');

const Subscription = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    filter: Filter,
    format: z.enum(['standard', 'slack']),
    status: z.enum(['active', 'disabled']),
    disabledReason: z.string().nullable(),
    failingSince: instant.nullable(),
    previousSecretExpiresAt: instant.nullable().openapi({ description: 'During a secret rotation: until when the previous secret also signs.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .openapi('WebhookSubscription');

const WithSecret = Subscription.extend({
  secret: z.string().openapi({ description: 'The `whsec_` signing secret. Shown only in this answer: store it now.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('WebhookSubscriptionWithSecret');

const Attempt = z.object({ attempt: z.number().int(), at: instant, status: z.number().int().nullable(), ok: z.boolean(), error: z.string().nullable(), durationMs: z.number().int() });
const Delivery = z
  .object({
    id: z.string().openapi({ description: 'Also the `webhook-id` header, stable across retries and replays.' }),
    subscriptionId: z.string(),
    eventId: z.string(),
    eventType: z.string().nullable(),
    status: z.enum(['pending', 'delivering', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: instant.nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: instant,
    deliveredAt: instant.nullable(),
    attemptLog: z.array(Attempt),
  })
  .openapi('WebhookDelivery');

const TestResult = z
  .object({
    deliveryId: z.string(),
    eventId: z.string(),
    delivered: z.boolean(),
    delivery: Delivery,
  })
  .openapi('WebhookTestResult');

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const security = [{ adminToken: [] as string[] }];
const tags = ['webhooks'];
const errors = problemResponses(400, 401, 403, 404, 413, 415, 422, 429);

const createRouteDef = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  tags,
  security,
  summary: 'Subscribe an endpoint to change events',
  description: 'Returns the `whsec_` signing secret once. Destinations that resolve to private, loopback or link-local addresses are refused (422) unless allowed by TOKENTRAIL_WEBHOOK_ALLOW.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: CreateSubscriptionInput.meta({
            id: 'WebhookCreate',
            example: { url: 'https://example.com/hooks/tokentrail', description: 'price cuts of 20% or more', filter: { providers: ['deepseek'], minChangePct: 20 }, format: 'standard' },
          }),
        },
      },
    },
  },
  responses: { 201: json(WithSecret, 'Created; the secret is in this answer only.'), ...errors },
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  tags,
  security,
  summary: 'List subscriptions (without secrets)',
  responses: { 200: json(z.object({ data: z.array(Subscription) }).openapi('WebhookSubscriptions'), 'Every subscription.'), ...errors },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}',
  tags,
  security,
  summary: 'One subscription (without its secret)',
  request: { params: z.object({ id: idParam }) },
  responses: { 200: json(Subscription, 'The subscription.'), ...errors },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/v1/webhooks/{id}',
  tags,
  security,
  summary: 'Change a subscription',
  description: '`status: "active"` re-enables a disabled endpoint and forgets its failure streak.',
  request: {
    params: z.object({ id: idParam }),
    body: { required: true, content: { 'application/json': { schema: UpdateSubscriptionInput.meta({ id: 'WebhookUpdate', example: { filter: { types: ['price_cut'] }, status: 'active' } }) } } },
  },
  responses: { 200: json(Subscription, 'The changed subscription.'), ...errors },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  tags,
  security,
  summary: 'Delete a subscription and its delivery log',
  request: { params: z.object({ id: idParam }) },
  responses: { 204: { description: 'Deleted; pending deliveries are not sent.' }, ...errors },
});

const testRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/test',
  tags,
  security,
  summary: 'Send a test event now',
  description: 'Sends a signed `webhook.test` event to this endpoint only and reports the attempt; a failed test is retried on the usual schedule.',
  request: { params: z.object({ id: idParam }) },
  responses: { 200: json(TestResult, 'The attempt and the delivery record.'), ...errors },
});

const rotateRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/{id}/rotate-secret',
  tags,
  security,
  summary: 'Rotate the signing secret',
  description: 'Returns the new secret once. For 24 hours deliveries carry two signatures, one per secret, so receivers can switch over without missing one.',
  request: { params: z.object({ id: idParam }) },
  responses: { 200: json(WithSecret, 'The subscription with its new secret (shown only here).'), ...errors },
});

const deliveriesRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}/deliveries',
  tags,
  security,
  summary: 'Delivery log of a subscription, newest first, with every attempt',
  request: {
    params: z.object({ id: idParam }),
    query: z
      .object({
        status: z.enum(['pending', 'delivering', 'delivered', 'failed']).optional().openapi({ param: { description: 'Only deliveries in this state.' } }),
        limit: z
          .string()
          .regex(/^\d{1,3}$/, 'expected a whole number')
          .refine((v) => Number(v) >= 1 && Number(v) <= 200, 'must be from 1 to 200')
          .optional()
          .openapi({ param: { description: 'Page size, 1–200 (default 50).' }, example: '50' }),
        cursor: cursorParam.optional(),
      })
      .strict(),
  },
  responses: { 200: json(z.object({ data: z.array(Delivery), nextCursor: z.string().nullable() }).openapi('WebhookDeliveries'), 'A page of deliveries.'), ...errors },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/deliveries/{id}/replay',
  tags,
  security,
  summary: 'Send a delivery again',
  description: 'Back to pending and due now, attempts counted afresh; same `webhook-id`, so receivers can de-duplicate.',
  request: { params: z.object({ id: deliveryIdParam }) },
  responses: { 202: json(Delivery, 'Queued again.'), ...errors },
});

export function webhookRoutes(deps: WebhookRouteDeps) {
  const db = deps.database.db;
  const policy = deps.webhookPolicy ?? policyFromEnv();
  let dispatcher = deps.dispatcher;
  const inline = () => (dispatcher ??= new Dispatcher({ database: deps.database, policy, now: deps.now, concurrency: 1, keepAlive: false }));
  const admin = { middleware: [deps.requireAdmin] };

  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'TOKENTRAIL_ADMIN_TOKEN. Without it set, these routes answer 403.',
  });
  return app
    .openapi({ ...createRouteDef, ...admin }, async (c) => {
      const { subscription, secret } = await createSubscription(db, c.req.valid('json'), { policy, now: deps.now() });
      c.header('Cache-Control', 'no-store');
      c.header('Location', `/v1/webhooks/${subscription.id}`);
      return c.json({ ...subscription, secret }, 201);
    })
    .openapi({ ...listRoute, ...admin }, async (c) => c.json({ data: await listSubscriptions(db, deps.now()) }, 200))
    .openapi({ ...getRoute, ...admin }, async (c) => c.json(await getSubscription(db, c.req.valid('param').id, deps.now()), 200))
    .openapi({ ...patchRoute, ...admin }, async (c) =>
      c.json(await updateSubscription(db, c.req.valid('param').id, c.req.valid('json'), { policy, now: deps.now() }), 200),
    )
    .openapi({ ...deleteRoute, ...admin }, async (c) => {
      await deleteSubscription(db, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi({ ...testRoute, ...admin }, async (c) => {
      const { eventId, deliveryId } = await queueTestEvent(db, c.req.valid('param').id, deps.now());
      const outcome = await inline().attempt(deliveryId);
      return c.json({ deliveryId, eventId, delivered: outcome?.status === 'delivered', delivery: await getDelivery(db, deliveryId) }, 200);
    })
    .openapi({ ...rotateRoute, ...admin }, async (c) => {
      const { subscription, secret } = await rotateSecret(db, c.req.valid('param').id, deps.now());
      c.header('Cache-Control', 'no-store');
      return c.json({ ...subscription, secret }, 200);
    })
    .openapi({ ...deliveriesRoute, ...admin }, async (c) => {
      const q = c.req.valid('query');
      return c.json(await listDeliveries(db, c.req.valid('param').id, { status: q.status, limit: q.limit === undefined ? undefined : Number(q.limit), cursor: q.cursor }), 200);
    })
    .openapi({ ...replayRoute, ...admin }, async (c) => c.json(await replayDelivery(db, c.req.valid('param').id, deps.now()), 202));
}
