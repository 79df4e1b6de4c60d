// Plain-text notes for the CLI: which rate of which day made a converted figure, and which lines
// the currency check suspects.
import type { FxLineFields } from './convert.ts';
import type { SuspectStale } from './consistency.ts';

type Line = { component: string; currency: string } & Partial<FxLineFields> & { suspectStale?: SuspectStale };

export function fxFootnotes(lines: Line[]): string[] {
  const out = new Set<string>();
  for (const l of lines) {
    if (l.convertedFrom && l.rate !== undefined)
      out.add(
        `converted from ${l.convertedFrom} at ${l.rate} ${l.currency} per ${l.convertedFrom}: ${l.rateSource?.name ?? 'reference rate'} of ${l.rateDate}` +
          `${l.rateNote ? ` (${l.rateNote})` : ''}; ${l.rateSource?.url ?? ''}${l.rateSource?.copy ? ` via ${l.rateSource.copy.repo}@${l.rateSource.copy.commit.slice(0, 12)}` : ''}`,
      );
    if (l.suspectStale)
      out.add(
        `suspect-stale: ${l.component} in ${l.currency} — ${l.suspectStale.changed.currency} changed on ${l.suspectStale.changed.validFrom}; the two lists imply ${l.suspectStale.impliedRate}, ${l.suspectStale.departurePct}% from the reference rate ${l.suspectStale.referenceRate} of ${l.suspectStale.rateDate}`,
      );
  }
  return [...out];
}
