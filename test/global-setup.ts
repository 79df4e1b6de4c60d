// Vitest globalSetup: makes sure Chromium is there before the browser suites run, so that
// `npm install && npm test` works on a fresh machine. In order: $TOKENTRAIL_CHROMIUM,
// /usr/bin/chromium, Debian's package when running as root (scripts/ensure-chromium.sh),
// Playwright's own download where the network allows it. When none works, one line says what to
// install and the browser suites are skipped with that reason (test/helpers/chromium.ts).
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium executable the browser suites use, or '' when there is none. */
    chromium: string;
    /** Why the browser suites are skipped ('' when they run). */
    chromiumMissing: string;
  }
}

const ROOT = resolve(import.meta.dirname, '..');

function executable(path: string | undefined): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function viaDebianPackage(): string | undefined {
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return undefined;
  const r = spawnSync('sh', [join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  return r.status === 0 && executable('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

async function viaPlaywright(): Promise<string | undefined> {
  const { chromium } = await import('playwright-core');
  const path = chromium.executablePath();
  if (executable(path)) return path;
  const cli = join(ROOT, 'node_modules/playwright-core/cli.js');
  const r = spawnSync(process.execPath, [cli, 'install', 'chromium'], { stdio: 'ignore', timeout: 180_000 });
  return r.status === 0 && executable(path) ? path : undefined;
}

export async function findChromium(): Promise<string | undefined> {
  const fromEnv = process.env.TOKENTRAIL_CHROMIUM?.trim();
  // TOKENTRAIL_CHROMIUM=off: run without the browser suites, on purpose.
  if (fromEnv === 'off') return undefined;
  if (executable(fromEnv)) return fromEnv;
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  if (fromEnv) return undefined; // a path that is not there: say so rather than install another
  return viaDebianPackage() ?? (await viaPlaywright());
}

export default async function setup(project: TestProject): Promise<void> {
  const path = await findChromium();
  if (path) {
    // Browser code in the test workers reads it (src/scrape/fetch-browser.ts resolveChromiumPath).
    process.env.TOKENTRAIL_CHROMIUM = path;
    project.provide('chromium', path);
    project.provide('chromiumMissing', '');
    return;
  }
  const env = process.env.TOKENTRAIL_CHROMIUM?.trim();
  const reason = env === 'off'
    ? 'TOKENTRAIL_CHROMIUM=off'
    : env
      ? `TOKENTRAIL_CHROMIUM=${env} is not an executable file`
      : 'Chromium not found: install it (Debian/Ubuntu: apt-get install chromium; elsewhere: npx playwright-core install chromium) or set TOKENTRAIL_CHROMIUM to its path';
  process.stderr.write(`tokentrail tests: browser suites skipped. ${reason}\n`);
  project.provide('chromium', '');
  project.provide('chromiumMissing', reason);
}
