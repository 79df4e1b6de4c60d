// Backfill data/fx/ecb.json from a saved ECB file (a real copy: the history CSV, or a daily /
// 90-day / history XML), citing the ECB URL and, for a copy out of a git repository, its origin:
//   npx tsx scrapers/ecb-fx/build-dataset.ts <file> --id <origin id> --url <ECB url>
//       [--repo <git url> --commit <sha> --path <path in repo>] [--note <text>] [--out data/fx/ecb.json]
// Merging is idempotent and the output deterministic (src/fx/dataset.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { FxDataset } from '../../src/fx/contract.ts';
import { formatFxDataset, mergeFxDays, readFxDataset } from '../../src/fx/dataset.ts';
import ecbFx, { parseEcb } from './index.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { id: { type: 'string' }, url: { type: 'string' }, repo: { type: 'string' }, commit: { type: 'string' }, path: { type: 'string' }, note: { type: 'string' }, out: { type: 'string', default: 'data/fx/ecb.json' } },
});
const file = positionals[0];
if (!file || !values.id || !values.url) {
  console.error('usage: build-dataset.ts <file> --id <origin id> --url <ECB url> [--repo --commit --path] [--note] [--out]');
  process.exit(2);
}
const out = values.out!;
const empty: FxDataset = { source: ecbFx.source, name: ecbFx.name, base: ecbFx.base, homepage: ecbFx.homepage, complete: [], origins: {}, days: [] };
const ds = existsSync(out) ? readFxDataset(out) : empty;
const parsed = parseEcb(readFileSync(file, 'utf8'));
const merged = mergeFxDays(ds, parsed, values.id, {
  url: values.url,
  title: ecbFx.name,
  ...(values.repo && { copy: { repo: values.repo, commit: values.commit!, path: values.path! } }),
  ...(values.note && { note: values.note }),
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, formatFxDataset(merged));
console.log(`${out}: ${merged.days.length} days (${merged.days[0]?.date} … ${merged.days.at(-1)?.date}), complete spans ${merged.complete.map((c) => `${c.from}…${c.to}`).join(', ')}`);
