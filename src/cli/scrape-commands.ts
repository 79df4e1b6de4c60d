import type { Command } from 'commander';

/** scrape, parse, ingest, reparse: added with the scrape pipeline. */
export function registerScrapeCommands(_program: Command): void {}
