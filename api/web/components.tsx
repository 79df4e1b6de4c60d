// Small pieces the views share: instants, badges, conditions, source links, problem messages,
// scrollable table regions and the change table (overview and diff).
import type { Child, FC } from 'hono/jsx';
import type { Problem } from '../problem.ts';
import type { Conditions as ConditionsT, Money, Source } from '../../src/model.ts';
import { shownPct } from '../../src/phrasing.ts';
import { changeBadge, componentLabel, conditionParts, formatAmount, formatInstant, formatPct, modelHref, problemText } from './assets/format.js';

export const Time: FC<{ iso: string | null | undefined }> = ({ iso }) => (iso ? <time datetime={iso}>{formatInstant(iso)}</time> : <span class="muted">—</span>);

export const Badge: FC<{ type: string }> = ({ type }) => {
  const b = changeBadge(type);
  return <span class={`badge badge-${b.tone}`}>{b.label}</span>;
};

export const UpcomingBadge: FC = () => <span class="badge badge-upcoming">announced · upcoming</span>;

export const ConditionsText: FC<{ conditions: ConditionsT | undefined }> = ({ conditions }) => {
  const parts = conditionParts(conditions);
  return parts.length ? <span class="cond">{parts.join('; ')}</span> : <span class="muted">standard</span>;
};

/** Only http(s) links are rendered as links. */
export function safeHref(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Source links; `compact` shows the host only (the title and note on hover). */
export const SourceLinks: FC<{ sources: Source[]; compact?: boolean }> = ({ sources, compact }) => (
  <ul class="sources">
    {sources.map((s) => (
      <li>
        <a href={safeHref(s.url)} rel="noopener noreferrer" title={[s.title, s.note].filter(Boolean).join(' — ') || undefined}>
          {compact ? hostOf(s.url) : (s.title ?? hostOf(s.url))}
        </a>
        {s.retrievedAt && !compact ? (
          <span class="muted">
            {' '}
            (retrieved <Time iso={s.retrievedAt} />)
          </span>
        ) : null}
        {s.archiveUrl ? (
          <>
            {' · '}
            <a href={safeHref(s.archiveUrl)} rel="noopener noreferrer">
              {compact ? 'archive' : 'archived copy'}
            </a>
          </>
        ) : null}
      </li>
    ))}
  </ul>
);

export const ProblemMessage: FC<{ problem: Problem; heading?: string }> = ({ problem, heading }) => (
  <div class="problem" role="alert">
    <h2>{heading ?? 'The API could not answer'}</h2>
    <p>{problemText(problem)}</p>
    {problem.field ? <p class="muted">Field: {problem.field}</p> : null}
  </div>
);

/** A table that scrolls sideways on narrow screens; focusable so the keyboard can scroll it. */
export const TableWrap: FC<{ label: string; children?: Child }> = ({ label, children }) => (
  <div class="table-wrap" role="region" aria-label={label} tabindex={0}>
    {children}
  </div>
);

export interface ChangeRowData {
  model: string;
  component: string;
  currency: string;
  unit: string;
  conditions: ConditionsT;
  before: Money | null;
  after: Money | null;
  listBefore?: Money | null;
  listAfter?: Money | null;
  changePct: number | null;
  type: string;
  effectiveAt: string;
  announcedAt?: string | null;
  upcoming?: boolean;
}

/** The list price beside an effective one that differs (a promotion ran). */
const ListNote: FC<{ effective: Money | null; list: Money | null | undefined }> = ({ effective, list }) =>
  list !== undefined && list !== null && list !== effective ? <span class="muted small list-note"> (list {formatAmount(list)})</span> : null;

/** The change's percent: the effective move, or a list_changed row's list move (labelled). */
const ChangePctCell: FC<{ row: ChangeRowData }> = ({ row }) => {
  const { pct, ofList } = shownPct(row);
  return (
    <td data-label="Change" class={`num pct ${pct === null ? '' : pct < 0 ? 'down' : pct > 0 ? 'up' : ''}`}>
      {formatPct(pct)}
      {ofList && pct !== null ? <span class="small"> list</span> : null}
    </td>
  );
};

export const ChangesTable: FC<{ caption: string; rows: ChangeRowData[]; id?: string }> = ({ caption, rows, id }) => (
  <TableWrap label={caption}>
    <table class="changes stack" id={id}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Effective</th>
          <th scope="col">Model</th>
          <th scope="col">Price</th>
          <th scope="col" class="num">
            Before
          </th>
          <th scope="col" class="num">
            After
          </th>
          <th scope="col" class="num">
            Change
          </th>
          <th scope="col">Type</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-type={r.type} data-model={r.model}>
            <td data-label="Effective">
              <Time iso={r.effectiveAt} />
            </td>
            <th scope="row">
              <a href={modelHref(r.model)}>{r.model}</a>
            </th>
            <td data-label="Price">
              {componentLabel(r.component)}, {r.currency} per {r.unit}
              {conditionParts(r.conditions).length ? (
                <>
                  <br />
                  <ConditionsText conditions={r.conditions} />
                </>
              ) : null}
            </td>
            <td class="num" data-label="Before">
              {formatAmount(r.before)}
              <ListNote effective={r.before} list={r.listBefore} />
            </td>
            <td class="num" data-label="After">
              {formatAmount(r.after)}
              <ListNote effective={r.after} list={r.listAfter} />
            </td>
            <ChangePctCell row={r} />
            <td data-label="Type">
              <Badge type={r.type} />
              {r.upcoming ? (
                <>
                  {' '}
                  <UpcomingBadge />
                </>
              ) : r.announcedAt ? (
                <>
                  {' '}
                  <span class="badge badge-announced" title={`announced ${formatInstant(r.announcedAt)}`}>
                    announced
                  </span>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableWrap>
);
