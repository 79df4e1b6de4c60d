// Child process for the crash test: opens the database, says "ready", then ingests one page.
import { openDatabase } from '../../src/db/client.ts';
import { getScraper } from '../../scrapers/registry.ts';
import { ingestPage } from '../../src/scrape/pipeline.ts';
import { readFileSync } from 'node:fs';

const [dbFile, provider, pageFile, url, at, batchLines] = process.argv.slice(2);
const database = await openDatabase({ url: `file:${dbFile}` });
const body = readFileSync(pageFile);
process.stdout.write('ready\n');
const run = await ingestPage(database, { scraper: getScraper(provider), url, body, observedAt: Date.parse(at), confirmed: true, emitEvents: true, ...(batchLines ? { batchLines: Number(batchLines) } : {}) });
process.stdout.write(`done ${run.outcome} ${run.factsAdded}\n`);
database.close();
