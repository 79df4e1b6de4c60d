// Guards: which parts of a page are not trusted yet. Pure. Each guard holds only the scope it
// concerns — a vanished model holds that model's series, a move past the threshold holds that
// price line — and the rest of the page is applied; a held scope takes effect once the next
// observation shows the same thing, from the first sighting on. Too few rows holds the whole page.
// An implausible amount refuses its row (the run is partial); a 0 not stated as free fails the page.
import type { CoverageScope, Observation } from '../model.ts';
import { Decimal } from '../decimal.ts';
import { parseConditionsKey } from '../conditions.ts';
import { hashKey } from '../timeline/rows.ts';
import { inForce, lineStateAt } from '../timeline/series-state.ts';
import type { Scraper } from './contract.ts';
import { claimedEffective, lineKey, parseLineKey, segmentsDigest, type Claims, type Line, type LineKey } from './claims.ts';
import { implausibility } from './plausibility.ts';

/** A timeline fact in the page's scope, as the guards see it. */
export interface GuardFact extends Line {
  amount: string;
  validFrom: number;
  validTo: number | null;
  recordedAt: number;
  id: number;
  free: boolean;
}

export interface Hold {
  /** Stable across observations: `model:<id>`, `lost:<id>` or `move:<price line>`. */
  key: string;
  reason: string;
  /** What the page said about the scope; a second observation confirms it by saying the same. */
  digest: string;
  /** The series the hold keeps as they are (a vanished model: all of its series). */
  lines: LineKey[];
}

export interface GuardVerdict {
  /** The page cannot be read as prices at all (a run that fails). */
  fail: string | null;
  /** Reasons that hold the whole page (too few rows). */
  page: string[];
  holds: Hold[];
  /** Rows refused as implausible: unread, with the scope of the series they would have set. */
  refused: Array<{ section: string; reason: string; scope: CoverageScope }>;
  /** An aggregator no longer sends a field that was free: not a change, the series stays. */
  notSent: LineKey[];
}

const priceLineOf = (k: LineKey) => {
  const l = parseLineKey(k);
  return [l.model, l.component, l.currency, l.unit, l.conditionsKey].join('\u0000');
};

export function guardPage(scraper: Scraper, obs: Observation[], claims: Claims, live: GuardFact[], observedAt: number, unreadRows = 0): GuardVerdict {
  const v: GuardVerdict = { fail: null, page: [], holds: [], refused: [], notSent: [] };
  // Rows the parser saw but reported unread (scoped sections) are on the page: partial, not short.
  if (obs.length + unreadRows < scraper.minRows) v.page.push(`only ${obs.length} price rows (minimum ${scraper.minRows})`);
  for (const o of obs) {
    if (new Decimal(o.amount).isZero() && !o.free) {
      v.fail ??= `a price of 0 not stated as free (${o.model} ${o.component})`;
      continue;
    }
    const why = implausibility(o.amount, o.currency, o.unit, { free: o.free });
    if (why === undefined) continue;
    v.refused.push({ section: `row ${o.model} ${o.component} ${o.currency}`, reason: `implausible amount: ${why}`, scope: { model: o.model, component: o.component, currency: o.currency, conditions: o.conditions } });
  }

  const byLine = new Map<LineKey, GuardFact[]>();
  for (const f of live) byLine.set(lineKey(f), [...(byLine.get(lineKey(f)) ?? []), f]);
  const liveNow = new Map<LineKey, GuardFact>();
  for (const [k, facts] of byLine) {
    const f = inForce(facts, observedAt);
    if (f) liveNow.set(k, f);
  }
  // An aggregator omits fields it does not charge for: a free series it stops sending stays.
  if (scraper.flappy) for (const [k, f] of liveNow) if (!claims.has(k) && new Decimal(f.amount).isZero()) v.notSent.push(k);
  const notSent = new Set(v.notSent);

  const claimedModels = new Set([...claims.keys()].map((k) => parseLineKey(k).model));
  const liveByModel = new Map<string, LineKey[]>();
  for (const k of liveNow.keys()) if (!notSent.has(k)) liveByModel.set(parseLineKey(k).model, [...(liveByModel.get(parseLineKey(k).model) ?? []), k]);
  for (const [model, keys] of liveByModel) {
    if (!claimedModels.has(model)) {
      v.holds.push({ key: `model:${model}`, reason: `known model vanished from the page: ${model}`, digest: 'absent', lines: [...byLine.keys()].filter((k) => parseLineKey(k).model === model) });
      continue;
    }
    const lost = keys.filter((k) => !claims.has(k));
    if (keys.length >= 4 && lost.length / keys.length > 0.5)
      v.holds.push({ key: `lost:${model}`, reason: `${lost.length} of ${keys.length} known price rows of ${model} vanished`, digest: hashKey(lost.sort()), lines: lost });
  }

  // Moves beyond the threshold (any move at all for flapping aggregators) need confirmation.
  const seen = new Set<string>();
  for (const k of claims.keys()) {
    const pl = priceLineOf(k);
    if (seen.has(pl)) continue;
    seen.add(pl);
    const l = parseLineKey(k);
    const kinds = [lineKey({ ...l, kind: 'list' }), lineKey({ ...l, kind: 'promo' })];
    const facts = kinds.flatMap((x) => byLine.get(x) ?? []);
    const before = lineStateAt(facts, observedAt).effective?.amount ?? null;
    const after = claimedEffective(claims, l, observedAt);
    if (before === null || after === null || new Decimal(before).isZero()) continue;
    const move = new Decimal(after).minus(before).abs().div(before).toNumber();
    if ((scraper.flappy && move > 0) || move > scraper.changeThreshold) {
      const c = parseConditionsKey(l.conditionsKey);
      const cond = Object.keys(c).length ? ` ${l.conditionsKey}` : '';
      v.holds.push({
        key: `move:${pl}`,
        reason: `${l.model} ${l.component} ${l.currency}${cond} ${before} → ${after} moved beyond the ${scraper.flappy ? 'flap' : `${scraper.changeThreshold * 100}%`} guard`,
        digest: hashKey(kinds.map((x) => segmentsDigest(claims.get(x) ?? [], observedAt))),
        lines: kinds,
      });
    }
  }
  return v;
}
