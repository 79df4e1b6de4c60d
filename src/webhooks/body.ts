// The bytes a subscriber receives for an event. Built from the stored event alone, so every retry of
// a delivery sends the very same body (only the signing timestamp changes).
import type { ChangeRecord } from '../timeline/queries.ts';
import { toIso } from '../time.ts';
import { TEST_EVENT_TYPE, type ScraperFailedData, type ScraperRecoveredData, type StoredEvent } from './events.ts';
import { escapeSlack, formatInstant, formatSlackMessage } from './slack.ts';

export type WebhookFormat = 'standard' | 'slack';

/** Standard Webhooks envelope: `{type, timestamp, data}`; timestamp = when the event happened. */
export function standardBody(e: StoredEvent): string {
  return JSON.stringify({ type: e.type, timestamp: toIso(e.createdAt), data: e.data });
}

/** A Slack incoming-webhook message `{text}`. */
export function slackBody(e: StoredEvent): string {
  return JSON.stringify({ text: slackText(e) });
}

export function buildBody(e: StoredEvent, format: WebhookFormat): string {
  return format === 'slack' ? slackBody(e) : standardBody(e);
}

function slackText(e: StoredEvent): string {
  const change = e.data.change as ChangeRecord | undefined;
  if (change) {
    const text = formatSlackMessage(change).text;
    return e.type === 'price.announced' ? `:mega: Announced (upcoming)\n${text}` : text;
  }
  const lines = e.data.changes as ChangeRecord[] | undefined;
  if (Array.isArray(lines) && lines.length) {
    const head = e.type === 'model.added' ? ':new: New model' : ':x: Model removed';
    return `${head} *${escapeSlack(String(e.data.model))}*\n${formatSlackMessage(lines).text}`;
  }
  if (e.type === 'scraper.failed') {
    const d = e.data as unknown as ScraperFailedData;
    const lines = [
      `:warning: *${escapeSlack(d.provider)}* scraper failed ${d.consecutiveFailures} times in a row${d.failingSince ? ` (since ${formatInstant(d.failingSince)})` : ''}; the last known prices stand.`,
    ];
    if (d.reason) lines.push(`Last error: ${escapeSlack(d.reason.slice(0, 500))}`);
    return lines.join('\n');
  }
  if (e.type === 'scraper.recovered') {
    const d = e.data as unknown as ScraperRecoveredData;
    return `:white_check_mark: *${escapeSlack(d.provider)}* scraper works again (after ${d.failedRuns} failed runs) at ${formatInstant(d.recoveredAt)}.`;
  }
  if (e.type === TEST_EVENT_TYPE) return ':wave: Test message from tokentrail: this Slack webhook is reachable.';
  return `${escapeSlack(e.type)}: ${escapeSlack(JSON.stringify(e.data).slice(0, 2000))}`;
}
