// The OpenAPI document as a client generator and /docs see it: lint-clean of errors with
// @redocly/cli, an operationId, tags and servers on every operation, and "Try it out" with each
// operation's own examples answered without an error; /docs/ redirects; /metrics labels every
// route, model pages included.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const run = promisify(execFile);
const REDOCLY = resolve(import.meta.dirname, '../node_modules/.bin/redocly');
const TOKEN = 'test-admin-token-0123456789';

type Param = { name: string; in: string; required?: boolean; example?: unknown; schema?: { example?: unknown } };
type Operation = { operationId?: string; tags?: string[]; parameters?: Param[]; security?: unknown[]; requestBody?: { content: Record<string, { schema?: { example?: unknown }; example?: unknown }> } };
type Schema = { example?: unknown; $ref?: string };
type Doc = { servers?: Array<{ url: string }>; tags?: Array<{ name: string }>; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

let s: SeededServer;
let doc: Doc;
const operations = () => Object.entries(doc.paths).flatMap(([path, ms]) => Object.entries(ms).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

beforeAll(async () => {
  s = await startSeededServer({ app: { adminToken: TOKEN } });
  doc = (await request(s.url, '/openapi.json')).body as Doc;
});
afterAll(async () => {
  await s?.close();
});

describe('the OpenAPI document', () => {
  it('is lint-clean of errors with @redocly/cli', async () => {
    const file = join(s.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const r: { stdout: string; stderr: string; code?: number } = await run(REDOCLY, ['lint', file, '--format=json'], { cwd: s.dir, timeout: 60_000 }).catch((e) => e);
    const report = JSON.parse(r.stdout) as { totals: { errors: number }; problems: Array<{ ruleId: string; severity: string; message: string }> };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(r.code ?? 0).toBe(0);
  }, 70_000);

  it('has servers, and an operationId (unique) and declared tags on every operation', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    const declared = new Set((doc.tags ?? []).map((t) => t.name));
    const ids = operations().map(({ method, path, op }) => {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const t of op.tags ?? []) expect(declared.has(t), `${method} ${path} tag ${t}`).toBe(true);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('"Try it out" with each operation\'s own examples gets an answer, never a 400 or 500', async () => {
    for (const { path, method, op } of operations()) {
      const example = (p: Param) => p.example ?? p.schema?.example;
      let url = path;
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) {
        const v = example(p);
        if (v === undefined) continue;
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
        if (p.in === 'query') query.set(p.name, String(v));
      }
      if (/\{[^}]+\}/.test(url)) url = url.replace(/\{[^}]+\}/g, '1'); // a path parameter without an example: any id
      const body = op.requestBody?.content['application/json'];
      const schema = body?.schema as Schema | undefined;
      const resolved = schema?.$ref ? doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')] : schema;
      const json = body ? (body.example ?? resolved?.example) : undefined;
      const admin: Record<string, string> = op.security?.length ? { authorization: `Bearer ${TOKEN}` } : {};
      const r = await request(s.url, `${url}${query.size ? `?${query}` : ''}`, { method, headers: admin, ...(json !== undefined ? { json } : {}) });
      const what = `${method} ${url}?${query} → ${r.status} ${typeof r.body === 'object' ? JSON.stringify(r.body).slice(0, 200) : ''}`;
      // An id that does not exist may be a 404; a refused example (400/422) or a crash may not.
      expect([200, 201, 202, 204, 404], what).toContain(r.status);
      if (!path.includes('{')) expect(r.status, what).toBeLessThan(300);
    }
  });
});

describe('/docs and /metrics', () => {
  it('/docs/ redirects to /docs', async () => {
    const r = await fetch(`${s.url}/docs/`, { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(new URL(r.headers.get('location')!, `${s.url}/docs/`).pathname).toBe('/docs');
    expect((await fetch(`${s.url}/docs/`)).status).toBe(200);
  });

  it('labels model pages and API routes by their pattern; only unknown paths are "unmatched"', async () => {
    await fetch(`${s.url}/models/deepseek/deepseek-v4-pro`);
    await fetch(`${s.url}/v1/prices?model=deepseek/deepseek-v4-pro`);
    await fetch(`${s.url}/no/such/page`);
    const m = await (await fetch(`${s.url}/metrics`)).text();
    expect(m).toMatch(/tokentrail_http_requests_total\{method="GET",route="\/models\/\*",status="200"\} \d+/);
    expect(m).toMatch(/tokentrail_http_requests_total\{method="GET",route="\/v1\/prices",status="200"\} \d+/);
    const unmatched = m.split('\n').filter((l) => l.startsWith('tokentrail_http_requests_total') && l.includes('route="unmatched"'));
    expect(unmatched).toEqual([expect.stringContaining('status="404"')]);
  });
});
