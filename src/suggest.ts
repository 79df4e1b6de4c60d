// "Did you mean …?": the known names closest to a mistyped one (Damerau–Levenshtein distance),
// for the CLI's unknown models and providers and the webhook filters' validation.

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * Up to `max` candidates within a distance of 40% of the input's length (at least 2), the
 * nearest first. A candidate whose part after the provider prefix matches closely counts too, so
 * "deepseek-v4pro" finds "deepseek/deepseek-v4-pro".
 */
export function closest(input: string, candidates: readonly string[], max = 3): string[] {
  const q = input.toLowerCase();
  const limit = Math.max(2, Math.floor(q.length * 0.4));
  const scored = candidates
    .map((c) => {
      const lc = c.toLowerCase();
      const tail = lc.includes('/') && !q.includes('/') ? lc.slice(lc.indexOf('/') + 1) : lc;
      return { c, d: Math.min(distance(q, lc), distance(q, tail)) };
    })
    .filter((s) => s.d <= limit && s.c.toLowerCase() !== q)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  // Only the nearest (and those one edit further): a far second guess is noise.
  const best = scored[0]?.d ?? 0;
  return scored.filter((s) => s.d <= best + 1).slice(0, max).map((s) => s.c);
}

/** " (did you mean a or b?)", or "" when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const near = closest(input, candidates);
  if (near.length === 0) return '';
  return ` (did you mean ${near.length === 1 ? near[0] : `${near.slice(0, -1).join(', ')} or ${near[near.length - 1]}`}?)`;
}
