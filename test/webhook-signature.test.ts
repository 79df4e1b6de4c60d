// Proves our deliveries are Standard Webhooks: the reference library verifies them, the spec's
// published vector reproduces, tampering is caught, and a secret rotation keeps both secrets valid.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllowList } from '../src/webhooks/address-policy.ts';
import { deliver } from '../src/webhooks/deliver.ts';
import { generateSecret, isValidSecret, newMessageId, signDelivery, type WebhookHeaders } from '../src/webhooks/sign.ts';

// Published in the Standard Webhooks reference libraries' tests ("sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const BODY = JSON.stringify({
  type: 'price.changed',
  timestamp: '2026-05-26T16:00:00Z',
  data: { model: 'deepseek/deepseek-v4-pro', component: 'input', before: '1.74', after: '0.435' },
});

function signedNow(secrets: string[], opts: { id?: string; body?: string; at?: Date } = {}) {
  const id = opts.id ?? 'msg_2f1c9a0b7d';
  const body = opts.body ?? BODY;
  const headers = signDelivery({ id, timestamp: opts.at ?? new Date(), body, secrets });
  return { id, body, headers };
}

function verifies(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return false;
    throw err;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('signDelivery', () => {
  it('produces headers that the standardwebhooks library verifies, returning the payload', () => {
    const secret = generateSecret();
    const { body, headers } = signedNow([secret]);
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(body, headers as unknown as Record<string, string>)).toEqual(JSON.parse(BODY));
  });

  it('reproduces the Standard Webhooks published test vector exactly', () => {
    const headers = signDelivery({
      id: VECTOR.id,
      timestamp: new Date(VECTOR.timestamp * 1000),
      body: VECTOR.body,
      secrets: [VECTOR.secret],
    });
    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
    // And the library accepts the vector at its own instant.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(VECTOR.timestamp * 1000);
    expect(new Webhook(VECTOR.secret).verify(VECTOR.body, headers as unknown as Record<string, string>)).toEqual({ test: 2432232314 });
  });

  it('keeps the webhook-id stable while each attempt gets a fresh timestamp and signature', () => {
    const secret = generateSecret();
    const a = signedNow([secret], { at: new Date('2026-05-26T16:00:00Z') });
    const b = signedNow([secret], { at: new Date('2026-05-26T16:00:05Z') });
    expect(a.headers['webhook-id']).toBe(b.headers['webhook-id']);
    expect(a.headers['webhook-timestamp']).not.toBe(b.headers['webhook-timestamp']);
    expect(a.headers['webhook-signature']).not.toBe(b.headers['webhook-signature']);
  });

  it('a real delivery over HTTP verifies at the receiver (exact bytes and headers as sent)', async () => {
    const secret = generateSecret();
    const received: { verified: unknown; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        try {
          received.push({ verified: new Webhook(secret).verify(raw, req.headers as Record<string, string>), headers: req.headers });
          res.writeHead(204).end();
        } catch {
          res.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ type: 'price.changed', timestamp: new Date().toISOString(), data: { note: 'ünïcødé ✓' } });
      const headers = signDelivery({ id: newMessageId(), timestamp: new Date(), body, secrets: [secret] });
      const result = await deliver({ url: `http://127.0.0.1:${port}/hook`, body, headers, policy: parseAllowList('127.0.0.1/32') });
      expect(result).toMatchObject({ ok: true, status: 204 });
      expect(received).toHaveLength(1);
      expect(received[0].verified).toEqual(JSON.parse(body));
      expect(received[0].headers['webhook-id']).toBe(headers['webhook-id']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('tampered deliveries are rejected by the verifier', () => {
  // The verifier's clock is pinned to NOW so the ±301 s cases sit exactly outside its 300 s window.
  const NOW = new Date('2026-05-26T16:00:00Z');
  const nowSec = NOW.getTime() / 1000;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  const secret = generateSecret();
  const other = generateSecret();
  const base = signedNow([secret], { at: NOW });
  const h = base.headers as unknown as Record<string, string>;
  const sigB64 = h['webhook-signature'].slice(3);
  const without = (name: keyof WebhookHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));
  const flipped = (sigB64[0] === 'A' ? 'B' : 'A') + sigB64.slice(1);

  const cases: { name: string; body: string; headers: Record<string, string>; secret?: string }[] = [
    { name: 'body changed (one digit)', body: BODY.replace('0.435', '0.436'), headers: h },
    { name: 'body changed (whitespace appended)', body: BODY + ' ', headers: h },
    { name: 'body re-serialised with another key order', body: JSON.stringify({ data: JSON.parse(BODY).data, type: 'price.changed', timestamp: '2026-05-26T16:00:00Z' }), headers: h },
    { name: 'id changed', body: BODY, headers: { ...h, 'webhook-id': 'msg_other' } },
    { name: 'timestamp header changed by 1 s (not re-signed)', body: BODY, headers: { ...h, 'webhook-timestamp': String(nowSec + 1) } },
    { name: 'correctly signed but timestamp +301 s', body: BODY, headers: signedNow([secret], { at: new Date((nowSec + 301) * 1000) }).headers as unknown as Record<string, string> },
    { name: 'correctly signed but timestamp -301 s', body: BODY, headers: signedNow([secret], { at: new Date((nowSec - 301) * 1000) }).headers as unknown as Record<string, string> },
    { name: 'timestamp not a number', body: BODY, headers: { ...h, 'webhook-timestamp': 'yesterday' } },
    { name: 'wrong secret', body: BODY, headers: h, secret: other },
    { name: 'webhook-id header missing', body: BODY, headers: without('webhook-id') },
    { name: 'webhook-timestamp header missing', body: BODY, headers: without('webhook-timestamp') },
    { name: 'webhook-signature header missing', body: BODY, headers: without('webhook-signature') },
    { name: 'truncated signature', body: BODY, headers: { ...h, 'webhook-signature': h['webhook-signature'].slice(0, 20) } },
    { name: 'signature with one character flipped', body: BODY, headers: { ...h, 'webhook-signature': `v1,${flipped}` } },
    { name: 'signature of another message', body: BODY, headers: { ...h, 'webhook-signature': signedNow([secret], { id: 'msg_other', body: '{}', at: NOW }).headers['webhook-signature'] } },
    { name: 'v2 prefix instead of v1', body: BODY, headers: { ...h, 'webhook-signature': `v2,${sigB64}` } },
    { name: 'no version prefix', body: BODY, headers: { ...h, 'webhook-signature': sigB64 } },
    { name: 'empty signature header', body: BODY, headers: { ...h, 'webhook-signature': '' } },
    { name: 'empty v1 signature', body: BODY, headers: { ...h, 'webhook-signature': 'v1,' } },
    { name: 'hex instead of base64 signature', body: BODY, headers: { ...h, 'webhook-signature': `v1,${Buffer.from(sigB64, 'base64').toString('hex')}` } },
  ];

  it('the untampered delivery verifies (control), also at exactly ±300 s', () => {
    expect(verifies(secret, BODY, h)).toBe(true);
    for (const skew of [300, -300]) {
      const edge = signedNow([secret], { at: new Date((nowSec + skew) * 1000) }).headers as unknown as Record<string, string>;
      expect(verifies(secret, BODY, edge)).toBe(true);
    }
  });

  it('has at least 12 tampered variants', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('rejects: $name', ({ body, headers, secret: s }) => {
    expect(verifies(s ?? secret, body, headers)).toBe(false);
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during the window; either verifies, a third does not', () => {
    const previous = generateSecret();
    const current = generateSecret();
    const { body, headers } = signedNow([current, previous]);
    const parts = headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    for (const p of parts) expect(p).toMatch(/^v1,/);
    const h = headers as unknown as Record<string, string>;
    expect(verifies(current, body, h)).toBe(true);
    expect(verifies(previous, body, h)).toBe(true);
    expect(verifies(generateSecret(), body, h)).toBe(false);
  });

  it('each signature in the header is the single-secret signature of that secret', () => {
    const previous = generateSecret();
    const current = generateSecret();
    const at = new Date('2026-05-26T16:00:00Z');
    const both = signedNow([current, previous], { at }).headers['webhook-signature'];
    const one = signedNow([current], { at }).headers['webhook-signature'];
    const old = signedNow([previous], { at }).headers['webhook-signature'];
    expect(both).toBe(`${one} ${old}`);
  });

  it('a secret listed twice yields one signature', () => {
    const s = generateSecret();
    expect(signedNow([s, s]).headers['webhook-signature'].split(' ')).toHaveLength(1);
  });
});

describe('secrets and ids', () => {
  it('generateSecret returns distinct whsec_ secrets of 32 random bytes', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(isValidSecret(a)).toBe(true);
    expect(isValidSecret(VECTOR.secret)).toBe(true);
  });

  it('isValidSecret refuses malformed secrets', () => {
    for (const bad of ['', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_short', 'whsec_not base64 at all!!', `whsec_${Buffer.alloc(8).toString('base64')}`]) {
      expect(isValidSecret(bad), bad).toBe(false);
    }
  });

  it('signDelivery refuses no secrets, a bad secret, a bad id or an invalid date', () => {
    const s = generateSecret();
    const ok = { id: 'msg_1', timestamp: new Date(), body: '{}', secrets: [s] };
    expect(() => signDelivery({ ...ok, secrets: [] })).toThrow(/secret/);
    expect(() => signDelivery({ ...ok, secrets: ['whsec_bad'] })).toThrow(/secret/);
    expect(() => signDelivery({ ...ok, id: 'msg 1' })).toThrow(/id/);
    expect(() => signDelivery({ ...ok, id: 'msg_1\r\nx-evil: 1' })).toThrow(/id/);
    expect(() => signDelivery({ ...ok, timestamp: new Date(Number.NaN) })).toThrow(/timestamp/);
  });

  it('newMessageId gives unique header-safe ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newMessageId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{26}$/);
  });
});
