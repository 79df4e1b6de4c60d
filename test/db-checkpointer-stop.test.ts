// The WAL checkpointer thread is asked to stop, never terminated: a worker terminated as it enters
// a libsql call aborts the whole process (neon's "PendingException" panic, exit 134), which is how
// a CI run lost a test file. Stopping it at random moments, 200 times, leaves the process alive.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers/cli.ts';

describe('checkpointer stop', () => {
  it('stops 200 checkpointer threads at random moments without aborting the process, and the writes are in the file', async () => {
    const file = join(tempDir(), 'checkpointed.db');
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/helpers/checkpointer-child.ts'), file, '200'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 120_000,
    });
    expect(child.stderr).not.toMatch(/panicked|PendingException/);
    expect({ status: child.status, signal: child.signal, stdout: child.stdout }).toEqual({ status: 0, signal: null, stdout: 'ok\n' });
    const c = createClient({ url: `file:${file}` });
    expect(Number((await c.execute('SELECT count(*) FROM t')).rows[0][0])).toBe(200);
    c.close();
  }, 130_000);
});
