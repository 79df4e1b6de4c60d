// Times model-name resolution per call over a fresh database seeded from data/: the HTTP route
// (GET /v1/models/resolve, uncached: every name distinct) and the pure resolver on the same index.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openDatabase, PACKAGE_ROOT } from '../src/db/client.ts';
import { importDataset } from '../src/dataset/import.ts';
import { resolveIndex } from '../src/resolve/index-db.ts';
import { resolveName } from '../src/resolve/resolve.ts';
import { createApp } from '../api/app.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokentrail-bench-resolve-'));
const d = await openDatabase({ url: `file:${join(dir, 'db')}` });
let t = performance.now();
const imported = await importDataset(d, join(PACKAGE_ROOT, 'data'));
const importMs = performance.now() - t;
const index = await resolveIndex(d.db);
const names = index.models.slice(0, 2000).map((m, i) => (i % 3 === 0 ? m.slice(m.indexOf('/') + 1).toUpperCase() : i % 3 === 1 ? `${m.slice(m.indexOf('/') + 1)}-2025-01-01` : `models/${m.slice(m.indexOf('/') + 1)}`));
const at = Date.now();
t = performance.now();
for (const n of names) resolveName(index, n, { at });
const pureUs = ((performance.now() - t) / names.length) * 1000;
const unknown = Array.from({ length: 200 }, (_, i) => `no-such-model-${i}-xq`);
t = performance.now();
for (const n of unknown) resolveName(index, n, { at });
const missUs = ((performance.now() - t) / unknown.length) * 1000;
const app = createApp({ database: d });
t = performance.now();
for (const n of names.slice(0, 500)) await app.request(`/v1/models/resolve?name=${encodeURIComponent(n)}`);
const httpUs = ((performance.now() - t) / 500) * 1000;
process.stdout.write(JSON.stringify({ facts: imported.facts, models: index.models.length, importMs: Math.round(importMs), factsPerSecond: Math.round(imported.facts / (importMs / 1000)), resolvePureUsPerCall: Math.round(pureUs), resolveMissWithSuggestionsUsPerCall: Math.round(missUs), resolveRouteUsPerCall: Math.round(httpUs) }) + '\n');
d.close();
rmSync(dir, { recursive: true, force: true });
