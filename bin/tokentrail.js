#!/usr/bin/env node
// The `tokentrail` command. In a checkout (src/ present) it runs the TypeScript sources through
// tsx, so `npm install && npx tokentrail …` needs no build and always runs what is checked out;
// an installed package runs the compiled dist/.
import { existsSync } from 'node:fs';

const fromSource = existsSync(new URL('../src/cli/main.ts', import.meta.url));
let main;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli.ts'));
} else {
  ({ main } = await import('../dist/app/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
