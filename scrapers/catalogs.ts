// Every catalog scraper (kind `catalog`), one line each, in precedence order (src/catalog/precedence.ts).
import { BadInputError } from '../src/errors.ts';
import type { Catalog } from '../src/catalog/contract.ts';
import genaiPrices from './genai-prices/index.ts';
import modelsDev from './models-dev/index.ts';
import llmPrices from './llm-prices/index.ts';
import litellm from './litellm/index.ts';

export const catalogs: Catalog[] = [genaiPrices, modelsDev, llmPrices, litellm];

export function getCatalog(id: string): Catalog {
  const found = catalogs.find((c) => c.id === id);
  if (!found) throw new BadInputError(`unknown catalog "${id}"; known: ${catalogs.map((c) => c.id).join(', ')}`, { status: 404, field: 'catalog' });
  return found;
}
