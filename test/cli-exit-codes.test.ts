// The command line as a script sees it: exit 0 on success, 1 for a run that failed or was
// refused, 2 for bad input; one line on stderr; quiet on a closed pipe; suggestions; --version,
// --json and described flags everywhere; an empty database seeded from data/ on first use.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, tempDb, tempDir } from './helpers/cli.ts';
import { buildProgram } from '../src/cli/main.ts';
import { getScraper, scrapers } from '../scrapers/registry.ts';
import { catalogs, getCatalog } from '../scrapers/catalogs.ts';

const run = promisify(execFile);
const db = tempDb();

beforeAll(async () => {
  const r = await runCli(['import'], { db });
  expect(r.code, r.stderr).toBe(0);
});

describe('exit codes', () => {
  it('0 and the version of package.json for --version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('2 for bad input, in one line', async () => {
    const r = await runCli(['price', 'deepseek/deepseek-v4-pro', '--at', '2026-02-30'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('1 for an ingest whose outcome is failed (a page the parser cannot read)', async () => {
    const page = join(tempDir(), 'page.html');
    writeFileSync(page, '<html><body><p>Nothing about prices here.</p></body></html>');
    const r = await runCli(['ingest', 'deepseek', page, '--at', '2026-06-01T00:00:00Z', '--json'], { db });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed' });
  });

  it('1 for a reparse that fails (no snapshot stored to re-read)', async () => {
    const r = await runCli(['reparse', 'xiaomi', '--json'], { db });
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).runs.map((x: { outcome: string }) => x.outcome)).toContain('failed');
  });
});

describe('suggestions', () => {
  it('an unknown command gets commander\'s "did you mean", whole, on one line', async () => {
    const r = await runCli(['pirce', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown command 'pirce' (Did you mean price?)\n");
  });

  it('an unknown model gets the nearest model ids', async () => {
    const r = await runCli(['price', 'deepseek-v4pro'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(2); // one line
    expect(r.stderr).toMatch(/^tokentrail: unknown model: deepseek-v4pro\W+did you mean deepseek\/deepseek-v4-pro\b/);
  });

  it('an unknown provider gets the known ones', async () => {
    const r = await runCli(['models', '--provider', 'opanai'], { db });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown provider: opanai \(did you mean openai\?\)/);
  });
});

describe('pipes', () => {
  it('`changes | head -c 100` ends quietly (EPIPE): exit 0, nothing on stderr', async () => {
    const dir = tempDir();
    const script = `"${process.execPath}" "${BIN}" --db "${db}" changes --json --limit 1000 2>"${dir}/err" | head -c 100 >/dev/null; echo \${PIPESTATUS[0]}`;
    const r = await run('bash', ['-c', script], { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });
});

describe('every command', () => {
  it('describes every flag in --help and takes --json', () => {
    // The real program definition, in process (spawning 17 CLIs to read their help takes a minute).
    const program = buildProgram({ scrapers, getScraper, catalogs, getCatalog, serve: () => Promise.reject(new Error('not in this test')) });
    const commands = program.commands.map((c) => c.name());
    expect(commands).toEqual(expect.arrayContaining(['migrate', 'import', 'export', 'price', 'history', 'diff', 'changes', 'providers', 'models', 'plans', 'serve', 'scrape', 'parse', 'ingest', 'reparse', 'quote']));
    for (const c of program.commands) {
      for (const o of c.options) expect(o.description, `${c.name()} ${o.flags}`).toMatch(/\S.{2,}/);
      if (c.name() !== 'serve') expect(c.options.map((o) => o.long), c.name()).toContain('--json');
    }
    for (const o of program.options) expect(o.description, o.flags).toMatch(/\S.{2,}/);
  });

  it('migrate, parse, providers, models and plans print JSON with --json', async () => {
    expect(JSON.parse((await runCli(['migrate', '--json'], { db })).stdout)).toMatchObject({ migrated: expect.stringContaining('file:') });
    // A real copy of DeepSeek's Chinese pricing page (scrapers/deepseek/fixtures, with its .meta.json).
    const name = 'scrapers/deepseek/fixtures/deepseek-zh-2026-01-30-windgraham-pandoc';
    const meta = JSON.parse(readFileSync(join(ROOT, `${name}.meta.json`), 'utf8')) as { url: string };
    const parsed = await runCli(['parse', 'deepseek', join(ROOT, `${name}.md`), '--url', meta.url, '--at', '2026-01-30T00:00:00Z', '--json']);
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(JSON.parse(parsed.stdout).observations.length).toBeGreaterThan(0);
    const table = await runCli(['parse', 'deepseek', join(ROOT, `${name}.md`), '--url', meta.url, '--at', '2026-01-30T00:00:00Z']);
    expect(table.stdout.split('\n')[0]).toMatch(/^model\s+component\s+currency/);
    const providers = JSON.parse((await runCli(['providers', '--json'], { db })).stdout);
    expect(providers.data.map((p: { id: string }) => p.id)).toContain('deepseek');
    const models = JSON.parse((await runCli(['models', '--provider', 'deepseek', '--json'], { db })).stdout);
    expect(models.data.map((m: { id: string }) => m.id)).toContain('deepseek/deepseek-v4-pro');
    const plans = JSON.parse((await runCli(['plans', '--provider', 'xiaomi', '--at', '2026-06-01', '--json'], { db })).stdout);
    expect(plans).toMatchObject({ at: '2026-06-01T00:00:00.000Z' });
    expect(plans.data.map((p: { id: string }) => p.id)).toContain('xiaomi/token-plan-lite');
  }, 180_000); // six CLI runs: slow on a busy machine
});

describe('a fresh database', () => {
  it('is seeded from data/ on first use, said in one line, and answers', async () => {
    const fresh = tempDb();
    const r = await runCli(['price', 'deepseek/deepseek-v4-pro', '--at', '2026-05-01T00:00:00Z', '--currency', 'USD', '--json'], { db: fresh });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^tokentrail: the database was empty; seeded it from .*data \(\d+ files, \d+ facts\)\n$/);
    expect(JSON.parse(r.stdout).prices.find((p: { component: string }) => p.component === 'input')).toMatchObject({ amount: '0.435' });
    const again = await runCli(['price', 'deepseek/deepseek-v4-pro', '--json'], { db: fresh });
    expect(again.stderr).toBe('');
  });
});
