// The digest of what `npm run build` compiles and copies into dist/ (src, api, scrapers, app —
// fixtures aside, which tsc skips — and the build's own configuration). scripts/build.mjs writes
// it to dist/.source-digest; bin/tokentrail.js runs dist/ only while it still matches, so a
// checkout always runs what is checked out, compiled or not.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIRS = ['src', 'api', 'scrapers', 'app'];
const FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];

export const DIGEST_FILE = '.source-digest';

export function sourceDigest(root) {
  const files = [...FILES];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'fixtures' && e.name !== 'node_modules') walk(p);
      } else if (e.isFile()) files.push(p);
    }
  };
  for (const d of DIRS) walk(d);
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex');
}
