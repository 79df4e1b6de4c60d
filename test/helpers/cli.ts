// Runs the real `tokentrail` binary (bin/tokentrail.js) as a user would, on a given database.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/tokentrail.js');
export const DATA_DIR = join(ROOT, 'data');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { db?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const full = opts.db ? ['--db', opts.db, ...args] : args;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...full], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

export async function runJson<T = any>(args: string[], db: string): Promise<T> {
  const r = await runCli([...args, '--json'], { db });
  if (r.code !== 0) throw new Error(`tokentrail ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export function tempDir(prefix = 'tokentrail-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tempDb(): string {
  return join(tempDir(), 'test.db');
}
