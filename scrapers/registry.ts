// Every provider scraper, one line each. A test fails when a folder under scrapers/ with an
// index.ts is missing here.
import { BadInputError } from '../src/errors.ts';
import type { Scraper } from '../src/scrape/contract.ts';
import type { FxSource } from '../src/fx/contract.ts';
import anthropic from './anthropic/index.ts';
import deepseek from './deepseek/index.ts';
import openrouter from './openrouter/index.ts';
import openai from './openai/index.ts';
import xiaomi from './xiaomi/index.ts';
import google from './google/index.ts';
import moonshot from './moonshot/index.ts';
import minimax from './minimax/index.ts';
import ecbFx from './ecb-fx/index.ts';

/** A scraper with the module it is the default export of, so pages parse in a worker (src/scrape/parse-worker.ts). */
const EXT = import.meta.url.endsWith('.ts') ? 'ts' : 'js'; // compiled, dist/ holds index.js
const at = (s: Scraper, folder: string): Scraper => ({ ...s, module: new URL(`./${folder}/index.${EXT}`, import.meta.url).href });

export const scrapers: Scraper[] = [
  at(anthropic, 'anthropic'),
  at(deepseek, 'deepseek'),
  at(openrouter, 'openrouter'),
  at(openai, 'openai'),
  at(xiaomi, 'xiaomi'),
  at(google, 'google'),
  at(moonshot, 'moonshot'),
  at(minimax, 'minimax'),
];

/** Reference-rate sources (kind `fx`): scheduled and stored apart from price scrapers (src/fx/). */
export const fxSources: FxSource[] = [ecbFx];

export function getScraper(id: string): Scraper {
  const found = scrapers.find((s) => s.id === id);
  if (!found) throw new BadInputError(`unknown provider "${id}"; known: ${scrapers.map((s) => s.id).join(', ')}`, { status: 404, field: 'provider' });
  return found;
}
