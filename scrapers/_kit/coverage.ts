// What a parse read and what it could not (Coverage in src/model.ts). Sections are read through
// `optional`: a section whose reader throws a LayoutChangedError is recorded as unread with the
// error's message as the reason, and the parse goes on (yt-dlp's fatal=False). Anything else (a
// bug, a wrong URL) still throws.
import { LayoutChangedError } from '../../src/errors.ts';
import type { Coverage, CoverageScope, UnreadSection } from '../../src/model.ts';

export class CoverageBuilder {
  private readonly readScopes: CoverageScope[] = [];
  private readonly unreadSections: UnreadSection[] = [];
  private onPage = 0;
  private read = 0;

  /** The parts of the provider's price list this page is read for (e.g. `{ currency: 'USD' }`). */
  constructor(read: CoverageScope[] = [{}]) {
    this.readScopes.push(...read);
  }

  /** A section the parser could not read; `scope` = the prices it would hold, when known. */
  unread(section: string, reason: string, scope?: CoverageScope[]): void {
    const entry: UnreadSection = { section, reason: reason.trim() || 'unreadable' };
    if (scope && scope.length > 0) entry.scope = scope;
    this.unreadSections.push(entry);
  }

  /**
   * Run one section's reader. On a LayoutChangedError the section is unread (reason: the error's
   * message) and undefined is returned; `rows` (when given) are counted as on the page, unread, and
   * rows the reader counted as read before it failed count as unread.
   */
  optional<T>(section: string, fn: () => T, opts: { scope?: CoverageScope[] | (() => CoverageScope[] | undefined); rows?: number } = {}): T | undefined {
    const readBefore = this.read;
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof LayoutChangedError)) throw e;
      this.read = readBefore;
      const scope = typeof opts.scope === 'function' ? opts.scope() : opts.scope;
      this.unread(section, e.message, scope);
      if (opts.rows) this.onPage += opts.rows;
      return undefined;
    }
  }

  /** Count one price row on the page, read or not. */
  row(read: boolean): void {
    this.onPage++;
    if (read) this.read++;
  }

  /** Count several rows at once. */
  rows(onPage: number, read: number): void {
    this.onPage += onPage;
    this.read += read;
  }

  get rowsOnPage(): number {
    return this.onPage;
  }

  get unreadCount(): number {
    return this.unreadSections.length;
  }

  build(): Coverage {
    return { read: [...this.readScopes], unread: [...this.unreadSections], rowsOnPage: this.onPage, rowsRead: this.read };
  }
}
