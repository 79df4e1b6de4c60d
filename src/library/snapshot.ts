// The dataset snapshot the library answers from offline: the `data/*.json` files next to the
// package root (the repository's data/ when run from source; copied into dist/data/ by the build).
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../db/client.ts';
import { datasetFiles, readDatasetFile, validateDataset } from '../dataset/import.ts';
import { BadInputError, DataError } from '../errors.ts';
import type { ProviderDataset } from '../model.ts';

export const SNAPSHOT_DIR = resolve(PACKAGE_ROOT, 'data');

export function bundledSnapshot(): ProviderDataset[] {
  return datasetFiles(SNAPSHOT_DIR).map(readDatasetFile);
}

export interface FetchedDataset {
  etag: string | null;
  datasets: ProviderDataset[];
}

/**
 * GET a `/v1/dataset.json` document, conditionally on `etag`. `null` means 304 Not Modified.
 * Every provider is validated as `import` validates a dataset file, before anything is used.
 */
export async function fetchDataset(url: string, etag: string | null, fetchImpl: typeof fetch = fetch): Promise<FetchedDataset | null> {
  let res: Response | undefined;
  const get = () => fetchImpl(url, { headers: { accept: 'application/json', ...(etag ? { 'if-none-match': etag } : {}) } });
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await get();
    } catch (e) {
      const cause = (e as { cause?: { message?: string; code?: string } }).cause;
      // A kept-alive connection the server closed while idle resets on reuse: a GET is safe to
      // send once more on a new connection.
      if (attempt === 1 && (cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET')) continue;
      throw new Error(`refresh: cannot fetch ${url}: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
    }
  }
  if (res.status === 304) return null;
  if (res.status !== 200) throw new Error(`refresh: ${url} answered ${res.status}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new DataError(`refresh: ${url} did not return JSON`);
  }
  const providers = (body as { providers?: unknown } | null)?.providers;
  if (!Array.isArray(providers)) throw new DataError(`refresh: ${url} is not a dataset document ({providers: [...]})`);
  const datasets = providers.map((p, i) => {
    const id = (p as { provider?: { id?: unknown } } | null)?.provider?.id;
    if (typeof id !== 'string') throw new DataError(`refresh: providers[${i}].provider.id is missing`);
    return validateDataset(p, `${id}.json`);
  });
  return { etag: res.headers.get('etag'), datasets };
}

/** `url` may be the dataset document itself or the API's base URL. */
export function datasetUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new BadInputError(`refresh: "${url}" is not a URL`, { field: 'url' });
  }
  if (u.pathname.endsWith('.json')) return u.toString();
  return new URL('v1/dataset.json', u.toString().endsWith('/') ? u : `${u}/`).toString();
}
