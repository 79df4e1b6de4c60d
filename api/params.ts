// Query parameters shared by the routes: validated by zod (so /openapi.json describes them) with
// the same rules as the core (instants through parseInstant: 2026-02-30 is a 400, never a 500).
import { z } from '@hono/zod-openapi';
import { ChangeType } from '../src/model.ts';
import { parseInstant } from '../src/time.ts';

function instantSchema(name: string) {
  return z
    .string()
    .max(64)
    .superRefine((s, ctx) => {
      try {
        parseInstant(s, name);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    });
}

/** An optional instant parameter (validated; parse it again with `instantOr`). */
export function instantParam(name: string, description: string) {
  return instantSchema(name).optional().openapi({ param: { description }, example: '2026-05-01T00:00:00Z' });
}

export function requiredInstantParam(name: string, description: string) {
  return instantSchema(name).openapi({ param: { description }, example: '2026-05-01T00:00:00Z' });
}

export const atParam = instantParam('at', 'Valid-time instant (ISO 8601 with zone, or a bare date = 00:00 UTC). Default: now.');
export const asOfParam = instantParam('asOf', 'Knowledge time: answer as the timeline knew it then. Default: now.');

export const modelParam = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@\/-]*$/, 'expected a model id such as deepseek/deepseek-v4-pro')
  .openapi({ param: { description: 'Model id `provider/model` (an alias resolves to its model at `at`).' }, example: 'deepseek/deepseek-v4-pro' });

export const providerParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a provider id such as deepseek')
  .openapi({ param: { description: 'Provider id.' }, example: 'deepseek' });

export const planParam = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9._:\/-]*$/, 'expected a plan id such as xiaomi/token-plan-lite')
  .openapi({ param: { description: 'Plan id.' }, example: 'xiaomi/token-plan-lite' });

export const currencyParam = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'expected an ISO 4217 code such as USD or CNY')
  .openapi({ param: { description: 'ISO 4217 currency as published (no conversion).' }, example: 'USD' });

export const booleanParam = (description: string) => z.enum(['true', 'false']).openapi({ param: { description } });

export const limitParam = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a whole number')
  .refine((s) => Number(s) >= 1 && Number(s) <= 1000, 'must be from 1 to 1000')
  .openapi({ param: { description: 'Page size, 1–1000 (default 100).' }, example: '100' });

export const cursorParam = z
  .string()
  .max(2048)
  .openapi({ param: { description: 'The `nextCursor` of the previous page.' } });

const CHANGE_TYPES = ChangeType.options as readonly string[];

/** `type=price_cut&type=promo_started` or `type=price_cut,promo_started`. */
export const changeTypesParam = z
  .union([z.string().max(500), z.array(z.string().max(500)).max(20)])
  .superRefine((v, ctx) => {
    for (const t of splitList(v)) {
      if (!CHANGE_TYPES.includes(t)) ctx.addIssue({ code: 'custom', message: `unknown change type "${t.slice(0, 40)}"; expected one of ${CHANGE_TYPES.join(', ')}` });
    }
  })
  .openapi({ param: { description: `Change types (repeat or comma-separate): ${CHANGE_TYPES.join(', ')}.`, style: 'form', explode: true } });

export function splitList(v: string | string[]): string[] {
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** A validated optional instant: ms, or the fallback (usually now). */
export function instantOr(value: string | undefined, field: string, fallback: number): number {
  return value === undefined ? fallback : parseInstant(value, field);
}
