// Catalog fixtures beside each catalog scraper: scrapers/<folder>/fixtures/ holds
//   <name>.json | <name>.tree.json   a real slice of the published file, or of the repo's file tree
//                                    at one commit ({path: text}), cut by scripts/catalog-fixtures.ts
//   <name>.meta.json                 { repo, commit, paths, date, url, origin, fidelity, archive? }
//   <name>.expected.json             what the catalog's parse returns for it
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCRAPERS_DIR } from '../scrape/fixtures.ts';
import type { Catalog, CatalogParse } from './contract.ts';

export interface CatalogFixtureMeta {
  repo: string;
  commit: string;
  paths: string[];
  date: string;
  url: string;
  origin: string;
  fidelity: string;
  /** The public archive whose commit `commit` is, when the catalog's file was read from a copy of it (LiteLLM). */
  archive?: string;
}

export interface CatalogFixture {
  name: string;
  inputFile: string;
  tree: boolean;
  expectedFile: string;
  meta: CatalogFixtureMeta;
}

export const catalogFolder = (c: Catalog) => c.id.replace(/[^a-z0-9-]+/g, '-');

export function catalogFixtures(catalog: Catalog): CatalogFixture[] {
  const dir = join(SCRAPERS_DIR, catalogFolder(catalog), 'fixtures');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.json') && !n.endsWith('.meta.json') && !n.endsWith('.expected.json'))
    .sort()
    .map((n) => {
      const tree = n.endsWith('.tree.json');
      const name = n.replace(tree ? /\.tree\.json$/ : /\.json$/, '');
      return {
        name,
        inputFile: join(dir, n),
        tree,
        expectedFile: join(dir, `${name}.expected.json`),
        meta: JSON.parse(readFileSync(join(dir, `${name}.meta.json`), 'utf8')) as CatalogFixtureMeta,
      };
    });
}

/** The published text a fixture stands for (a tree fixture goes through the catalog's history reader). */
export function catalogFixtureText(catalog: Catalog, f: CatalogFixture): string {
  const raw = readFileSync(f.inputFile, 'utf8');
  if (!f.tree) return raw;
  const files = new Map(Object.entries(JSON.parse(raw) as Record<string, string>));
  const out = catalog.history.files({
    show: (p) => files.get(p) ?? null,
    tree: (dir, filter) => new Map([...files].filter(([p]) => p.startsWith(`${dir}/`) && filter(p))),
  });
  return out[0].text;
}

export function catalogFixtureOutcome(catalog: Catalog, f: CatalogFixture): CatalogParse {
  return catalog.parse(catalogFixtureText(catalog, f), { url: f.meta.url, observedAt: f.meta.date });
}

export function formatCatalogExpected(p: CatalogParse): string {
  return JSON.stringify(p, null, 2) + '\n';
}
