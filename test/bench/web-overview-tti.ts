// Overview time-to-interactive in real Chromium: from navigation start until the price table's
// script is wired to the server-rendered first page (`#overview[data-ready]`; each click then asks
// GET /overview/rows for one page), with
// today's data/ and with a SYNTHETIC 20× dataset (data/ copied 19 more times under renamed
// providers "<id>-synthN"; never written to data/, only to the server's temp directory).
// Run: npx tsx test/bench/web-overview-tti.ts
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openPage } from '../helpers/browser.ts';
import { DATA_DIR, startSeededServer } from '../helpers/server.ts';

const RUNS = 5;

/** data/ again under provider ids `<id>-synth<n>`: same shapes and sizes, marked synthetic. */
function synthetic(copies: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(DATA_DIR).filter((x) => x.endsWith('.json'))) {
    const text = readFileSync(join(DATA_DIR, f), 'utf8');
    const id = (JSON.parse(text) as { provider: { id: string } }).provider.id;
    for (let n = 1; n <= copies; n++) {
      const renamed = text
        .replaceAll(`"${id}/`, `"${id}-synth${n}/`)
        .replace(`"id": "${id}"`, `"id": "${id}-synth${n}"`)
        .replaceAll(`"provider": "${id}"`, `"provider": "${id}-synth${n}"`)
        .replace(/"name": "([^"]*)"/, `"name": "$1 (synthetic ${n})"`);
      out[`${id}-synth${n}.json`] = renamed;
    }
  }
  return out;
}

async function measure(label: string, extra: Record<string, string>) {
  const seedStart = performance.now();
  const s = await startSeededServer({ extraDatasets: extra });
  const seeded = performance.now() - seedStart;
  const browser = await launchBrowser();
  // (Connection: close: parsing a 100 MB answer outlasts the server's keep-alive, and a reused socket resets.)
  const rows = ((await (await fetch(`${s.url}/v1/overview`, { headers: { connection: 'close' } })).json()) as { data: unknown[] }).data.length;
  // The page's first render on this server (it parses and sorts the table once per version).
  const renderStart = performance.now();
  await (await fetch(`${s.url}/`, { headers: { connection: 'close' } })).text();
  const firstRender = performance.now() - renderStart;
  const times: number[] = [];
  let cold = 0;
  for (let i = 0; i <= RUNS; i++) {
    const w = await openPage(browser, { width: 1280 });
    await w.page.goto(`${s.url}/`, { timeout: 120_000 });
    await w.page.locator('#overview[data-ready="true"]').waitFor({ timeout: 60_000 });
    const t = Number(await w.page.locator('#overview').getAttribute('data-ready-at'));
    if (i === 0) cold = t;
    else times.push(t);
    await w.context.close();
  }
  // Sorting the whole table by a price column, in the page (the cost of a click).
  const w = await openPage(browser, { width: 1280 });
  await w.page.goto(`${s.url}/`);
  await w.page.locator('#overview[data-ready="true"]').waitFor({ timeout: 60_000 });
  // (The click asks the server for the new page of rows: timed until that page is drawn.)
  const sortMs = await w.page.evaluate(async () => {
    const root = document.getElementById('overview')!;
    const t0 = performance.now();
    (document.querySelector('#price-table thead a[data-sort="output"]') as HTMLElement).click();
    while (root.hasAttribute('aria-busy')) await new Promise((r) => setTimeout(r, 5));
    return performance.now() - t0;
  });
  await w.context.close();
  times.sort((a, b) => a - b);
  console.log(
    `${label}: ${rows} price rows; server's first render of / ${Math.round(firstRender)} ms; TTI first browser load ${cold} ms; warm median ${times[Math.floor(times.length / 2)]} ms (min ${times[0]}, max ${times[times.length - 1]}, ${RUNS} runs); sort click ${sortMs.toFixed(1)} ms; seeding ${(seeded / 1000).toFixed(1)} s`,
  );
  await browser.close();
  await s.close();
}

await measure('today’s data/', {});
await measure('SYNTHETIC 20× (data/ + 19 renamed copies, temp dir only)', synthetic(19));
