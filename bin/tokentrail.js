#!/usr/bin/env node
// The `tokentrail` command. An installed package runs the compiled dist/. In a checkout (src/
// present) it runs dist/ too while dist/ was built from the very sources checked out (the digest
// `npm run build` — and so `npm install`, through `prepare` — leaves in dist/.source-digest),
// else the TypeScript sources through tsx: `npm install && npm start` starts without the
// transpiler, and an edit runs at once without a build. TOKENTRAIL_FROM_SOURCE=1 forces tsx.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const checkout = existsSync(new URL('src/cli/main.ts', root));

async function distIsFresh() {
  if (process.env.TOKENTRAIL_FROM_SOURCE === '1') return false;
  let built;
  try {
    built = readFileSync(new URL('dist/.source-digest', root), 'utf8').trim();
  } catch {
    return false;
  }
  const { sourceDigest } = await import('../scripts/source-digest.mjs');
  return built === sourceDigest(fileURLToPath(root));
}

let main;
if (checkout && !(await distIsFresh())) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli.ts'));
} else {
  // Compiled code from a checkout keeps the checkout's data/, database and migrations.
  if (checkout) process.env.TOKENTRAIL_PACKAGE_ROOT = fileURLToPath(root);
  ({ main } = await import('../dist/app/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
