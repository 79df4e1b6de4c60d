// One delivery attempt: POST the signed body, report what happened. Never throws for network or
// receiver problems; the dispatcher records the outcome and asks retry-schedule.ts what next.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { parseDestination, type AddressPolicy } from './address-policy.ts';
import { AddressRefusedError, createGuardedAgents, type GuardedAgents, type Resolver } from './guarded-connect.ts';
import { parseRetryAfter } from './retry-schedule.ts';
import type { WebhookHeaders } from './sign.ts';

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_USER_AGENT = 'tokentrail-webhooks/0.1 (+Standard Webhooks)';
/** How much of the receiver's answer to keep in the delivery log. */
export const SNIPPET_MAX_BYTES = 1024;

/**
 * - `ok`: a 2xx answer.
 * - `http_error`: any other status (4xx, 5xx, 1xx oddities); retry.
 * - `redirect`: a 3xx; never followed (the target was not checked, and it is a misconfiguration).
 * - `gone`: 410; the subscriber asked to be removed: disable the endpoint, no retry.
 * - `timeout`: no complete answer within the timeout.
 * - `network_error`: DNS failure, refused/reset connection, TLS failure.
 * - `refused`: the URL or an address it resolves to is not allowed by the policy; nothing was sent.
 */
export type DeliveryOutcome = 'ok' | 'http_error' | 'redirect' | 'gone' | 'timeout' | 'network_error' | 'refused';

export interface DeliveryResult {
  ok: boolean;
  outcome: DeliveryOutcome;
  status?: number;
  error?: string;
  /** From a Retry-After header on a non-2xx answer, in ms (capped). */
  retryAfterMs?: number;
  durationMs: number;
  /** The first SNIPPET_MAX_BYTES of the response body, as UTF-8. */
  responseBodySnippet?: string;
}

export interface DeliverInput {
  url: string;
  /** The exact string that was signed. */
  body: string;
  headers: WebhookHeaders;
  policy: AddressPolicy;
  /** Default 15 s; covers DNS, connect, TLS, and waiting for the response. */
  timeoutMs?: number;
  userAgent?: string;
  /** Reuse agents across deliveries (same policy). Default: fresh agents from policy + resolver. */
  agents?: GuardedAgents;
  /** Only used when `agents` is not given. */
  resolver?: Resolver;
  /** Clock for Retry-After HTTP dates. */
  now?: () => Date;
}

/** Makes one attempt. Resolves with the outcome; rejects only on programming errors. */
export async function deliver(input: DeliverInput): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  let dest;
  try {
    dest = parseDestination(input.url, input.policy);
  } catch (err) {
    return { ok: false, outcome: 'refused', error: (err as Error).message, durationMs: elapsed() };
  }
  const agents = input.agents ?? createGuardedAgents({ policy: input.policy, resolver: input.resolver });
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = input.now ?? (() => new Date());
  const body = Buffer.from(input.body, 'utf8');

  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<DeliveryResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };

    const requestFn = dest.protocol === 'https:' ? https.request : http.request;
    const req = requestFn({
      protocol: dest.protocol,
      hostname: dest.hostname,
      port: dest.port,
      path: dest.path,
      method: 'POST',
      agent: dest.protocol === 'https:' ? agents.https : agents.http,
      headers: {
        ...input.headers,
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': input.userAgent ?? DEFAULT_USER_AGENT,
      },
    });

    // Before a response: a timeout. After the status line: the status decides, the snippet is
    // whatever arrived (a receiver that answered 200 and then stalls did get the event).
    let onTimeout = () => finish({ ok: false, outcome: 'timeout', error: `no answer within ${timeoutMs} ms` });
    const timer = setTimeout(() => {
      onTimeout();
      req.destroy();
    }, timeoutMs);

    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof AddressRefusedError || err.code === 'ERR_TOKENTRAIL_ADDRESS_REFUSED') {
        finish({ ok: false, outcome: 'refused', error: err.message });
      } else {
        finish({ ok: false, outcome: 'network_error', error: `${err.code ? err.code + ': ' : ''}${err.message}` });
      }
    });

    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const { outcome, error } = classifyStatus(status, res.headers.location);
      const retryAfterMs = outcome === 'ok' ? undefined : parseRetryAfter(res.headers['retry-after'], now());

      // Keep a short snippet; stop reading after it (the status already decided the outcome).
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const snippet = Buffer.concat(chunks).subarray(0, SNIPPET_MAX_BYTES).toString('utf8');
        finish({
          ok: outcome === 'ok',
          outcome,
          status,
          ...(error !== undefined && { error }),
          ...(retryAfterMs !== undefined && { retryAfterMs }),
          ...(snippet !== '' && { responseBodySnippet: snippet }),
        });
      };
      onTimeout = done;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= SNIPPET_MAX_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      // A body cut short after the status line still leaves a valid status; report it.
      res.on('error', done);
      res.on('close', done);
    });

    req.end(body);
  });
}

function classifyStatus(status: number, location: string | undefined): { outcome: DeliveryOutcome; error?: string } {
  if (status >= 200 && status < 300) return { outcome: 'ok' };
  if (status === 410) return { outcome: 'gone', error: 'HTTP 410 Gone: the endpoint asked to be removed' };
  if (status >= 300 && status < 400) {
    return { outcome: 'redirect', error: `HTTP ${status} redirect${location ? ` to ${location}` : ''} not followed` };
  }
  return { outcome: 'http_error', error: `HTTP ${status}` };
}
