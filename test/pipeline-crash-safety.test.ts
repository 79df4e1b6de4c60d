// kill -9 at random moments during an ingest: the database stays intact, and the timeline is as
// before the page, as after it, or part way (the page is applied in batches of models, each one
// transaction); ingesting the page again then leaves it exactly as one uninterrupted run does.
import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { listFixtures, fixtureBody } from '../src/scrape/fixtures.ts';
import { ROOT, tempDir } from './helpers/cli.ts';
import { freshDatabase } from './helpers/db.ts';

const KILLS = 50;
const fixture = listFixtures('openrouter')[0];
const dir = tempDir();
const pageFile = join(dir, 'openrouter.json');
const baseline = join(dir, 'baseline.db');

/** What the timeline holds: every fact's identity and knowledge-time end, plus events and runs. */
async function state(file: string): Promise<{ integrity: string; digest: string; facts: number }> {
  const c = createClient({ url: `file:${file}` });
  const integrity = String((await c.execute('PRAGMA integrity_check')).rows[0][0]);
  const facts = await c.execute('SELECT fact_key, superseded_at FROM facts ORDER BY fact_key');
  const events = await c.execute('SELECT count(*) FROM events');
  const observations = await c.execute('SELECT count(*) FROM observations');
  c.close();
  return {
    integrity,
    facts: facts.rows.length,
    digest: `${facts.rows.map((r) => `${r[0]}:${r[1]}`).join(',')}|events=${events.rows[0][0]}|observations=${observations.rows[0][0]}`,
  };
}

/** Lines per batch: small, so that the page is applied in many transactions and kills land between them. */
const BATCH_LINES = '100';

function runChild(db: string, killAfterReadyMs: number | null): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/ingest-child.ts'), db, 'openrouter', pageFile, fixture.meta.url, fixture.meta.date, BATCH_LINES], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let out = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (killAfterReadyMs !== null && out.includes('ready') && !killed) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterReadyMs);
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ killed: killed && !out.includes('done'), out }));
  });
}

describe('kill -9 during ingest', () => {
  let before: Awaited<ReturnType<typeof state>>;
  let after: Awaited<ReturnType<typeof state>>;
  let ingestMs = 0;

  beforeAll(async () => {
    writeFileSync(pageFile, fixtureBody(fixture));
    const d = await freshDatabase();
    // Fold the WAL into the main file so a plain file copy carries everything.
    await d.client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
    d.close();
    copyFileSync(d.file, baseline);
    before = await state(baseline);
    const ref = join(dir, 'reference.db');
    copyFileSync(baseline, ref);
    const t = Date.now();
    const r = await runChild(ref, null);
    ingestMs = Date.now() - t;
    expect(r.out).toMatch(/done (ok|partial) \d+/);
    after = await state(ref);
    expect(after.facts).toBeGreaterThan(before.facts + 2000);
  }, 120_000);

  it(`leaves integrity_check ok, and the timeline before, after or part way where a re-run finishes it, ${KILLS} times`, async () => {
    const outcomes = { before: 0, after: 0, partWay: 0 };
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const one = async (i: number) => {
      const db = join(dir, `kill-${i}.db`);
      copyFileSync(baseline, db);
      // Anywhere from right after start-up to past the end of the transaction.
      await runChild(db, Math.floor(rand() * ingestMs));
      const s = await state(db);
      expect(s.integrity).toBe('ok');
      outcomes[s.digest === before.digest ? 'before' : s.digest === after.digest ? 'after' : 'partWay']++;
      if (s.digest === after.digest) return;
      // The same page again: it resumes the interrupted run and ends where one run ends.
      const again = await runChild(db, null);
      expect(again.out).toMatch(/done (ok|partial) \d+/);
      expect((await state(db)).digest).toBe(after.digest);
    };
    for (let i = 0; i < KILLS; i += 2) await Promise.all([one(i), one(i + 1)]);
    console.log(`[pipeline-crash-safety] ${KILLS} kills: ${outcomes.before} before, ${outcomes.partWay} part way, ${outcomes.after} after`);
    expect(outcomes.before + outcomes.after + outcomes.partWay).toBe(KILLS);
    // The kills really land before the first batch and between batches.
    expect(outcomes.before).toBeGreaterThan(0);
    expect(outcomes.partWay).toBeGreaterThan(0);
  }, 600_000);
});
