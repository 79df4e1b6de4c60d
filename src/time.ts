// Instants: ISO 8601 in, integer milliseconds (UTC) inside, `…Z` ISO out.
import { BadInputError } from './errors.ts';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
// Inside the range every database and JSON reader handles (years 1970–9999).
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Parses an ISO 8601 instant with a zone, or a bare date meaning 00:00 UTC. */
/** Instants parsed before (a pure function of the text; only valid ones are kept). */
const parsedInstants = new Map<string, number>();

export function parseInstant(value: string, field = 'instant'): number {
  const known = parsedInstants.get(value);
  if (known !== undefined) return known;
  const ms = parseInstantText(value, field);
  if (value.length > 40) return ms; // an instant is short; padded text is not kept
  if (parsedInstants.size >= 10_000) parsedInstants.clear();
  parsedInstants.set(value, ms);
  return ms;
}

function parseInstantText(value: string, field: string): number {
  const s = value.trim();
  if (!ISO_INSTANT.test(s) && !BARE_DATE.test(s)) {
    throw new BadInputError(
      `${field}: "${truncate(s)}" is not an ISO 8601 instant (e.g. 2026-05-01T00:00:00Z or 2026-05-01)`,
      { field },
    );
  }
  const ms = Date.parse(BARE_DATE.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(ms) || !sameCalendarDate(s, ms) || ms < 0 || ms > MAX_MS) {
    throw new BadInputError(`${field}: "${truncate(s)}" is not a real instant`, { field });
  }
  return ms;
}

/** Date.parse accepts 2026-02-30 (rolling over); a real instant keeps its calendar date. */
function sameCalendarDate(s: string, ms: number): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(s);
  const shift = offset ? (offset[1] === '+' ? 1 : -1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000 : 0;
  const local = new Date(ms + shift);
  const [hh, mi] = s.length > 10 ? [Number(s.slice(11, 13)), Number(s.slice(14, 16))] : [0, 0];
  if (hh > 23 || mi > 59) return false;
  return local.getUTCFullYear() === y && local.getUTCMonth() + 1 === m && local.getUTCDate() === d;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toIsoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : toIso(ms);
}

/** Canonical text of an instant in the dataset: seconds precision unless milliseconds matter. */
export function toDatasetInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Lets the event loop run (timers, sockets) between slices of a long computation. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
