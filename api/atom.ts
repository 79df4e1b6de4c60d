// The change feed as Atom 1.0 (RFC 4287). Entry ids are derived from the change's identity (price
// line, type, effective instant), so they are stable across requests, instances and restarts.
import { createHash } from 'node:crypto';
import { conditionsKey } from '../src/conditions.ts';
import type { ChangeRecord } from '../src/timeline/queries.ts';

const ID_PREFIX = 'tag:tokentrail.dev,2026:';

export function changeEntryId(c: Pick<ChangeRecord, 'model' | 'component' | 'currency' | 'unit' | 'conditions' | 'type' | 'effectiveAt'>): string {
  const identity = JSON.stringify([c.model, c.component, c.currency, c.unit, conditionsKey(c.conditions), c.type, c.effectiveAt]);
  return `${ID_PREFIX}change:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

/** XML text: escaped, and without characters XML 1.0 forbids. */
export function xmlText(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const amount = (n: number | null) => (n === null ? 'none' : String(n));

export function changeTitle(c: ChangeRecord): string {
  const pct = c.changePct === null ? '' : ` (${c.changePct > 0 ? '+' : ''}${c.changePct}%)`;
  const cond = Object.keys(c.conditions).length ? ` ${JSON.stringify(c.conditions)}` : '';
  return `${c.model} ${c.component}${cond} ${c.currency}: ${amount(c.before)} → ${amount(c.after)}${pct} · ${c.type.replace(/_/g, ' ')}`;
}

function changeSummary(c: ChangeRecord): string {
  const lines = [
    `${c.type} on ${c.model}, ${c.component} (${c.currency} per ${c.unit})${Object.keys(c.conditions).length ? `, conditions ${JSON.stringify(c.conditions)}` : ''}.`,
    `Effective price: ${amount(c.before)} → ${amount(c.after)}${c.changePct === null ? '' : ` (${c.changePct}%)`}; list price: ${amount(c.listBefore)} → ${amount(c.listAfter)}.`,
    `Effective at ${c.effectiveAt}${c.upcoming ? ' (upcoming)' : ''}; announced ${c.announcedAt ?? 'without a date'}; detected ${c.detectedAt}.`,
  ];
  if (c.sources.length) lines.push(`Sources: ${c.sources.map((s) => s.url).join(' ')}`);
  return lines.join('\n');
}

export interface AtomFeed {
  id: string;
  title: string;
  selfUrl: string;
  changes: ChangeRecord[];
}

export function renderAtom(feed: AtomFeed): string {
  const updated = feed.changes.reduce((max, c) => (c.detectedAt > max ? c.detectedAt : max), '1970-01-01T00:00:00.000Z');
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="utf-8"?>');
  out.push('<feed xmlns="http://www.w3.org/2005/Atom">');
  out.push(`  <id>${xmlText(feed.id)}</id>`);
  out.push(`  <title>${xmlText(feed.title)}</title>`);
  out.push(`  <updated>${updated}</updated>`);
  out.push(`  <link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>`);
  out.push('  <author><name>tokentrail</name></author>');
  out.push('  <generator>tokentrail</generator>');
  for (const c of feed.changes) {
    out.push('  <entry>');
    out.push(`    <id>${changeEntryId(c)}</id>`);
    out.push(`    <title>${xmlText(changeTitle(c))}</title>`);
    out.push(`    <updated>${c.detectedAt}</updated>`);
    out.push(`    <published>${c.announcedAt ?? c.detectedAt}</published>`);
    out.push(`    <category term="${xmlText(c.type)}"/>`);
    c.sources.forEach((s, i) => {
      const title = s.title ? ` title="${xmlText(s.title)}"` : '';
      out.push(`    <link rel="${i === 0 ? 'alternate' : 'related'}" href="${xmlText(s.url)}"${title}/>`);
    });
    out.push(`    <content type="text">${xmlText(changeSummary(c))}</content>`);
    out.push('  </entry>');
  }
  out.push('</feed>');
  return out.join('\n') + '\n';
}
