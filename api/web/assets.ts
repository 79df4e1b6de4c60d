// Static files of the web page, served from the package (no CDN): our CSS and browser modules in
// api/web/assets/, and uPlot from node_modules. URLs carry a build id (a hash of every file), so
// they can be cached for a year, and the modules' relative imports stay within one build.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRepresentation, type Representation } from '../representation.ts';

const OWN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const LONG_CACHE = 'public, max-age=31536000, immutable';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface AssetTable {
  /** Hash of all files: part of every asset URL. */
  build: string;
  /** `/assets/<build>/<name>` */
  url(name: string): string;
  get(name: string): { current: Representation; stale: Representation } | undefined;
}

let table: AssetTable | null = null;

/** Read once per process: the files do not change while it runs. */
export function assetTable(): AssetTable {
  table ??= loadAssets();
  return table;
}

function loadAssets(): AssetTable {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(OWN_DIR).sort()) {
    if (name.endsWith('.d.ts')) continue;
    if (extOf(name) in TYPES) files.set(name, readFileSync(join(OWN_DIR, name)));
  }
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  files.set('uPlot.iife.min.js', readFileSync(join(uplotDir, 'uPlot.iife.min.js')));
  files.set('uPlot.min.css', readFileSync(join(uplotDir, 'uPlot.min.css')));
  // Exact decimal sums in the calculator (the same library the server prices with).
  const decimalDir = dirname(createRequire(import.meta.url).resolve('decimal.js/package.json'));
  files.set('decimal.mjs', readFileSync(join(decimalDir, 'decimal.mjs')));

  const hash = createHash('sha256');
  for (const [name, body] of files) hash.update(name).update('\0').update(body);
  const build = hash.digest('hex').slice(0, 12);

  const reps = new Map<string, { current: Representation; stale: Representation }>();
  for (const [name, body] of files) {
    const type = TYPES[extOf(name)];
    reps.set(name, {
      current: makeRepresentation(body, type, LONG_CACHE),
      // Asked under an older build id: serve today's file, but let nothing keep it under that URL.
      stale: makeRepresentation(body, type, 'no-cache'),
    });
  }
  return {
    build,
    url: (name) => `/assets/${build}/${name}`,
    get: (name) => reps.get(name),
  };
}

function extOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i === -1 ? '' : name.slice(i);
}
