// Catalog fixtures: `cut` takes real slices of the catalogs' files from local git mirrors (repo,
// commit and path go in .meta.json); `regen` (the default) rewrites every .expected.json from the
// fixtures alone, for review as a git diff. Run: npx tsx scripts/catalog-fixtures.ts [cut <mirrors dir>]
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCRAPERS_DIR } from '../src/scrape/fixtures.ts';
import { commitsTouching, headCommit, showFile, treeFiles } from '../src/catalog/git.ts';
import { parseJsonExact, stringifyJsonExact } from '../src/catalog/exact.ts';
import { catalogFixtureOutcome, catalogFixtures, formatCatalogExpected } from '../src/catalog/fixtures.ts';
import { catalogs } from '../scrapers/catalogs.ts';

function cut(mirrors: string) {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  // models.dev: a slice of the TOML tree (providers and models named here), verbatim files.
  {
    const git = join(mirrors, 'anomalyco+models.dev/repo');
    const h = headCommit(git);
    const want: Record<string, string[] | null> = {
      anthropic: ['claude-opus-4-6', 'claude-sonnet-4-5-20250929', 'claude-3-5-haiku-20241022', 'claude-sonnet-4-6'],
      'amazon-bedrock': ['anthropic.claude-opus-4-6-v1', 'anthropic.claude-3-5-sonnet-20240620-v1:0', 'meta.llama3-1-70b-instruct-v1:0'],
      xai: ['grok-4', 'grok-code-fast-1'],
      moonshotai: null,
      google: ['gemini-2.5-pro', 'gemini-2.5-flash'],
      deepseek: null,
      lmstudio: ['qwen/qwen3-30b-a3b-2507'],
      'wafer.ai': null,
    };
    const files = treeFiles(git, h.sha, 'providers', (p) => {
      const m = /^providers\/([^/]+)\/(provider\.toml|models\/(.+)\.toml)$/.exec(p);
      if (!m || !(m[1] in want)) return false;
      const models = want[m[1]];
      return m[2] === 'provider.toml' || models === null || models.includes(m[3]);
    });
    const dir = join(SCRAPERS_DIR, 'models-dev', 'fixtures');
    mkdirSync(dir, { recursive: true });
    const name = `tree-${h.sha.slice(0, 10)}`;
    writeFileSync(join(dir, `${name}.tree.json`), JSON.stringify(Object.fromEntries([...files].sort()), null, 2) + '\n');
    writeFileSync(join(dir, `${name}.meta.json`), JSON.stringify({ repo: 'anomalyco/models.dev', commit: h.sha, paths: [...files.keys()].sort(), date: iso(h.at), url: 'https://models.dev/api.json', origin: 'git mirror of github.com/anomalyco/models.dev', fidelity: `verbatim files: ${files.size} TOML files of ${Object.keys(want).length} providers (symlinks followed), cut from the tree at the commit` }, null, 2) + '\n');
  }
  // genai-prices: providers and models named here, cut from prices/data.json with numbers as written.
  {
    const git = join(mirrors, 'pydantic+genai-prices/repo');
    const h = headCommit(git);
    const all = parseJsonExact(showFile(git, h.sha, 'prices/data.json')!) as Array<Record<string, unknown>>;
    const want: Record<string, string[] | null> = {
      anthropic: ['claude-opus-4-6', 'claude-sonnet-4-5', 'claude-3-5-sonnet', 'claude-sonnet-5', 'claude-3-7-sonnet-latest'],
      deepseek: null,
      aws: ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'global.anthropic.claude-sonnet-5-v1:0'],
      'x-ai': null,
      openai: ['gpt-4o', 'gpt-5.4', 'o3', 'ada'],
      huggingface_groq: null,
    };
    const slice = all
      .filter((p) => (p.id as string) in want)
      .map((p) => ({ ...p, models: (p.models as Array<Record<string, unknown>>).filter((m) => want[p.id as string] === null || want[p.id as string]!.includes(m.id as string)) }));
    const dir = join(SCRAPERS_DIR, 'genai-prices', 'fixtures');
    mkdirSync(dir, { recursive: true });
    const name = `data-slice-${h.sha.slice(0, 10)}`;
    writeFileSync(join(dir, `${name}.json`), stringifyJsonExact(slice, 2) + '\n');
    writeFileSync(join(dir, `${name}.meta.json`), JSON.stringify({ repo: 'pydantic/genai-prices', commit: h.sha, paths: ['prices/data.json'], date: iso(h.at), url: 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json', origin: 'git mirror of github.com/pydantic/genai-prices', fidelity: `slice: providers ${Object.keys(want).join(', ')} (models as listed in the script), objects and numbers as written, re-indented` }, null, 2) + '\n');
  }
  // llm-prices: two vendor files verbatim.
  {
    const git = join(mirrors, 'simonw+llm-prices/repo');
    const h = headCommit(git);
    const dir = join(SCRAPERS_DIR, 'llm-prices', 'fixtures');
    mkdirSync(dir, { recursive: true });
    for (const v of ['anthropic', 'deepseek']) {
      const name = `${v}-${h.sha.slice(0, 10)}`;
      writeFileSync(join(dir, `${name}.json`), showFile(git, h.sha, `data/${v}.json`)!);
      writeFileSync(join(dir, `${name}.meta.json`), JSON.stringify({ repo: 'simonw/llm-prices', commit: h.sha, paths: [`data/${v}.json`], date: iso(h.at), url: `https://raw.githubusercontent.com/simonw/llm-prices/main/data/${v}.json`, origin: 'git mirror of github.com/simonw/llm-prices', fidelity: 'verbatim file' }, null, 2) + '\n');
    }
  }
}

/** A real slice of llm-prices history (every commit touching two vendor files), for the backfill-order test. */
function cutHistory(mirrors: string) {
  const git = join(mirrors, 'simonw+llm-prices/repo');
  const paths = ['data/anthropic.json', 'data/deepseek.json'];
  const commits = commitsTouching(git, paths).map((c) => ({
    sha: c.sha,
    committedAt: new Date(c.at).toISOString(),
    files: Object.fromEntries(paths.map((p) => [p, showFile(git, c.sha, p)]).filter(([, t]) => t !== null)),
  }));
  const dir = join(SCRAPERS_DIR, 'llm-prices', 'history');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vendors-anthropic-deepseek.json'), JSON.stringify({ repo: 'simonw/llm-prices', origin: 'git mirror of github.com/simonw/llm-prices', fidelity: 'verbatim file versions at every first-parent commit that touched them', paths, commits }, null, 2) + '\n');
}

/**
 * Real model names for the resolver test: genai-prices' match rules (equals / starts_with values,
 * with each model's whole rule, so the test can tell which priced model a name stands for) and
 * models.dev's hosted models with the upstream model they name (base_model).
 */
function cutNames(mirrors: string) {
  {
    const git = join(mirrors, 'pydantic+genai-prices/repo');
    const h = headCommit(git);
    const all = JSON.parse(showFile(git, h.sha, 'prices/data.json')!) as Array<{ id: string; models: Array<{ id: string; match: unknown }> }>;
    const values = (m: unknown, key: string): string[] => {
      if (!m || typeof m !== 'object') return [];
      const o = m as Record<string, unknown>;
      return [...(typeof o[key] === 'string' ? [o[key] as string] : []), ...(['or', 'and'] as const).flatMap((k) => (Array.isArray(o[k]) ? (o[k] as unknown[]).flatMap((x) => values(x, key)) : []))];
    };
    const providers = all
      .filter((p) => !p.id.startsWith('huggingface_') && p.id !== 'openrouter')
      .map((p) => ({ id: p.id, models: p.models.map((m) => ({ id: m.id, match: m.match, equals: values(m.match, 'equals'), startsWith: values(m.match, 'starts_with') })) }));
    const dir = join(SCRAPERS_DIR, 'genai-prices', 'names');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `match-rules-${h.sha.slice(0, 10)}.json`), JSON.stringify({ repo: 'pydantic/genai-prices', commit: h.sha, path: 'prices/data.json', origin: 'git mirror of github.com/pydantic/genai-prices', fidelity: 'model ids and match rules as written (Hugging Face router and OpenRouter providers left out)', providers }, null, 2) + '\n');
  }
  {
    const git = join(mirrors, 'anomalyco+models.dev/repo');
    const h = headCommit(git);
    const hosts = ['amazon-bedrock', 'google-vertex', 'google-vertex-anthropic', 'azure'];
    const files = treeFiles(git, h.sha, 'providers', (p) => hosts.some((x) => p.startsWith(`providers/${x}/models/`)));
    const names = [...files]
      .map(([p, text]) => ({ provider: p.split('/')[1], name: p.replace(/^providers\/[^/]+\/models\//, '').replace(/\.toml$/, ''), baseModel: /^base_model = "([^"]+)"/m.exec(text)?.[1] ?? null }))
      .filter((n) => n.baseModel !== null)
      .sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
    const dir = join(SCRAPERS_DIR, 'models-dev', 'names');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `hosted-${h.sha.slice(0, 10)}.json`), JSON.stringify({ repo: 'anomalyco/models.dev', commit: h.sha, paths: hosts.map((x) => `providers/${x}/models/`), origin: 'git mirror of github.com/anomalyco/models.dev', fidelity: 'file names (the hosts\' model ids) and their base_model line, as written', names }, null, 2) + '\n');
  }
}

/**
 * LiteLLM: the published file as the public git-scraping archive RoCry/llm-api-price keeps it
 * (an hourly copy of the raw URL, re-serialised with the same numbers, plus `last_updated`). The
 * fixture is a slice of named entries at the archive's head; the history slice is those entries at
 * every archive commit where any of them changed. Objects and numbers as written.
 */
export const LITELLM_ARCHIVE = { repo: 'RoCry/llm-api-price', dir: 'RoCry+llm-api-price' };
const LITELLM_FIXTURE_KEYS = [
  'sample_spec', 'last_updated', '1024-x-1024/dall-e-2', 'aiml/dall-e-3', 'text-embedding-3-small',
  'ai21.j2-mid-v1', 'amazon.nova-2-pro-preview-20251202-v1:0', 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'vertex_ai/claude-opus-4-6',
  'deepseek-chat', 'deepseek/deepseek-chat', 'deepseek-v4-flash', 'deepseek/deepseek-v4-flash', 'deepseek-v4-pro',
  'gemini/gemini-2.5-pro', 'gemini/gemini-2.5-flash-lite', 'gpt-4o', 'gpt-5.4', 'o4-mini', 'azure/gpt-4o',
  'openrouter/anthropic/claude-3.5-sonnet', 'xai/grok-4',
];
const LITELLM_HISTORY_KEYS = ['claude-sonnet-4-5', 'deepseek-chat', 'deepseek/deepseek-chat', 'gpt-4o', 'gemini/gemini-2.5-pro'];

function litellmSlice(text: string, keys: string[]): string {
  const all = parseJsonExact(text) as Record<string, unknown>;
  return stringifyJsonExact(Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])), 2) + '\n';
}

function cutLitellm(mirrors: string) {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const git = join(mirrors, LITELLM_ARCHIVE.dir, 'repo');
  const path = 'model_prices_and_context_window.json';
  const h = headCommit(git);
  const dir = join(SCRAPERS_DIR, 'litellm', 'fixtures');
  mkdirSync(dir, { recursive: true });
  const name = `slice-${h.sha.slice(0, 10)}`;
  writeFileSync(join(dir, `${name}.json`), litellmSlice(showFile(git, h.sha, path)!, LITELLM_FIXTURE_KEYS));
  writeFileSync(join(dir, `${name}.meta.json`), JSON.stringify({ repo: 'BerriAI/litellm', archive: LITELLM_ARCHIVE.repo, commit: h.sha, paths: [path], date: iso(h.at), url: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json', origin: `the published file as archived hourly by github.com/${LITELLM_ARCHIVE.repo} (commit is the archive's)`, fidelity: `slice: ${LITELLM_FIXTURE_KEYS.length} entries named in the script, objects and numbers as written, re-indented` }, null, 2) + '\n');
  const commits: Array<{ sha: string; committedAt: string; files: Record<string, string> }> = [];
  let prev = '';
  for (const c of commitsTouching(git, [path])) {
    const text = showFile(git, c.sha, path)!;
    let slice: string;
    try {
      slice = litellmSlice(text, LITELLM_HISTORY_KEYS);
    } catch {
      continue; // a copy that is not JSON is not a version of these entries
    }
    if (slice === prev) continue;
    prev = slice;
    commits.push({ sha: c.sha, committedAt: new Date(c.at).toISOString(), files: { [path]: slice } });
  }
  const hdir = join(SCRAPERS_DIR, 'litellm', 'history');
  mkdirSync(hdir, { recursive: true });
  writeFileSync(join(hdir, 'entries-5.json'), JSON.stringify({ repo: 'BerriAI/litellm', archive: LITELLM_ARCHIVE.repo, origin: `git mirror of github.com/${LITELLM_ARCHIVE.repo}`, fidelity: `entries ${LITELLM_HISTORY_KEYS.join(', ')} as written, at every first-parent archive commit where one of them changed`, paths: [path], commits }, null, 2) + '\n');
}

if (process.argv[2] === 'cut') {
  cut(process.argv[3] ?? '/work/.mirror');
  cutHistory(process.argv[3] ?? '/work/.mirror');
  cutNames(process.argv[3] ?? '/work/.mirror');
}
if (process.argv[2] === 'cut-litellm') cutLitellm(process.argv[3] ?? '/work/.mirror');
for (const catalog of catalogs) {
  for (const f of catalogFixtures(catalog)) {
    writeFileSync(f.expectedFile, formatCatalogExpected(catalogFixtureOutcome(catalog, f)));
    console.log('wrote', f.expectedFile);
  }
}
