// `tokentrail quote`: the cost of a workload, the same engine and JSON as POST /v1/quote.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { BadInputError } from '../errors.ts';
import { QuoteRequest, quote } from '../quote.ts';
import { fxFootnotes } from '../fx/format.ts';
import { formatPath } from '../dataset/import.ts';
import { database, JSON_HELP, print } from './context.ts';
import { table } from './format.ts';
import { loadConfig } from '../config.ts';

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new BadInputError(`${name}: "${v}" is not a whole number`);
  return Number(v);
};

export function registerQuoteCommand(program: Command): void {
  program
    .command('quote')
    .description('cost of a workload on one or more models at an instant (POST /v1/quote from the terminal)')
    .option('--model <id...>', 'model id(s)')
    .option('--at <instant>', 'when the requests run (default now)')
    .option('--as-of <instant>', 'knowledge time (default now)')
    .option('--input <tokens>', 'prompt tokens per request, cache reads and writes included', int('--input'))
    .option('--cache-read <tokens>', 'of which cache hits', int('--cache-read'))
    .option('--cache-write <tokens>', 'of which cache writes', int('--cache-write'))
    .option('--output <tokens>', 'output tokens per request', int('--output'))
    .option('--requests <n>', 'how many such requests', int('--requests'))
    .option('--currency <code>', 'quote in this currency (ISO 4217); default USD when the model has it')
    .option('--service-tier <tier>', 'batch, flex or priority')
    .option('--cache-ttl <ttl>', '5m or 1h')
    .option('--variant <name>', 'a priced variant of the model (its conditions.variant)')
    .option('--plan <id>', 'a token plan, to quote in credits too')
    .option('--body <file>', 'a POST /v1/quote JSON body instead of the options above ("-" for stdin)')
    .option('--json', JSON_HELP)
    .action(async (o: Record<string, unknown> & { json?: boolean; body?: string }, cmd: Command) => {
      let raw: unknown;
      if (o.body) {
        try {
          raw = JSON.parse(readFileSync(o.body === '-' ? 0 : o.body, 'utf8'));
        } catch (e) {
          throw new BadInputError(`--body: ${(e as Error).message.split('\n')[0]}`);
        }
      } else {
        if (!o.model || o.input === undefined || o.output === undefined) throw new BadInputError('quote needs --model, --input and --output (or --body)');
        raw = {
          models: o.model,
          at: o.at,
          asOf: o.asOf,
          currency: typeof o.currency === 'string' ? o.currency.toUpperCase() : undefined,
          requests: o.requests,
          serviceTier: o.serviceTier,
          cacheTtl: o.cacheTtl,
          variant: o.variant,
          plan: o.plan,
          usage: { inputTokens: o.input, cacheReadTokens: o.cacheRead, cacheWriteTokens: o.cacheWrite, outputTokens: o.output },
        };
      }
      const parsed = QuoteRequest.safeParse(JSON.parse(JSON.stringify(raw)));
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        throw new BadInputError(`${formatPath(i.path)}: ${i.message}`);
      }
      const d = await database(cmd, { seed: true });
      const r = await quote(d.db, parsed.data, Date.now(), { staleAfterMs: loadConfig().TOKENTRAIL_STALE_AFTER });
      print(!!o.json, r, () =>
        [
          ...r.quotes.map((q) =>
            [
              `${q.model}: ${q.total} ${q.currency}`,
              table(['component', 'tokens', 'unit price', 'cost', 'note'], q.lines.map((l) => [l.component, l.tokens, `${l.unitPrice} / ${l.unit}`, l.cost, l.note ?? ''])),
              ...fxFootnotes(q.lines.map((l) => ({ ...l, currency: q.currency }))),
              // Both figures in the quote's currency: the plan's converted from its fee currency where needed.
              q.plan ? `plan ${q.plan.plan}: ${q.plan.credits} credits; ${q.plan.requestsCovered ?? '-'} such requests per ${q.plan.period ?? 'period'}; ${q.plan.effectivePricePer1M ?? '-'} ${q.plan.currency} per 1M tokens on the plan vs ${q.plan.paygPricePer1M} ${q.currency} pay-as-you-go${q.plan.feeConversion ? ` (plan: ${q.plan.effectivePricePer1MInFeeCurrency} ${q.plan.feeCurrency} at ${q.plan.feeConversion.rate}, ECB reference rate of ${q.plan.feeConversion.rateDate})` : ''}${q.plan.note ? `; ${q.plan.note}` : ''}` : '',
            ].filter(Boolean).join('\n'),
          ),
          ...(r.warnings.length ? [r.warnings.map((w) => `warning: stale price — ${w.message}`).join('\n')] : []),
        ].join('\n\n'),
      );
    });
}
