// The published package as a consumer gets it: `npm pack` of this repository, unpacked into a
// fresh project's node_modules (its dependencies linked from this repository's node_modules, so
// nothing is downloaded), a strict NodeNext tsconfig type-checked with tsc, and plain `node`
// pricing the seeded examples offline, compared with the running API's answers to the same
// questions.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, SEEDED_EXAMPLES, type Outcome } from './helpers/seeded-examples.ts';
import { request, startSeededServer, type SeededServer } from './helpers/server.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'test/fixtures/consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

let dir: string;
let project: string;
let tarball: string;
let files: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tokentrail-pack-'));
  // npm pack runs `prepare`, i.e. the build: the tarball holds what `npm publish` would.
  await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, timeout: 400_000 });
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  files = (await run('tar', ['-tzf', tarball])).stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));

  project = join(dir, 'consumer');
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'tokentrail'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { tokentrail: `file:${tarball}` } }, null, 2));
  await run('tar', ['-xzf', tarball, '-C', join(modules, 'tokentrail'), '--strip-components=1']);
  // The package's dependencies, as an install would place them next to it.
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'tokentrail' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  for (const f of ['tsconfig.json', 'consumer.ts', 'examples.mjs']) copyFileSync(join(FIXTURE, f), join(project, f));
}, 420_000); // the build inside npm pack takes minutes when the machine is busy

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tokentrail package', () => {
  it('holds the compiled library, client, CLI and dataset snapshot, and no sources, tests or fixtures', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/tokentrail.js', 'dist/app/library.js', 'dist/app/library.d.ts', 'dist/api/client.js', 'dist/api/client.d.ts', 'dist/app/cli.js', 'dist/src/db/migrations/0000_init.sql', 'dist/data/deepseek.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|scrapers|api|app)\//.test(f) || f.includes('/fixtures/') || f.endsWith('.db'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('type-checks in a strict NodeNext project with 0 errors', async () => {
    const r: { stdout: string; stderr: string; code?: number } = await run(process.execPath, [TSC, '-p', project], { cwd: project, timeout: 120_000 }).catch((e) => e);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code ?? 0).toBe(0);
  }, 130_000);

  describe('priced offline by plain node, as the API prices it', () => {
    let server: SeededServer;
    let outcomes: Outcome[];
    let firstCallMs: number;

    beforeAll(async () => {
      const examples = join(dir, 'examples.json');
      writeFileSync(examples, JSON.stringify(SEEDED_EXAMPLES));
      // No network for the library: an unreachable proxy would show any attempt as a failure.
      const r = await run(process.execPath, ['examples.mjs', examples], { cwd: project, timeout: 60_000, env: { ...process.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' } });
      ({ outcomes, firstCallMs } = JSON.parse(r.stdout) as { outcomes: Outcome[]; firstCallMs: number });
      server = await startSeededServer();
    }, 90_000);
    afterAll(async () => {
      await server?.close();
    });

    it('the DeepSeek example costs 1.82 yuan, line by line', () => {
      const i = SEEDED_EXAMPLES.findIndex((e) => e.name === 'the DeepSeek example alone');
      const o = outcomes[i] as { ok: { quotes: Array<{ total: string; currency: string; lines: Array<{ component: string; cost: string }> }> } };
      expect(o.ok.quotes[0]).toMatchObject({ currency: 'CNY', total: '1.82' });
      expect(o.ok.quotes[0].lines.map((l) => [l.component, l.cost])).toEqual([['input', '0.6'], ['cache_read', '0.02'], ['output', '1.2']]);
      expect(firstCallMs).toBeGreaterThan(0);
    });

    it('gives the same answer as the API on every seeded example', async () => {
      expect(outcomes).toHaveLength(SEEDED_EXAMPLES.length);
      for (const [i, e] of SEEDED_EXAMPLES.entries()) {
        const { path, json } = apiRequest(e);
        const api = await request(server.url, path, json === undefined ? {} : { json });
        const expected: Outcome = api.status === 200 ? { ok: api.body } : { error: { status: api.status, detail: api.body.detail } };
        expect(outcomes[i], e.name).toEqual(expected);
      }
    });
  });
});
