// The composition root of the command line: the only place where the CLI (src/cli), the
// scrapers (scrapers/registry.ts) and the HTTP server (api/) meet. src/ never imports the other two.
import { main as cliMain } from '../src/cli/main.ts';
import { fxSources, getScraper, scrapers } from '../scrapers/registry.ts';
import { catalogs, getCatalog } from '../scrapers/catalogs.ts';

export function main(argv: string[]): Promise<number> {
  return cliMain(argv, {
    scrapers,
    getScraper,
    catalogs,
    getCatalog,
    async serve(o) {
      // Loaded on demand so that other commands do not pay for the HTTP stack.
      const { startServer } = await import('../api/server.ts');
      return startServer({ ...o, warm: true, worker: { scheduler: { scrapers, catalogs }, fxSources } });
    },
  });
}
