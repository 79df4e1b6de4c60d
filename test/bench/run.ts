// `npm run bench`: every benchmark, one after another (never inside `npm test`). Figures are
// ratios against a baseline measured in the same run, because these machines are noisy.
// Writes bench-results/latest.json. `npm run bench -- timeline pipeline` runs a subset;
// `npm run bench -- import coldstart` the dataset import and the cold start of `npm start`;
// `npm run bench -- middleware` what each shared middleware layer costs on /healthz;
// `npm run bench -- library` the library's quote() against @pydantic/genai-prices' calcPrice.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const benches: Record<string, { file: string; fn: string }> = {
  timeline: { file: './timeline.bench.ts', fn: 'runTimelineBench' },
  pipeline: { file: './pipeline.bench.ts', fn: 'runPipelineBench' },
  api: { file: './api.bench.ts', fn: 'runApiBench' },
  middleware: { file: './api.bench.ts', fn: 'runMiddlewareBench' },
  library: { file: './library.bench.ts', fn: 'runLibraryBench' },
  browser: { file: './browser-reuse.bench.ts', fn: 'runBrowserReuseBench' },
  webhooks: { file: './webhooks.bench.ts', fn: 'runWebhookBench' },
  import: { file: './import.bench.ts', fn: 'runImportBench' },
  coldstart: { file: './coldstart.bench.ts', fn: 'runColdStartBench' },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version };
for (const [name, b] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  if (!existsSync(join(import.meta.dirname, b.file))) continue;
  process.stderr.write(`bench ${name}…\n`);
  const mod = (await import(b.file)) as Record<string, () => Promise<unknown>>;
  const t = performance.now();
  results[name] = await mod[b.fn]();
  process.stderr.write(`bench ${name} done in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  console.log(JSON.stringify({ [name]: results[name] }, null, 2));
}
mkdirSync('bench-results', { recursive: true });
writeFileSync(join('bench-results', 'latest.json'), JSON.stringify(results, null, 2) + '\n');
