// Prints the README's coverage table from data/: per source (the providers' own pages, each
// catalog) the providers, models and facts it states, and models with a current price.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/db/client.ts';
import type { ProviderDataset } from '../src/model.ts';

const dir = join(PACKAGE_ROOT, 'data');
const now = Date.now();
const stats = new Map<string, { providers: Set<string>; models: Set<string>; facts: number; current: Set<string> }>();
let bytes = 0;
const providers = new Set<string>();
const current = new Set<string>();
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const text = readFileSync(join(dir, f), 'utf8');
  bytes += text.length;
  const d = JSON.parse(text) as ProviderDataset;
  providers.add(d.provider.id);
  for (const x of d.facts) {
    const src = x.origin ?? 'providers\u2019 own pages';
    const s = stats.get(src) ?? { providers: new Set(), models: new Set(), facts: 0, current: new Set() };
    s.providers.add(d.provider.id);
    s.models.add(x.model);
    s.facts++;
    const live = !x.supersededAt && Date.parse(x.validFrom) <= now && (x.validTo === null || Date.parse(x.validTo) > now);
    if (live) {
      s.current.add(x.model);
      current.add(x.model);
    }
    stats.set(src, s);
  }
}
const rows = [...stats].sort(([a], [b]) => (a.startsWith('providers') ? -1 : b.startsWith('providers') ? 1 : a.localeCompare(b)));
const lines = ['| source | providers | models | facts | models with a current price |', '|---|---:|---:|---:|---:|'];
for (const [src, s] of rows) lines.push(`| ${src} | ${s.providers.size} | ${s.models.size} | ${s.facts} | ${s.current.size} |`);
const facts = rows.reduce((n, [, s]) => n + s.facts, 0);
lines.push(`| **all** | **${providers.size}** | **${new Set(rows.flatMap(([, s]) => [...s.models])).size}** | **${facts}** | **${current.size}** |`);
process.stdout.write(lines.join('\n') + `\n\ndata/: ${(bytes / 1e6).toFixed(1)} MB in ${providers.size} provider files\n`);
