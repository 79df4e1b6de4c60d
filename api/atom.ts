// The change feed as Atom 1.0 (RFC 4287). Entry ids are derived from the change's identity (price
// line, type, effective instant), so they are stable across requests, instances and restarts.
import { createHash } from 'node:crypto';
import { conditionsKey } from '../src/conditions.ts';
import { amountWords, eventWords, groupByEvent, lineWords, moveWords, type ChangeEvent } from '../src/phrasing.ts';
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

/** Id of one model's event (its changes at one effective instant): stable while its lines are. */
export function eventEntryId(e: ChangeEvent<ChangeRecord>): string {
  const identity = JSON.stringify([e.model, e.effectiveAt, e.changes.map(changeEntryId).sort()]);
  return `${ID_PREFIX}event:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

/** The title of an event: the shared phrasing (src/phrasing.ts). */
export function eventTitle(e: ChangeEvent<ChangeRecord>, names?: ReadonlyMap<string, string>): string {
  return eventWords(e, { names });
}

function eventSummary(e: ChangeEvent<ChangeRecord>, names?: ReadonlyMap<string, string>): string {
  const lines = e.changes.map((c) => {
    const list = c.listBefore !== c.before || c.listAfter !== c.after ? `; list ${amountWords(c.listBefore)} → ${amountWords(c.listAfter)}` : '';
    return `- ${lineWords(c)}, ${c.currency} per ${c.unit}: ${amountWords(c.before)} → ${amountWords(c.after)}${list} — ${moveWords(c)}`;
  });
  const first = e.changes[0];
  const announced = e.changes.find((c) => c.announcedAt)?.announcedAt ?? null;
  lines.unshift(`${eventWords(e, { names })}${first.upcoming ? ' (announced, not yet in effect)' : ''}.`);
  lines.push(`Announced ${announced ?? 'without a date'}; detected ${first.detectedAt}.`);
  const urls = [...new Set(e.changes.flatMap((c) => c.sources.map((s) => s.url)))];
  if (urls.length) lines.push(`Sources: ${urls.join(' ')}`);
  return lines.join('\n');
}

export interface AtomFeed {
  id: string;
  title: string;
  selfUrl: string;
  changes: ChangeRecord[];
  /** Display names by model id, for the titles. */
  names?: ReadonlyMap<string, string>;
}

/** One entry per model and event (its changes at one effective instant), listing its lines. */
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
  for (const e of groupByEvent(feed.changes)) {
    const detected = e.changes.reduce((max, c) => (c.detectedAt > max ? c.detectedAt : max), e.changes[0].detectedAt);
    const announced = e.changes.find((c) => c.announcedAt)?.announcedAt ?? null;
    out.push('  <entry>');
    out.push(`    <id>${eventEntryId(e)}</id>`);
    out.push(`    <title>${xmlText(eventTitle(e, feed.names))}</title>`);
    out.push(`    <updated>${detected}</updated>`);
    out.push(`    <published>${announced ?? detected}</published>`);
    for (const type of new Set(e.changes.map((c) => c.type))) out.push(`    <category term="${xmlText(type)}"/>`);
    const sources = [...new Map(e.changes.flatMap((c) => c.sources).map((s) => [s.url, s])).values()];
    sources.forEach((s, i) => {
      const title = s.title ? ` title="${xmlText(s.title)}"` : '';
      out.push(`    <link rel="${i === 0 ? 'alternate' : 'related'}" href="${xmlText(s.url)}"${title}/>`);
    });
    out.push(`    <content type="text">${xmlText(eventSummary(e, feed.names))}</content>`);
    out.push('  </entry>');
  }
  out.push('</feed>');
  return out.join('\n') + '\n';
}
