// `tokentrail backfill <catalog> <git dir>`: replays a catalog's git history into the timeline.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { BadInputError } from '../errors.ts';
import { parseInstant } from '../time.ts';
import { database, print, progress, progressDone, type CliDeps } from '../cli/context.ts';
import { backfillCatalog } from './backfill.ts';

export function registerCatalogCommands(program: Command, deps: CliDeps): void {
  program
    .command('backfill <catalog> <gitDir>')
    .description(`replay a catalog's git history (${deps.catalogs.map((c) => c.id).join(', ')}): each commit is an observation at its commit time`)
    .option('--since <instant>', 'only commits at or after this instant')
    .option('--last <n>', 'only the last n commits')
    .option('--every-days <n>', 'sample the last commit of each n-day window')
    .option('--archive <owner/name>', "the git dir is this public archive of the catalog's published file: cite its commits")
    .option('--json', 'print JSON instead of a summary line')
    .action(async (id: string, gitDir: string, o: { since?: string; last?: string; everyDays?: string; archive?: string; json?: boolean }, cmd: Command) => {
      const catalog = deps.getCatalog(id);
      if (!existsSync(gitDir)) throw new BadInputError(`no git directory at ${gitDir}`);
      const num = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) throw new BadInputError(`--${name}: "${v}" is not a positive number`);
        return n;
      };
      const d = await database(cmd);
      const r = await backfillCatalog(d, catalog, gitDir, {
        since: o.since ? parseInstant(o.since, 'since') : undefined,
        last: num(o.last, 'last'),
        everyDays: num(o.everyDays, 'every-days'),
        officialProviders: new Set(deps.scrapers.map((s) => s.id)),
        archive: o.archive,
        onProgress: progress,
      });
      progressDone();
      print(!!o.json, r, () => `${r.catalog}: ${r.commits} commits, ${r.runs} provider runs (${r.failed} failed, ${r.suspect} suspect), ${r.factsAdded} facts added`);
    });
}
