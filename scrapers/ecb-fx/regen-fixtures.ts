// Writes scrapers/ecb-fx/fixtures/<name>.expected.json: what parseEcb returns for each saved file
// (review the git diff). npx tsx scrapers/ecb-fx/regen-fixtures.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEcb } from './index.ts';

export const ECB_FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const ecbFixtureFiles = () => readdirSync(ECB_FIXTURES).filter((f) => /\.(xml|csv)$/.test(f)).sort();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const f of ecbFixtureFiles()) {
    const out = join(ECB_FIXTURES, f.replace(/\.[^.]+$/, '.expected.json'));
    writeFileSync(out, `${JSON.stringify(parseEcb(readFileSync(join(ECB_FIXTURES, f), 'utf8')), null, 2)}\n`);
    console.log(out);
  }
}
