// Disagreement counts per catalog over a database (what GET /v1/disagreements lists, all of it):
// for each catalog, the periods and distinct lines (model, component, currency, conditions) where it
// takes part in a disagreement, and those where the provider's own page is the effective price and
// the catalog says otherwise. Usage: npx tsx scripts/catalog-disagreement-counts.ts <database url>
import { openDatabase } from '../src/db/client.ts';
import { disagreements } from '../src/catalog/disagreements.ts';
import { CATALOG_ORDER } from '../src/catalog/precedence.ts';
import { sameAmount } from '../src/decimal.ts';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: npx tsx scripts/catalog-disagreement-counts.ts <database url, e.g. file:/tmp/x.db>\n');
  process.exit(2);
}
const d = await openDatabase({ url });
const all = await disagreements(d.db, { asOf: Date.now() });
const line = (x: (typeof all)[number]) => `${x.model}|${x.component}|${x.currency}|${x.unit}|${JSON.stringify(x.conditions)}`;
const out: Record<string, unknown> = { periods: all.length, openNow: all.filter((x) => x.to === null).length };
for (const c of CATALOG_ORDER) {
  const inv = all.filter((x) => x.values.some((v) => v.source === c));
  const vsPage = inv.filter((x) => x.effective === 'provider' && !sameAmount(String(x.values.find((v) => v.source === c)!.amount), String(x.values[0].amount)));
  out[c] = {
    periods: inv.length,
    lines: new Set(inv.map(line)).size,
    openNow: inv.filter((x) => x.to === null).length,
    vsProviderLines: new Set(vsPage.map(line)).size,
    vsProviderOpenNow: vsPage.filter((x) => x.to === null).length,
  };
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
d.close();
