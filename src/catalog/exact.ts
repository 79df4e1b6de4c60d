// Catalog files state prices as JSON or TOML numbers. Read through a float, 0.1 + 0.2 style noise
// could creep in; these readers keep every number's literal text instead (ExactNumber), so an
// amount is taken exactly as published.
import { LayoutChangedError } from '../errors.ts';
import { normalizeAmount } from '../decimal.ts';

export class ExactNumber {
  constructor(readonly text: string) {}
}

const NUM_KEY = '\u0000n';

/** JSON.parse, but every number becomes an ExactNumber holding its literal. */
export function parseJsonExact(text: string): unknown {
  // Numbers outside strings become {"\u0000n":"<literal>"}; strings are copied as they are.
  const wrapped = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, (m) =>
    m.charCodeAt(0) === 34 ? m : `{"\\u0000n":"${m}"}`,
  );
  return JSON.parse(wrapped, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) && NUM_KEY in v ? new ExactNumber(v[NUM_KEY]) : v));
}

/** A catalog file as JSON with exact numbers; a file that is not JSON (cut off?) is a layout change. */
export function parseCatalogJson(text: string, catalog: string): unknown {
  try {
    return parseJsonExact(text);
  } catch (e) {
    throw new LayoutChangedError(`${catalog}: not valid JSON (cut off?): ${(e as Error).message}`);
  }
}

export type CatalogObject = Record<string, unknown>;
/** A JSON/TOML table (not an array, not a number). */
export const isObj = (v: unknown): v is CatalogObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ExactNumber);

/** A catalog's `YYYY-MM-DD` as the start of that UTC day; null/absent = not stated. */
export function catalogDay(d: unknown, where: string): string | undefined {
  if (d === null || d === undefined) return undefined;
  if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new LayoutChangedError(`${where}: date ${JSON.stringify(d)} is not YYYY-MM-DD`);
  return `${d}T00:00:00Z`;
}

/** JSON.stringify that writes ExactNumbers back as their literal text. */
export function stringifyJsonExact(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (v instanceof ExactNumber ? `\u0000n:${v.text}` : v), indent).replace(/"\\u0000n:([^"]+)"/g, '$1');
}

/** A negative number: catalogs use it for "decided per request" (OpenRouter's auto router), not a price. */
export function isNegative(v: unknown): boolean {
  return (v instanceof ExactNumber && v.text.startsWith('-')) || (typeof v === 'string' && v.trim().startsWith('-'));
}

/** An exact decimal amount from a catalog value (an ExactNumber or a decimal string), normalised. */
export function exactAmount(v: unknown, where: string): string {
  const text = v instanceof ExactNumber ? v.text : typeof v === 'string' ? v.trim() : null;
  if (text === null || !/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new LayoutChangedError(`${where}: expected a number, got ${JSON.stringify(v)}`);
  if (text.startsWith('-')) throw new LayoutChangedError(`${where}: negative price ${text}`);
  return normalizeAmount(text);
}

export function exactInt(v: unknown): number | undefined {
  if (!(v instanceof ExactNumber) || !/^\d+$/.test(v.text)) return undefined;
  const n = Number(v.text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/* ------------------------------------------------------------------ TOML (the subset catalogs use) */

type TomlTable = { [k: string]: unknown };

/**
 * A TOML reader for catalog files: tables, arrays of tables, dotted and quoted keys, basic and
 * literal strings, numbers (with `_`), booleans, arrays and inline tables. Numbers stay
 * ExactNumber. Anything else (multi-line strings, dates) is refused with the line, never guessed.
 */
export function parseToml(text: string, file = 'toml'): TomlTable {
  const root: TomlTable = {};
  let current: TomlTable = root;
  let i = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new LayoutChangedError(`${file}:${line}: ${msg}`);
  };
  const peek = () => text[i];
  const skipWs = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const skipWsNl = () => {
    for (;;) {
      skipWs();
      if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      if (text[i] === '\n' || text[i] === '\r') {
        if (text[i] === '\n') line++;
        i++;
        continue;
      }
      break;
    }
  };
  const basicString = (): string => {
    if (text.startsWith('"""', i)) fail('multi-line strings are not supported');
    i++;
    let out = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') fail('unterminated string');
      if (text[i] === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
        if (e in map) {
          out += map[e];
          i += 2;
        } else if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          out += String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + len), 16));
          i += 2 + len;
        } else fail(`bad escape \\${e}`);
      } else out += text[i++];
    }
    if (text[i] !== '"') fail('unterminated string');
    i++;
    return out;
  };
  const literalString = (): string => {
    if (text.startsWith("'''", i)) fail('multi-line strings are not supported');
    const end = text.indexOf("'", i + 1);
    if (end < 0 || text.slice(i + 1, end).includes('\n')) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skipWs();
      const c = peek();
      if (c === '"') parts.push(basicString());
      else if (c === "'") parts.push(literalString());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 200));
        if (!m) fail(`expected a key at ${JSON.stringify(text.slice(i, i + 20))}`);
        parts.push(m![0]);
        i += m![0].length;
      }
      skipWs();
      if (peek() !== '.') return parts;
      i++;
    }
  };
  const value = (): unknown => {
    skipWs();
    const c = peek();
    if (c === '"') return basicString();
    if (c === "'") return literalString();
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      for (;;) {
        skipWsNl();
        if (peek() === ']') {
          i++;
          return arr;
        }
        arr.push(value());
        skipWsNl();
        if (peek() === ',') i++;
        else if (peek() !== ']') fail('expected , or ] in array');
      }
    }
    if (c === '{') {
      i++;
      const t: TomlTable = {};
      skipWs();
      if (peek() === '}') {
        i++;
        return t;
      }
      for (;;) {
        const k = key();
        if (peek() !== '=') fail('expected = in inline table');
        i++;
        setPath(t, k, value());
        skipWs();
        if (peek() === ',') {
          i++;
          continue;
        }
        if (peek() === '}') {
          i++;
          return t;
        }
        fail('expected , or } in inline table');
      }
    }
    const m = /^[^\s,\]}#]+/.exec(text.slice(i, i + 100));
    if (!m) fail('expected a value');
    const tok = m![0];
    i += tok.length;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    const num = tok.replace(/_/g, '');
    if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(num)) return new ExactNumber(num.replace(/^\+/, ''));
    return fail(`unsupported value ${tok}`);
  };
  const setPath = (t: TomlTable, path: string[], v: unknown) => {
    let at = t;
    for (const p of path.slice(0, -1)) {
      const next = (at[p] ??= {});
      if (typeof next !== 'object' || next === null || Array.isArray(next) || next instanceof ExactNumber) fail(`key ${path.join('.')} redefines a value`);
      at = next as TomlTable;
    }
    const last = path[path.length - 1];
    if (last in at) fail(`duplicate key ${path.join('.')}`);
    at[last] = v;
  };
  const tableAt = (path: string[], arrayOfTables: boolean): TomlTable => {
    let at = root;
    path.forEach((p, idx) => {
      const lastPart = idx === path.length - 1;
      let next = at[p];
      if (lastPart && arrayOfTables) {
        if (next === undefined) next = at[p] = [];
        if (!Array.isArray(next)) fail(`[[${path.join('.')}]] is not an array of tables`);
        const t: TomlTable = {};
        (next as unknown[]).push(t);
        at = t;
        return;
      }
      if (next === undefined) next = at[p] = {};
      if (Array.isArray(next)) next = next[next.length - 1];
      if (typeof next !== 'object' || next === null || next instanceof ExactNumber) fail(`table ${path.join('.')} redefines a value`);
      at = next as TomlTable;
    });
    return at;
  };

  for (;;) {
    skipWsNl();
    if (i >= text.length) break;
    if (peek() === '[') {
      const aot = text[i + 1] === '[';
      i += aot ? 2 : 1;
      const path = key();
      if (text[i] !== ']' || (aot && text[i + 1] !== ']')) fail('expected ] after table name');
      i += aot ? 2 : 1;
      current = tableAt(path, aot);
    } else {
      const k = key();
      if (peek() !== '=') fail('expected =');
      i++;
      setPath(current, k, value());
    }
    skipWs();
    if (peek() === '#') while (i < text.length && text[i] !== '\n') i++;
    if (i < text.length && text[i] !== '\n' && text[i] !== '\r') fail(`unexpected ${JSON.stringify(text.slice(i, i + 20))} after value`);
  }
  return root;
}
