// data/fx/<source>.json: reading, merging parsed publications in, and the committed text form
// (deterministic: keys in a fixed order, days oldest first, currencies sorted, one line per day,
// two-space indent, trailing newline — so re-writing unchanged rates is byte-identical).
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.ts';
import { FxDataset, type FxOrigin, type FxParseResult } from './contract.ts';

export function readFxDataset(file: string): FxDataset {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`, { file });
  }
  const r = FxDataset.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DataError(`${file}: ${i.path.join('.')}: ${i.message}`, { file, path: i.path.join('.') });
  }
  for (const d of r.data.days) if (!(d.origin in r.data.origins)) throw new DataError(`${file}: day ${d.date} cites unknown origin ${d.origin}`, { file });
  return r.data;
}

/** Adds the parsed days under `originId`; a day already held keeps its first origin unless rates differ (then the new publication wins and says so). */
export function mergeFxDays(ds: FxDataset, parsed: FxParseResult, originId: string, origin: FxOrigin): FxDataset {
  if (parsed.base !== ds.base) throw new DataError(`base ${parsed.base} is not the dataset's ${ds.base}`);
  const byDate = new Map(ds.days.map((d) => [d.date, d]));
  let used = false;
  for (const d of parsed.days) {
    const old = byDate.get(d.date);
    if (old && JSON.stringify(old.rates) === JSON.stringify(d.rates)) continue;
    byDate.set(d.date, { date: d.date, origin: originId, rates: d.rates });
    used = true;
  }
  const complete = [...ds.complete];
  if (parsed.complete && parsed.days.length) {
    complete.push({ from: parsed.days[0].date, to: parsed.days[parsed.days.length - 1].date, origin: originId });
    used = true;
  }
  const origins = used ? { ...ds.origins, [originId]: origin } : ds.origins;
  return {
    ...ds,
    complete: mergeSpans(complete),
    origins: Object.fromEntries(Object.entries(origins).sort(([a], [b]) => a.localeCompare(b))),
    days: [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date)),
  };
}

/** Overlapping spans merge (keeping the origin of the earliest). */
export function mergeSpans<T extends { from: string; to: string }>(spans: T[]): T[] {
  const sorted = [...spans].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const out: T[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) {
      if (s.to > last.to) out[out.length - 1] = { ...last, to: s.to };
    } else out.push({ ...s });
  }
  return out;
}

export function formatFxDataset(ds: FxDataset): string {
  const j = (v: unknown) => JSON.stringify(v);
  const origins = Object.entries(ds.origins).map(([k, o]) => {
    const ordered: FxOrigin = { url: o.url, title: o.title, ...(o.retrievedAt && { retrievedAt: o.retrievedAt }), ...(o.copy && { copy: { repo: o.copy.repo, commit: o.copy.commit, path: o.copy.path } }), ...(o.note && { note: o.note }) };
    return `    ${j(k)}: ${j(ordered)}`;
  });
  const days = ds.days.map((d) => `    {"date": ${j(d.date)}, "origin": ${j(d.origin)}, "rates": ${j(Object.fromEntries(Object.entries(d.rates).sort(([a], [b]) => a.localeCompare(b))))}}`);
  return [
    '{',
    `  "source": ${j(ds.source)},`,
    `  "name": ${j(ds.name)},`,
    `  "base": ${j(ds.base)},`,
    `  "homepage": ${j(ds.homepage)},`,
    `  "complete": [${ds.complete.length ? '\n' + ds.complete.map((c) => `    ${j({ from: c.from, to: c.to, origin: c.origin })}`).join(',\n') + '\n  ' : ''}],`,
    `  "origins": {${origins.length ? '\n' + origins.join(',\n') + '\n  ' : ''}},`,
    `  "days": [${days.length ? '\n' + days.join(',\n') + '\n  ' : ''}]`,
    '}',
    '',
  ].join('\n');
}
