// Regenerates scrapers/<id>/fixtures/<name>.expected.json from the saved pages, so a parser change
// is reviewed as a git diff of its output (mozilla/readability's test-pages idea).
//   npx tsx scripts/regen-fixtures.ts              every registered scraper
//   npx tsx scripts/regen-fixtures.ts deepseek     one provider
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { getScraper, scrapers } from '../scrapers/registry.ts';
import { formatExpected, listFixtures, runFixture } from '../src/scrape/fixtures.ts';

function main(args: string[]): number {
  const chosen = args.length > 0 ? args.map((id) => getScraper(id)) : scrapers;
  let changed = 0;
  for (const scraper of chosen) {
    const fixtures = listFixtures(scraper.id);
    if (fixtures.length === 0) console.warn(`${scraper.id}: no fixtures`);
    for (const fixture of fixtures) {
      const next = formatExpected(runFixture(scraper, fixture));
      let previous: string | undefined;
      try {
        previous = readFileSync(fixture.expectedFile, 'utf8');
      } catch {
        previous = undefined;
      }
      const name = relative(process.cwd(), fixture.expectedFile);
      if (previous === next) {
        console.log(`unchanged  ${name}`);
        continue;
      }
      writeFileSync(fixture.expectedFile, next);
      changed++;
      console.log(`${previous === undefined ? 'created   ' : 'updated   '} ${name}${next.startsWith('{\n  "error"') ? '  (parse refuses this page)' : ''}`);
    }
  }
  console.log(`${changed} expected file(s) written; review them with git diff`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`regen-fixtures: ${(e as Error).message}`);
  process.exitCode = 1;
}
