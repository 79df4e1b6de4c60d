// The `tokentrail` command line. Errors are one line on stderr and a non-zero exit: 2 for bad
// input, 1 for a run that failed or was refused (and anything else). `--json` prints exactly the
// API's shapes. The scrapers and the server come from the composition root (app/cli.ts).
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../db/client.ts';
import { BadInputError, DataError, FatalFetchError, LayoutChangedError, NotFoundError, RetryableFetchError } from '../errors.ts';
import { parseInstant, toIso } from '../time.ts';
import { importDataset } from '../dataset/import.ts';
import { importFx } from '../fx/import.ts';
import { exportFx } from '../fx/export.ts';
import { diffIn, priceSheetIn } from '../fx/sheets.ts';
import { fxFootnotes } from '../fx/format.ts';
import { exportDataset } from '../dataset/export.ts';
import { changes, history, listModels, listProviders } from '../timeline/queries.ts';
import { plansAt } from '../timeline/plans.ts';
import { ChangeType } from '../model.ts';
import { didYouMean } from '../suggest.ts';
import { conditionsLabel, table } from './format.ts';
import { closeDatabase, currencyOption, database, DEFAULT_DATA_DIR, JSON_HELP, openedDatabase, print, progress, progressDone, type CliDeps } from './context.ts';
import { registerScrapeCommands } from './scrape-commands.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerQuoteCommand } from './quote-command.ts';
import { registerCatalogCommands } from '../catalog/cli.ts';
import { loadConfig } from '../config.ts';
import { changeWords, pctLabel } from '../phrasing.ts';

export type { CliDeps } from './context.ts';

const instant = (field: string) => (v: string) => parseInstant(v, field);

export const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('tokentrail')
    .description('LLM API token prices: a sourced, bitemporal timeline, its dataset, scrapers and API')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--db <url>', 'database URL (libsql://…, file:…); default $DATABASE_URL or data/tokentrail.db')
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .exitOverride();
  // Commander's errors are one line ("error: unknown command 'pric' (Did you mean price?)").
  program.configureOutput({ writeErr: (s) => process.stderr.write(s.trim().split('\n').map((l) => l.trim()).join(' ') + '\n') });

  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .option('--json', JSON_HELP)
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd, { seed: false });
      print(!!o.json, { migrated: d.url }, () => `migrated ${d.url}`);
    });

  program
    .command('import [dir]')
    .description('import dataset files (data/<provider>.json); idempotent and atomic')
    .option('--json', JSON_HELP)
    .action(async (dir: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd, { seed: false });
      const r = await importDataset(d, dir ?? DEFAULT_DATA_DIR, progress);
      const fx = await importFx(d, dir ?? DEFAULT_DATA_DIR);
      progressDone();
      print(!!o.json, { ...r, fx }, () => `imported ${r.files} file(s): ${r.models} models, ${r.facts} facts (${r.factsAdded} new, ${r.factsSuperseded} superseded)${fx ? `; ${fx.days} days of reference rates (${fx.daysWritten} new)` : ''}`);
    });

  program
    .command('export [dir]')
    .description('write one deterministic JSON file per provider and the JSON Schema')
    .option('--json', JSON_HELP)
    .action(async (dir: string | undefined, o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd, { seed: false });
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
    .option('--json', JSON_HELP)
    .action(async (model: string, o: { at?: string; asOf?: string; currency?: string; json?: boolean }, cmd: Command) => {
      const now = Date.now();
      const at = o.at ? instant('--at')(o.at) : now;
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : now;
      const currency = currencyOption(o.currency);
      const d = await database(cmd, { seed: true });
      const sheet = await priceSheetIn(d.db, { model, at, asOf, currency, staleAfterMs: loadConfig().TOKENTRAIL_STALE_AFTER });
      const stale = sheet.prices.filter((p) => p.stale);
      print(!!o.json, sheet, () =>
        [
          `${sheet.model}${sheet.requested ? ` (alias ${sheet.requested})` : ''} at ${sheet.at} as of ${sheet.asOf}`,
          table(
            ['component', 'conditions', 'currency', 'amount', 'kind', 'list', 'unit', 'valid', 'confirmed'],
            sheet.prices.map((p) => [
              p.component,
              conditionsLabel(p.conditions),
              p.currency,
              p.amount,
              p.kind,
              p.listAmount,
              p.unit,
              `${p.validFrom} → ${p.validTo ?? '…'}`,
              `${p.lastConfirmedAt?.slice(0, 10) ?? 'never'}${p.stale ? ' STALE' : ''}`,
            ]),
          ),
          ...fxFootnotes(sheet.prices),
          ...(stale.length ? [`${stale.length} of ${sheet.prices.length} line(s) stale: ${[...new Set(stale.map((p) => p.staleReason?.message))].join('; ')}`] : []),
        ].join('\n'),
      );
    });

  program
    .command('history <model>')
    .description('all facts of a model overlapping a range, with sources')
    .option('--from <instant>', 'start of the valid-time range (ISO 8601); default the beginning')
    .option('--to <instant>', 'end of the valid-time range (ISO 8601); default open')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--currency <code>', 'only this currency (ISO 4217)')
    .option('--all', 'include superseded facts')
    .option('--json', JSON_HELP)
    .action(async (model: string, o: { from?: string; to?: string; asOf?: string; currency?: string; all?: boolean; json?: boolean }, cmd: Command) => {
      const from = o.from ? instant('--from')(o.from) : undefined;
      const to = o.to ? instant('--to')(o.to) : undefined;
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : Date.now();
      const currency = currencyOption(o.currency);
      const d = await database(cmd, { seed: true });
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
    .requiredOption('--from <instant>', 'the earlier instant (ISO 8601; a bare date is 00:00 UTC)')
    .requiredOption('--to <instant>', 'the later instant')
    .option('--provider <id>', 'only this provider\'s models')
    .option('--model <id>', 'only this model')
    .option('--currency <code>', 'only this currency (ISO 4217)')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--json', JSON_HELP)
    .action(async (o: { from: string; to: string; provider?: string; model?: string; currency?: string; asOf?: string; json?: boolean }, cmd: Command) => {
      const from = instant('--from')(o.from);
      const to = instant('--to')(o.to);
      if (from > to) throw new BadInputError('--from must not be after --to');
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : Date.now();
      const currency = currencyOption(o.currency);
      const d = await database(cmd, { seed: true });
      const r = await diffIn(d.db, { from, to, asOf, provider: o.provider, model: o.model, currency });
      const { asOf: _a, ...shape } = r;
      print(!!o.json, shape, () =>
        table(
          ['model', 'component', 'conditions', 'currency', 'before', 'after', 'change', 'type'],
          r.changes.map((c) => [c.model, c.component, conditionsLabel(c.conditions), c.currency, c.before, c.after, pctLabel(c), c.type]),
        ),
      );
    });

  program
    .command('changes')
    .description('the change feed, newest first')
    .option('--since <instant>', 'changes effective at or after this instant')
    .option('--until <instant>', 'changes effective before this instant')
    .option('--provider <id>', 'only this provider\'s models')
    .option('--model <id>', 'only this model')
    .addOption(new Option('--type <type...>', 'only these change types').choices(ChangeType.options))
    .option('--upcoming', 'only announced changes not yet in effect')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--limit <n>', 'page size (1–1000)', '100')
    .option('--cursor <cursor>', 'continue after a previous page (its "next page" cursor)')
    .option('--json', JSON_HELP)
    .action(async (o: { since?: string; until?: string; provider?: string; model?: string; type?: ChangeType[]; upcoming?: boolean; asOf?: string; limit: string; cursor?: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 1000) throw new BadInputError('--limit must be an integer from 1 to 1000');
      const d = await database(cmd, { seed: true });
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
            ['effectiveAt', 'model', 'component', 'conditions', 'currency', 'before', 'after', 'change', 'type', 'announcedAt', 'in words'],
            // The same phrasing as the feed, the page and Slack (src/phrasing.ts).
            r.data.map((c) => [c.effectiveAt, c.model, c.component, conditionsLabel(c.conditions), c.currency, c.before, c.after, pctLabel(c), c.type + (c.upcoming ? ' (upcoming)' : ''), c.announcedAt, changeWords(c)]),
          ),
          r.nextCursor ? `next page: --cursor ${r.nextCursor}` : '',
        ].join('\n').trimEnd(),
      );
    });

  program
    .command('providers')
    .description('providers and their model counts')
    .option('--json', JSON_HELP)
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const d = await database(cmd, { seed: true });
      const data = await listProviders(d.db);
      print(!!o.json, { data }, () => table(['provider', 'name', 'models', 'url'], data.map((p) => [p.id, p.name, p.modelCount, p.url])));
    });

  program
    .command('models')
    .description('models with their context window and dates')
    .option('--provider <id>', 'only this provider\'s models')
    .option('--json', JSON_HELP)
    .action(async (o: { provider?: string; json?: boolean }, cmd: Command) => {
      const d = await database(cmd, { seed: true });
      if (o.provider && !(await listProviders(d.db)).some((p) => p.id === o.provider)) throw new NotFoundError(`unknown provider: ${o.provider}`, 'provider');
      const data = await listModels(d.db, o.provider);
      print(!!o.json, { data }, () =>
        table(['model', 'name', 'context', 'released', 'deprecated', 'retired'], data.map((m) => [m.id, m.name, m.contextWindow, m.releasedAt, m.deprecatedAt, m.retiredAt])),
      );
    });

  program
    .command('plans')
    .description('token plans and their credit rates at an instant')
    .option('--provider <id>', 'only this provider\'s plans')
    .option('--plan <id>', 'only this plan')
    .option('--at <instant>', 'valid time; default now')
    .option('--as-of <instant>', 'knowledge time; default now')
    .option('--json', JSON_HELP)
    .action(async (o: { provider?: string; plan?: string; at?: string; asOf?: string; json?: boolean }, cmd: Command) => {
      const now = Date.now();
      const at = o.at ? instant('--at')(o.at) : now;
      const asOf = o.asOf ? instant('--as-of')(o.asOf) : now;
      const d = await database(cmd, { seed: true });
      if (o.provider && !(await listProviders(d.db)).some((p) => p.id === o.provider)) throw new NotFoundError(`unknown provider: ${o.provider}`, 'provider');
      const data = await plansAt(d.db, { provider: o.provider, plan: o.plan?.toLowerCase(), at, asOf });
      print(!!o.json, { at: toIso(at), asOf: toIso(asOf), data }, () =>
        data
          .map((p) => [
            `${p.id}${p.terms ? `: ${p.terms.fee} ${p.terms.currency} per ${p.terms.period ?? 'period'}, ${p.terms.credits} credits` : ''}`,
            table(['model', 'component', 'credits per token'], p.rates.map((r) => [r.model, r.component, r.creditsPerToken])),
          ].join('\n'))
          .join('\n\n') || 'no plans',
      );
    });

  registerServeCommand(program, deps);
  registerScrapeCommands(program, deps);
  registerQuoteCommand(program);
  registerCatalogCommands(program, deps);
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

/** "unknown model: deepseek-v4pro" → "… (did you mean deepseek/deepseek-v4-pro?)", from the database. */
async function withSuggestion(e: unknown, message: string): Promise<string> {
  const d = openedDatabase();
  if (!d || !(e instanceof NotFoundError) || /did you mean/i.test(message)) return message;
  const m = /^unknown (model|provider): (.+)$/.exec(e.message);
  if (!m) return message;
  try {
    const names = m[1] === 'model' ? (await listModels(d.db)).map((x) => x.id) : (await listProviders(d.db)).map((x) => x.id);
    return message + didYouMean(m[2], names);
  } catch {
    return message;
  }
}

let pipeGuard = false;
/** `tokentrail changes | head -1`: the reader went away; stop quietly instead of a stack trace. */
function quietOnClosedPipe(): void {
  if (pipeGuard) return;
  pipeGuard = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export async function main(argv: string[], deps: CliDeps): Promise<number> {
  quietOnClosedPipe();
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its one line (or help/version, exit 0).
      return e.exitCode === 0 ? 0 : 2;
    }
    const { message, code } = describeError(e);
    process.stderr.write(`tokentrail: ${await withSuggestion(e, message)}\n`);
    if (process.env.TOKENTRAIL_DEBUG) console.error(e);
    return code;
  } finally {
    closeDatabase();
  }
}
