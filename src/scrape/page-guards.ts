// Recognising bodies that are not the page we asked for: empty bodies, bot challenges, login walls,
// HTTP error pages served with 200, truncated HTML. Shared by the fetcher (which refuses such a body
// as a FatalFetchError before it is snapshotted) and by every parse (LayoutChangedError), so saved
// files ingested offline get the same protection.
import { LayoutChangedError } from '../errors.ts';

const CHALLENGE_MARKERS: [RegExp, string][] = [
  [/Just a moment\.\.\./i, 'a bot challenge page ("Just a moment...")'],
  [/Verify you are human/i, 'a bot challenge page ("Verify you are human")'],
  [/Attention Required! \| Cloudflare/i, 'a Cloudflare block page'],
  [/Enable JavaScript and cookies to continue/i, 'a bot challenge page (JavaScript and cookies required)'],
  [/cf-chl-|__cf_chl_|challenge-platform|cf-turnstile/i, 'a Cloudflare challenge page'],
  [/g-recaptcha|h-captcha|hcaptcha\.com|captcha-delivery/i, 'a captcha page'],
];

const LOGIN_TITLE = /^\s*(sign in|sign-in|log in|login|sign up|登录|注册)\b/i;
const ERROR_TITLE = /^\s*[45]\d\d\b|not found|bad gateway|gateway time-?out|service unavailable|internal server error|access denied|forbidden|too many requests|page not available/i;

function stripTags(s: string): string {
  return s.replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

/** The page's title-like texts: <title>, the first <h1>, the first Markdown heading or front-matter title. */
function titles(text: string): string[] {
  const head = text.slice(0, 200_000);
  const out: string[] = [];
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(head);
  if (title) out.push(stripTags(title[1]));
  const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(head);
  if (h1) out.push(stripTags(h1[1]));
  const md = /^#\s+(.+)$/m.exec(head);
  if (md) out.push(md[1].trim());
  const fm = /^title:\s*(.+)$/m.exec(head.slice(0, 2_000));
  if (fm) out.push(fm[1].trim());
  return out.filter((t) => t.length > 0);
}

/** Why this body is not a real content page, or undefined when nothing looks wrong. */
export function blockedPageReason(text: string): string | undefined {
  const head = text.slice(0, 200_000);
  for (const [re, reason] of CHALLENGE_MARKERS) if (re.test(head)) return reason;
  for (const t of titles(head)) {
    if (LOGIN_TITLE.test(t)) return `a login page ("${t}")`;
    if (ERROR_TITLE.test(t)) return `an HTTP error page ("${t}")`;
  }
  return undefined;
}

export type PageFormat = 'html' | 'markdown' | 'json';

/** Throws LayoutChangedError unless `text` plausibly is a complete page of the expected format. */
export function assertRealPage(text: string, format: PageFormat): void {
  if (text.trim() === '') throw new LayoutChangedError('empty body');
  // A JSON document is not a challenge page; its free text (model descriptions) is not scanned.
  if (format === 'json' && /^\s*[[{]/.test(text)) return;
  const blocked = blockedPageReason(text);
  if (blocked) throw new LayoutChangedError(`not the pricing page: ${blocked}`);
  const looksHtml = /^\s*(<!doctype html|<html)/i.test(text);
  if (format === 'markdown' && looksHtml) throw new LayoutChangedError('got an HTML page where the Markdown export was expected');
  if (format === 'json' && !/^\s*[[{]/.test(text)) throw new LayoutChangedError(`not JSON: body starts with "${text.trim().slice(0, 40)}"`);
  if (format === 'html') assertHtmlComplete(text);
}

/** A cut-off download: an unclosed <table>, or an <html> document without </html>. */
export function assertHtmlComplete(html: string): void {
  const opened = (html.match(/<table\b/gi) ?? []).length;
  const closed = (html.match(/<\/table>/gi) ?? []).length;
  if (opened !== closed) throw new LayoutChangedError(`truncated HTML: ${opened} <table> opened but ${closed} closed`);
  if (/<html\b/i.test(html) && !/<\/html>/i.test(html)) throw new LayoutChangedError('truncated HTML: the document has no closing </html>');
}
