// scrape, parse, ingest, reparse: the scrape pipeline from the command line.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BadInputError } from '../errors.ts';
import { parseInstant, toIso } from '../time.ts';
import { ParseResult } from '../model.ts';
import { ingestPage, type RunSummary } from '../scrape/pipeline.ts';
import { scrapeProvider } from '../scrape/run.ts';
import { reparsePage } from '../scrape/reparse.ts';
import { BrowserPool } from '../scrape/fetch-browser.ts';
import { database, failedReparse, JSON_HELP, print, progress, progressDone, refusedRuns, type CliDeps } from './context.ts';
import { conditionsLabel, table } from './format.ts';

function readPage(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new BadInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function summaryTable(runs: RunSummary[]): string {
  return table(
    ['provider', 'page', 'outcome', 'rows', 'facts+', 'superseded', 'changes', 'reason'],
    runs.map((r) => [r.provider, r.url, r.outcome, r.observations, r.factsAdded, r.factsSuperseded, r.changes.length, r.reason ?? '']),
  );
}

export function registerScrapeCommands(program: Command, deps: CliDeps): void {
  program
    .command('scrape [providers...]')
    .description('fetch the providers\' pricing pages now and record what changed')
    .option('--json', JSON_HELP)
    .action(async (ids: string[], o: { json?: boolean }, cmd: Command) => {
      const chosen = ids.length ? ids.map((id) => deps.getScraper(id)) : deps.scrapers;
      const d = await database(cmd);
      const pool = chosen.some((s) => s.kind === 'browser') ? new BrowserPool() : undefined;
      const runs: RunSummary[] = [];
      try {
        for (const s of chosen) {
          progress(`scraping ${s.id} (${s.pages.length} page${s.pages.length > 1 ? 's' : ''})…`);
          runs.push(...(await scrapeProvider(d, s, { pool })));
          if (process.stderr.isTTY) {
            const mine = runs.filter((r) => r.provider === s.id);
            progressDone();
            process.stderr.write(`${s.id}: ${mine.map((r) => r.outcome).join(', ')}\n`);
          }
        }
      } finally {
        await pool?.close();
      }
      progressDone();
      print(!!o.json, { runs }, () => summaryTable(runs));
      if (refusedRuns(runs)) process.exitCode = 1;
    });

  program
    .command('parse <provider> <file>')
    .description('offline: print the observations a saved page yields')
    .option('--url <url>', 'the page URL the file was saved from (default: the provider\'s first page)')
    .option('--at <instant>', 'observation instant passed to the parser (default now)')
    .option('--json', 'print the whole parse result as JSON (the default output is a table of the observations)')
    .action((provider: string, file: string, o: { url?: string; at?: string; json?: boolean }) => {
      const scraper = deps.getScraper(provider);
      const text = readPage(file).toString('utf8');
      const observedAt = o.at ? toIso(parseInstant(o.at, '--at')) : new Date().toISOString();
      const result = ParseResult.parse(scraper.parse(text, { url: o.url ?? scraper.pages[0].url, observedAt }));
      print(!!o.json, result, () =>
        table(
          ['model', 'component', 'currency', 'unit', 'conditions', 'amount', 'kind'],
          result.observations.map((ob) => [ob.model, ob.component, ob.currency, ob.unit, conditionsLabel(ob.conditions), ob.amount, ob.kind]),
        ),
      );
    });

  program
    .command('ingest <provider> <file>')
    .description('run the whole pipeline on a saved page as if fetched at --at (backfill from archived pages)')
    .requiredOption('--at <instant>', 'when the page was fetched or archived')
    .option('--url <url>', 'the page URL the file was saved from (default: the provider\'s first page)')
    .option('--archive <url>', 'where the archived copy can be seen')
    .option('--confirmed', 'a trusted copy of the provider\'s page: skip the second-observation rule')
    .option('--notify', 'write webhook events for the changes it finds')
    .option('--json', JSON_HELP)
    .action(async (provider: string, file: string, o: { at: string; url?: string; archive?: string; confirmed?: boolean; notify?: boolean; json?: boolean }, cmd: Command) => {
      const scraper = deps.getScraper(provider);
      const at = parseInstant(o.at, '--at');
      const url = o.url ?? scraper.pages[0].url;
      if (o.archive && !/^https?:\/\//.test(o.archive)) throw new BadInputError('--archive must be an http(s) URL');
      const body = readPage(file);
      const d = await database(cmd);
      const run = await ingestPage(d, { scraper, url, body, observedAt: at, confirmed: !!o.confirmed, archiveUrl: o.archive, emitEvents: !!o.notify });
      print(!!o.json, run, () => summaryTable([run]));
      if (refusedRuns([run])) process.exitCode = 1;
    });

  program
    .command('reparse <provider>')
    .description('re-run today\'s parser over stored snapshots; corrections supersede, nothing is deleted')
    .option('--json', JSON_HELP)
    .action(async (provider: string, o: { json?: boolean }, cmd: Command) => {
      const scraper = deps.getScraper(provider);
      const d = await database(cmd);
      const runs: RunSummary[] = [];
      // Learned now: corrections supersede at this instant; each snapshot keeps its valid time.
      const knownAt = Date.now();
      for (const page of scraper.pages) {
        progress(`reparsing ${page.url}`);
        runs.push(await reparsePage(d, scraper, page.url, knownAt));
      }
      progressDone();
      print(!!o.json, { runs }, () => summaryTable(runs));
      if (failedReparse(runs)) process.exitCode = 1;
    });
}
