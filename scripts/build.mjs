#!/usr/bin/env node
// `npm run build` (and `prepare`, so a git install builds too): compiles src/, api/, scrapers/ and
// app/ to ESM + .d.ts under dist/ with the sources' layout, then copies what the compiled code
// reads at run time: the migrations, the web page's assets, the dataset snapshot (data/*.json,
// which the library answers from offline) and a package.json for the version; last, the digest
// of the sources it was built from (scripts/source-digest.mjs), which bin/tokentrail.js checks.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIGEST_FILE, sourceDigest } from './source-digest.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const from = (...p) => join(root, ...p);
const to = (...p) => join(dist, ...p);

// Taken before compiling: an edit made during the build leaves dist/ stale, as it is.
const digest = sourceDigest(root);
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', from('tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

cpSync(from('src/db/migrations'), to('src/db/migrations'), { recursive: true });
mkdirSync(to('api/web/assets'), { recursive: true });
for (const f of readdirSync(from('api/web/assets'))) if (!f.endsWith('.ts')) cpSync(from('api/web/assets', f), to('api/web/assets', f));
mkdirSync(to('data'), { recursive: true });
const snapshot = readdirSync(from('data')).filter((f) => f.endsWith('.json')).sort();
for (const f of snapshot) cpSync(from('data', f), to('data', f));
const pkg = JSON.parse(readFileSync(from('package.json'), 'utf8'));
writeFileSync(to('package.json'), JSON.stringify({ type: 'module', version: pkg.version, private: true }, null, 2) + '\n');
// Last: bin/tokentrail.js runs dist/ from a checkout only once this file matches the sources.
writeFileSync(to(DIGEST_FILE), digest + '\n');
process.stdout.write(`built dist/ (dataset snapshot: ${snapshot.length} provider files)\n`);
