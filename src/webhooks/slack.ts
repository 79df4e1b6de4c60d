// A change as a readable Slack incoming-webhook message (`{text}`, mrkdwn). Slack subscribers
// get this instead of the Standard Webhooks envelope.
import type { ChangeType, Conditions } from '../model.ts';
import { changeWords } from '../phrasing.ts';
import { contextBoundLabel, weekdaysLabel } from '../conditions.ts';

/**
 * A derived price change (DESIGN §3). Accepts both the API's ChangeRecord (numbers, ISO instants)
 * and the timeline's DerivedChange (decimal strings, epoch-ms instants).
 */
export interface WebhookChange {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions?: Partial<Conditions> | Record<string, unknown>;
  before: number | string | null;
  after: number | string | null;
  listBefore?: number | string | null;
  listAfter?: number | string | null;
  changePct: number | null;
  type: ChangeType | string;
  effectiveAt: string | number;
  announcedAt?: string | number | null;
  detectedAt?: string | number;
  sources?: readonly { url: string; title?: string }[];
  withdrawnAt?: string | number;
  into?: readonly { conditions: Partial<Conditions> | Record<string, unknown>; after: number | string | null }[];
}

export interface SlackMessage {
  text: string;
}

const TYPE_LABELS: Record<string, { emoji: string; label: string }> = {
  price_cut: { emoji: ':chart_with_downwards_trend:', label: 'price cut' },
  price_increase: { emoji: ':chart_with_upwards_trend:', label: 'price increase' },
  price_added: { emoji: ':new:', label: 'new price' },
  price_removed: { emoji: ':x:', label: 'price removed' },
  tier_removed: { emoji: ':heavy_minus_sign:', label: 'tier removed' },
  first_known: { emoji: ':information_source:', label: 'first known price' },
  promo_started: { emoji: ':tada:', label: 'promotion started' },
  promo_ended: { emoji: ':hourglass:', label: 'promotion ended' },
  list_changed: { emoji: ':memo:', label: 'list price changed' },
  announcement_withdrawn: { emoji: ':no_entry_sign:', label: 'announced change withdrawn' },
  split: { emoji: ':twisted_rightwards_arrows:', label: 'split into conditional prices' },
};

/** Slack mrkdwn control characters (the only escaping Slack asks for). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function formatAmount(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return 'none';
  // Decimal strings are shown as published; floats lose their binary noise (0.1+0.2 → 0.3).
  return typeof v === 'string' ? v : String(Number(v.toPrecision(12)));
}

function formatPct(pct: number | null): string | null {
  if (pct === null || !Number.isFinite(pct)) return null;
  const rounded = Number(pct.toFixed(2));
  return `${rounded > 0 ? '+' : ''}${rounded}%`;
}

/** `2026-05-26T16:00:00Z` (or epoch ms) → `2026-05-26 16:00 UTC`; unparseable input is shown as given. */
export function formatInstant(instant: string | number): string {
  const t = typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(t)) return String(instant);
  const d = new Date(t).toISOString(); // always UTC
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

function formatConditions(c: WebhookChange['conditions']): string | null {
  if (!c) return null;
  const parts: string[] = [];
  const cond = c as Record<string, unknown>;
  const bound = typeof cond.contextAbove === 'number' ? contextBoundLabel(cond as Conditions) : null;
  if (bound) parts.push(`${cond.contextMeasure === 'total' ? 'total context' : 'context'} ${bound.replace(' total tokens', ' tokens')}`);
  if (typeof cond.serviceTier === 'string') parts.push(`${cond.serviceTier} tier`);
  if (typeof cond.cacheTtl === 'string') parts.push(`cache TTL ${cond.cacheTtl}`);
  if (typeof cond.variant === 'string') parts.push(cond.variant);
  const hours = cond.hours as { tz?: string; ranges?: [string, string][]; label?: string; days?: number[] } | undefined;
  if (hours && Array.isArray(hours.ranges)) {
    const ranges = hours.ranges.map(([a, b]) => `${a}–${b}`).join(', ');
    const days = weekdaysLabel(Array.isArray(hours.days) ? hours.days : undefined);
    parts.push(`${hours.label ? hours.label + ' ' : ''}hours ${ranges} ${hours.tz ?? ''}${days ? ` ${days}` : ''}`.trim());
  }
  return parts.length ? parts.join(', ') : null;
}

function slackLink(url: string, label: string): string {
  // `|` and `>` would end the link early; they are rare in URLs, so percent-encode them.
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${escapeSlack(label)}>`;
}

/** The lines for one change. */
export function formatChangeText(change: WebhookChange): string {
  const meta = TYPE_LABELS[change.type] ?? { emoji: ':bell:', label: change.type.replace(/_/g, ' ') };
  const unit = `${change.currency} / ${change.unit}`;
  const pct = formatPct(change.changePct);
  const conditions = formatConditions(change.conditions);

  // The headline in the words the feed and the page use (src/phrasing.ts); the details follow.
  const head = `${meta.emoji} *${escapeSlack(changeWords(change))}* · ${meta.label}`;
  const after = change.into?.length
    ? change.into.map((x) => `${formatAmount(x.after)} (${escapeSlack(formatConditions(x.conditions) ?? 'no conditions')})`).join(', ')
    : formatAmount(change.after);
  let move = `${escapeSlack(change.component)}${conditions ? ` (${escapeSlack(conditions)})` : ''}: ${change.withdrawnAt !== undefined ? 'was to go ' : ''}${formatAmount(change.before)} → ${after} ${escapeSlack(unit)}`;
  if (pct) move += ` (${pct})`;
  // Show the list price when it differs from the effective one (promotions, list-only moves).
  const listDiffers =
    change.listBefore !== undefined &&
    change.listAfter !== undefined &&
    (formatAmount(change.listBefore) !== formatAmount(change.before) || formatAmount(change.listAfter) !== formatAmount(change.after));
  if (listDiffers) move += `; list ${formatAmount(change.listBefore)} → ${formatAmount(change.listAfter)}`;

  const dates = [`Effective: ${formatInstant(change.effectiveAt)}`];
  if (change.announcedAt != null && change.announcedAt !== '') dates.push(`announced: ${formatInstant(change.announcedAt)}`);
  if (change.withdrawnAt !== undefined) dates.push(`withdrawn: ${formatInstant(change.withdrawnAt)}`);
  const lines = [head, move, dates.join(' · ')];
  const sources = (change.sources ?? []).filter((s) => typeof s.url === 'string' && /^https?:\/\//.test(s.url));
  if (sources.length > 0) {
    lines.push(`Source: ${sources.map((s, i) => slackLink(s.url, s.title ?? (sources.length > 1 ? `source ${i + 1}` : hostOf(s.url)))).join(', ')}`);
  }
  return lines.join('\n');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** One Slack message for one or several changes (one block of lines per change). */
export function formatSlackMessage(changes: WebhookChange | readonly WebhookChange[]): SlackMessage {
  const list = Array.isArray(changes) ? (changes as readonly WebhookChange[]) : [changes as WebhookChange];
  return { text: list.map(formatChangeText).join('\n\n') };
}
