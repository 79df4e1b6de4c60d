import type { Command } from 'commander';

/** quote: added with the quote engine. */
export function registerQuoteCommand(_program: Command): void {}
