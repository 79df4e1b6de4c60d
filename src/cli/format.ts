// Readable tables for the terminal (with --json the CLI prints the API's shapes instead).
import type { Conditions } from '../model.ts';
import { contextBoundLabel, weekdaysLabel } from '../conditions.ts';

export function conditionsLabel(c: Conditions): string {
  const parts: string[] = [];
  const bound = contextBoundLabel(c);
  if (bound) parts.push(bound.replace(/^([>≥]) /, '$1'));
  const days = weekdaysLabel(c.hours?.days);
  if (c.hours) parts.push(`${c.hours.label ?? 'hours'} ${c.hours.ranges.map((r) => r.join('–')).join(',')} ${c.hours.tz}${days ? ` ${days}` : ''}`);
  if (c.serviceTier) parts.push(c.serviceTier);
  if (c.cacheTtl) parts.push(`ttl ${c.cacheTtl}`);
  if (c.variant) parts.push(c.variant);
  return parts.join('; ') || '-';
}

export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

