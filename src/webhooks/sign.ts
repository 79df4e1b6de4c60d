// Standard Webhooks signing (https://www.standardwebhooks.com): `v1,` + base64 HMAC-SHA256 of
// `id.timestamp.body`, keyed with the base64 part of a `whsec_` secret. The `standardwebhooks`
// package computes each signature, so what we send is what receivers' libraries verify.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24–64 byte keys; we generate 32. */
export const SECRET_BYTES = 32;
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignInput {
  /** Message id: the same across all retries of one delivery, so receivers can de-duplicate. */
  id: string;
  /** Signing time; a fresh one per attempt (receivers reject timestamps more than 5 min off). */
  timestamp: Date;
  /** The exact body bytes that will be sent. */
  body: string;
  /**
   * Current secret first; during a rotation window also the previous one, so receivers still
   * holding the old secret keep verifying. One `v1,…` signature per distinct secret.
   */
  secrets: readonly string[];
}

/** A new `whsec_` secret: 32 random bytes, base64. Shown to the subscriber once. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** A new message id (`msg_` + 26 url-safe random characters). */
export function newMessageId(): string {
  return 'msg_' + randomBytes(20).toString('base64url').slice(0, 26);
}

/** Whether `secret` is a usable `whsec_` secret (canonical base64 of a 24–64 byte key). */
export function isValidSecret(secret: string): boolean {
  if (typeof secret !== 'string' || !secret.startsWith(SECRET_PREFIX)) return false;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return false;
  const key = Buffer.from(b64, 'base64');
  return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES && key.toString('base64') === b64;
}

// Header values must be single-line printable ASCII; ids also may not contain the separators
// the signed content and signature header use.
const ID_PATTERN = /^[A-Za-z0-9_\-:]{1,256}$/;

/** Signs one delivery attempt. Throws on an invalid id, timestamp or secret (programming errors). */
export function signDelivery(input: SignInput): WebhookHeaders {
  const { id, timestamp, body, secrets } = input;
  if (!ID_PATTERN.test(id)) throw new Error(`signDelivery: invalid message id ${JSON.stringify(id)}`);
  if (!(timestamp instanceof Date) || Number.isNaN(timestamp.getTime())) {
    throw new Error('signDelivery: timestamp must be a valid Date');
  }
  if (typeof body !== 'string') throw new Error('signDelivery: body must be the exact string sent');
  const distinct = [...new Set(secrets)];
  if (distinct.length === 0) throw new Error('signDelivery: at least one secret is required');
  for (const s of distinct) {
    if (!isValidSecret(s)) throw new Error('signDelivery: a secret is not a valid whsec_ secret');
  }
  const signatures = distinct.map((s) => new Webhook(s).sign(id, timestamp, body));
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    // The spec separates several signatures with a space; verifiers accept any one of them.
    'webhook-signature': signatures.join(' '),
  };
}
