// Just enough Markdown for the pricing exports scrapers read: front matter, heading sections, pipe
// tables with their introducing paragraph, <Note> blocks and inline text. Not a general Markdown
// parser; the cells come from the one pipe-table reader (tables.ts).
import { isSeparatorRow, splitPipeRow } from './tables.ts';

/**
 * Drop leading YAML front-matter blocks: the archive adds one (source, fetched_at, sha256) and the
 * export itself may carry another (title, url, description).
 */
export function stripFrontMatter(text: string): string {
  let rest = text.replace(/^\uFEFF/, '');
  for (;;) {
    const m = /^\s*---\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(rest);
    if (!m || !m[1].split(/\r?\n/).every((l) => /^[A-Za-z_][\w-]*:(\s.*)?$|^\s+\S.*$|^\s*$|^\s*- /.test(l))) return rest;
    rest = rest.slice(m[0].length);
  }
}

export interface Section {
  level: number;
  title: string;
  /** Lines under the heading up to the next heading of any level (fenced code removed). */
  lines: string[];
}

export function sections(text: string): Section[] {
  const out: Section[] = [{ level: 0, title: '', lines: [] }];
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (h) out.push({ level: h[1].length, title: inlineText(h[2]), lines: [] });
    else out[out.length - 1].lines.push(line);
  }
  return out;
}

/** Markdown/MDX inline → plain text: links keep their text, escapes, <br />, emphasis and entities resolved. */
export function inlineText(s: string): string {
  return s
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/\*\*|__|`/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!$|>~])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface MdTable {
  /** Raw header cells (Markdown kept, so callers can read links and <br />). */
  header: string[];
  rows: string[][];
  /** The nearest paragraph above the table, outside <Note> blocks (plain text). */
  intro: string;
}


/** Pipe tables in a section, each with the paragraph that introduces it. */
export function tablesIn(section: Section): MdTable[] {
  const out: MdTable[] = [];
  const lines = section.lines;
  let inNote = false;
  let paragraph: string[] = [];
  let lastParagraph = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/<Note\b/i.test(line)) inNote = true;
    if (inNote) {
      if (/<\/Note>/i.test(line)) inNote = false;
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && isSeparatorRow(splitPipeRow(lines[i + 1]))) {
      if (paragraph.length) lastParagraph = inlineText(paragraph.join(' '));
      paragraph = [];
      const header = splitPipeRow(line);
      const rows: string[][] = [];
      i += 2;
      while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(splitPipeRow(lines[i++]));
      i--;
      out.push({ header, rows, intro: lastParagraph });
      continue;
    }
    if (line.trim() === '') {
      if (paragraph.length) lastParagraph = inlineText(paragraph.join(' '));
      paragraph = [];
    } else paragraph.push(line);
  }
  return out;
}

/** The text of each <Note>…</Note> block in a section. */
export function notesIn(section: Section): string[] {
  const out: string[] = [];
  let current: string[] | undefined;
  for (const line of section.lines) {
    if (/<Note\b/i.test(line)) current = [];
    if (current) current.push(line.replace(/<\/?Note\b[^>]*>/gi, ''));
    if (current && /<\/Note>/i.test(line)) {
      out.push(inlineText(current.join(' ')));
      current = undefined;
    }
  }
  return out;
}

/** Paragraph texts of a section (outside tables and notes). */
export function paragraphsIn(section: Section): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  let inNote = false;
  const flush = (): void => {
    if (paragraph.length) out.push(inlineText(paragraph.join(' ')));
    paragraph = [];
  };
  for (const line of section.lines) {
    if (/<Note\b/i.test(line)) inNote = true;
    if (inNote) {
      if (/<\/Note>/i.test(line)) inNote = false;
      continue;
    }
    if (line.trim() === '' || /^\s*\|/.test(line)) flush();
    else paragraph.push(line);
  }
  flush();
  return out;
}
