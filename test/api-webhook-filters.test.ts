// Webhook filters name providers and models the dataset knows: a typo is a 422 with a suggestion,
// not a subscription that silently matches nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const TOKEN = 'test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let s: SeededServer;
let previousAllow: string | undefined;

beforeAll(async () => {
  previousAllow = process.env.TOKENTRAIL_WEBHOOK_ALLOW;
  process.env.TOKENTRAIL_WEBHOOK_ALLOW = '127.0.0.1/32';
  s = await startSeededServer({ app: { adminToken: TOKEN } });
});
afterAll(async () => {
  await s?.close();
  if (previousAllow === undefined) delete process.env.TOKENTRAIL_WEBHOOK_ALLOW;
  else process.env.TOKENTRAIL_WEBHOOK_ALLOW = previousAllow;
});

const create = (filter: unknown) => request(s.url, '/v1/webhooks', { headers: auth, json: { url: 'http://127.0.0.1:9/hook', filter } });

describe('webhook filters', () => {
  it('"deepsek" is a 422 naming deepseek', async () => {
    const r = await create({ providers: ['deepsek'] });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body).toMatchObject({ status: 422, field: 'filter.providers' });
    expect(r.body.detail).toBe('filter.providers: unknown provider "deepsek" (did you mean deepseek?)');
  });

  it('an unknown model is a 422 with the nearest model ids', async () => {
    const r = await create({ models: ['deepseek/deepseek-v4pro'] });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/unknown model "deepseek\/deepseek-v4pro" \(did you mean deepseek\/deepseek-v4-pro\?\)/);
  });

  it('known providers and models (ids or aliases, any case) are accepted, on create and on PATCH', async () => {
    const r = await create({ providers: ['deepseek', 'Xiaomi'], models: ['deepseek/deepseek-v4-pro'] });
    expect(r.status).toBe(201);
    const bad = await request(s.url, `/v1/webhooks/${r.body.id}`, { method: 'PATCH', headers: auth, json: { filter: { providers: ['opanai'] } } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toMatch(/did you mean openai\?/);
  });
});
