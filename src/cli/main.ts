// The `tokentrail` command line. Errors are one line on stderr and a non-zero exit: 2 for bad
// input, 1 for anything else. `--json` prints exactly the API's shapes.
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { openDatabase, PACKAGE_ROOT, type Database } from '../db/client.ts';
import { BadInputError, DataError, FatalFetchError, LayoutChangedError, RetryableFetchError } from '../errors.ts';
import { parseInstant } from '../time.ts';
import { importDataset } from '../dataset/import.ts';
import { importFx } from '../fx/import.ts';
import { exportFx } from '../fx/export.ts';
import { diffIn, priceSheetIn } from '../fx/sheets.ts';
import { fxFootnotes } from '../fx/format.ts';
import { exportDataset } from '../dataset/export.ts';
import { changes, history } from '../timeline/queries.ts';
import { ChangeType } from '../model.ts';
import { conditionsLabel, pct, table } from './format.ts';
import { registerScrapeCommands } from './scrape-commands.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerQuoteCommand } from './quote-command.ts';
import { registerCatalogCommands } from '../catalog/cli.ts';

export const DEFAULT_DATA_DIR = resolve(PACKAGE_ROOT, 'data');

export interface GlobalOptions {
  db?: string;
}

let opened: Database | null = null;

/** Opens (and migrates) the database named by --db / DATABASE_URL once per command. */
export async function database(cmd: Command): Promise<Database> {
  if (!opened) opened = await openDatabase({ url: (cmd.optsWithGlobals() as GlobalOptions).db });
  return opened;
}

export function closeDatabase(): void {
  opened?.close();
  opened = null;
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
}

/** Progress lines go to stderr, and only on a terminal, so pipes and --json stay clean. */
export function progress(msg: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${msg}`);
}
export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}

const instant = (field: string) => (v: string) => parseInstant(v, field);

const CURRENCY = /^[A-Za-z]{3}$/;
export function currencyOption(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!CURRENCY.test(v)) throw new BadInputError(`--currency: "${v}" is not an ISO 4217 code such as USD or CNY`);
  return v.toUpperCase();
}

export function buildProgram(): Command {
  const program = new Command('tokentrail')
    .description('LLM API token prices: a sourced, bitemporal timeline, its dataset, scrapers and API')
    .option('--db <url>', 'database URL (libsql://…, file:…); default $DATABASE_URL or data/tokentrail.db')
    .showHelpAfterError(false)
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s.split('\n')[0] + '\n') });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .action(async (_o, cmd: Command) => {
      const d = await database(cmd);
      process.stdout.write(`migrated ${d.url}\n`);
    });

  program
    .command('import [dir]')
    .description('import dataset files (data/<provider>.json); idempotent and atomic')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd);
      const r = await importDataset(d, dir ?? DEFAULT_DATA_DIR, progress);
      const fx = await importFx(d, dir ?? DEFAULT_DATA_DIR);
      progressDone();
      print(!!o.json, { ...r, fx }, () => `imported ${r.files} file(s): ${r.models} models, ${r.facts} facts (${r.factsAdded} new, ${r.factsSuperseded} superseded)${fx ? `; ${fx.days} days of reference rates (${fx.daysWritten} new)` : ''}`);
    });

  program
    .command('export [dir]')
    .description('write one deterministic JSON file per provider and the JSON Schema')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd);
      const r = await exportDataset(d.db, dir ?? DEFAULT_DATA_DIR);
      const fx = await exportFx(d.db, dir ?? DEFAULT_DATA_DIR);
      print(!!o.json, { ...r, fx }, () => `exported ${r.files.length} file(s), ${r.written.length} changed; reference rates: ${fx.files.length} file(s), ${fx.written.length} changed`);
    });

  program
    .command('price <model>')
    .description('the price sheet of a model at an instant')
    .option('--at <instant>', 'valid time (ISO 8601; a bare date is 00:00 UTC); default now')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--currency <code>', 'in this currency: the published lines, else converted at the ECB reference rate of --at (rate shown)')
    .option('--json', 'print the API shape')
    .action(async (model: string, o: { at?: string; asOf?: string; currency?: string; json?: boolean }, cmd: Command) => {
      const now = Date.now();
      const at = o.at ? instant('--at')(o.at) : now;
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : now;
      const currency = currencyOption(o.currency);
      const d = await database(cmd);
      const sheet = await priceSheetIn(d.db, { model, at, asOf, currency });
      print(!!o.json, sheet, () =>
        [
          `${sheet.model}${sheet.requested ? ` (alias ${sheet.requested})` : ''} at ${sheet.at} as of ${sheet.asOf}`,
          table(
            ['component', 'conditions', 'currency', 'amount', 'kind', 'list', 'unit', 'valid'],
            sheet.prices.map((p) => [p.component, conditionsLabel(p.conditions), p.currency, p.amount, p.kind, p.listAmount, p.unit, `${p.validFrom} → ${p.validTo ?? '…'}`]),
          ),
          ...fxFootnotes(sheet.prices),
        ].join('\n'),
      );
    });

  program
    .command('history <model>')
    .description('all facts of a model overlapping a range, with sources')
    .option('--from <instant>')
    .option('--to <instant>')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--currency <code>')
    .option('--all', 'include superseded facts')
    .option('--json')
    .action(async (model: string, o: { from?: string; to?: string; asOf?: string; currency?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const from = o.from ? instant('--from')(o.from) : undefined;
      const to = o.to ? instant('--to')(o.to) : undefined;
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : Date.now();
      const currency = currencyOption(o.currency);
      const d = await database(cmd);
      const h = await history(d.db, { model, from, to, asOf, currency, includeSuperseded: o.all });
      print(!!o.json, h, () =>
        table(
          ['component', 'conditions', 'currency', 'kind', 'amount', 'validFrom', 'validTo', 'recordedAt', 'supersededAt', 'source'],
          h.facts.map((f) => [f.component, conditionsLabel(f.conditions), f.currency, f.kind, f.amount, f.validFrom, f.validTo, f.recordedAt, f.supersededAt, f.sources[0]?.url]),
        ),
      );
    });

  program
    .command('diff')
    .description('every price line whose effective or list price differs between two instants')
    .requiredOption('--from <instant>')
    .requiredOption('--to <instant>')
    .option('--provider <id>')
    .option('--model <id>')
    .option('--currency <code>')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--json')
    .action(async (o: { from: string; to: string; provider?: string; model?: string; currency?: string; asOf?: string; json?: boolean }, cmd: Command) => {
      const from = instant('--from')(o.from);
      const to = instant('--to')(o.to);
      if (from > to) throw new BadInputError('--from must not be after --to');
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : Date.now();
      const currency = currencyOption(o.currency);
      const d = await database(cmd);
      const r = await diffIn(d.db, { from, to, asOf, provider: o.provider, model: o.model, currency });
      const { asOf: _a, ...shape } = r;
      print(!!o.json, shape, () =>
        table(
          ['model', 'component', 'conditions', 'currency', 'before', 'after', 'change', 'type'],
          r.changes.map((c) => [c.model, c.component, conditionsLabel(c.conditions), c.currency, c.before, c.after, pct(c.changePct), c.type]),
        ),
      );
    });

  program
    .command('changes')
    .description('the change feed, newest first')
    .option('--since <instant>')
    .option('--until <instant>')
    .option('--provider <id>')
    .option('--model <id>')
    .addOption(new Option('--type <type...>', 'change types').choices(ChangeType.options))
    .option('--upcoming', 'only announced changes not yet in effect')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--limit <n>', 'page size (1–1000)', '100')
    .option('--cursor <cursor>')
    .option('--json')
    .action(async (o: { since?: string; until?: string; provider?: string; model?: string; type?: ChangeType[]; upcoming?: boolean; asOf?: string; limit: string; cursor?: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 1000) throw new BadInputError('--limit must be an integer from 1 to 1000');
      const d = await database(cmd);
      const r = await changes(d.db, {
        since: o.since ? instant('--since')(o.since) : undefined,
        until: o.until ? instant('--until')(o.until) : undefined,
        provider: o.provider,
        model: o.model,
        type: o.type,
        upcoming: o.upcoming ? true : undefined,
        asOf: o.asOf ? instant('--as-of')(o.asOf) : Date.now(),
        limit,
        cursor: o.cursor,
      });
      print(!!o.json, r, () =>
        [
          table(
            ['effectiveAt', 'model', 'component', 'conditions', 'currency', 'before', 'after', 'change', 'type', 'announcedAt'],
            r.data.map((c) => [c.effectiveAt, c.model, c.component, conditionsLabel(c.conditions), c.currency, c.before, c.after, pct(c.changePct), c.type + (c.upcoming ? ' (upcoming)' : ''), c.announcedAt]),
          ),
          r.nextCursor ? `next page: --cursor ${r.nextCursor}` : '',
        ].join('\n').trimEnd(),
      );
    });

  registerServeCommand(program);
  registerScrapeCommands(program);
  registerQuoteCommand(program);
  registerCatalogCommands(program);
  return program;
}

/** One clear line for the user; the exit code says whether the input was at fault. */
export function describeError(e: unknown): { message: string; code: number } {
  if (e instanceof BadInputError) return { message: e.message, code: 2 };
  if (e instanceof DataError) return { message: e.message, code: 2 };
  if (e instanceof LayoutChangedError) return { message: `page layout not recognised: ${e.message}`, code: 1 };
  if (e instanceof RetryableFetchError || e instanceof FatalFetchError) return { message: `fetch failed: ${e.message}`, code: 1 };
  const msg = e instanceof Error ? e.message : String(e);
  return { message: msg.split('\n')[0], code: 1 };
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its one line (or help/version, exit 0).
      return e.exitCode === 0 ? 0 : 2;
    }
    const { message, code } = describeError(e);
    process.stderr.write(`tokentrail: ${message}\n`);
    if (process.env.TOKENTRAIL_DEBUG) console.error(e);
    return code;
  } finally {
    closeDatabase();
  }
}
