// Overview: the price table redrawn in place. The server rendered the view in the URL and keeps
// the whole table; on every sort click, filter change or (paused) keystroke this asks it for the
// one page of rows the new state shows (GET /overview/rows?<state>, ~50 rows whatever the size of
// the catalogue) and draws them with the same pure functions (price-table.js) the server used.
// The search runs through the resolver (GET /v1/models/resolve) on the server.
import { getJson, withQuery } from './api.js';
import { setUrlParams, showProblem } from './dom.js';
import { COLUMNS, rowSpec, specToDom, stateFromParams, stateParams } from './price-table.js';

const TYPING_PAUSE_MS = 150;

export function init() {
  const root = document.getElementById('overview');
  const table = document.getElementById('price-table');
  if (!root || !table) return;
  const form = document.getElementById('table-controls');
  const count = document.getElementById('row-count');
  const staleCount = document.getElementById('stale-count');
  const notConverted = document.getElementById('not-converted');
  const pager = document.getElementById('pager');
  const tbody = table.tBodies[0];
  const caption = table.caption;
  const nowMs = Number(root.dataset.now) || Date.now();
  const state = stateFromParams(new URL(location.href).searchParams);
  const problemBox = document.createElement('div');
  root.prepend(problemBox);
  let asked = 0;
  let countTimer = 0;

  const drawHead = () => {
    for (const th of table.tHead.rows[0].cells) {
      const a = th.querySelector('a.sort');
      const active = a.dataset.sort === state.sort;
      if (active) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      th.querySelector('.sort-mark').textContent = active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '';
    }
    form.sort.value = state.sort;
    form.dir.value = state.dir;
  };

  /** Asks for the state's page of rows; only the latest answer is drawn. */
  const draw = async () => {
    const ticket = ++asked;
    drawHead();
    setUrlParams(stateParams(state));
    root.setAttribute('aria-busy', 'true');
    let view;
    try {
      view = await getJson(withQuery('/overview/rows', stateParams(state)));
    } catch (err) {
      if (ticket !== asked) return;
      root.removeAttribute('aria-busy');
      showProblem(problemBox, err, 'The price table could not be redrawn');
      return;
    }
    if (ticket !== asked) return;
    root.removeAttribute('aria-busy');
    problemBox.replaceChildren();
    state.page = view.page;
    tbody.replaceChildren(...view.rows.map((r) => specToDom(rowSpec(r, nowMs))));
    caption.textContent = `Prices in force now, per 1M tokens, ${state.show ? `in ${state.show} (converted where not published)` : 'in each provider’s own currency'}`;
    drawPager(view);
    staleCount.hidden = view.stale === 0;
    staleCount.className = view.stale ? 'fresh-note is-stale' : 'fresh-note';
    staleCount.textContent = view.stale ? `${view.stale.toLocaleString('en-US')} of them stale (not confirmed recently: see “Confirmed”).` : '';
    drawNotConverted(view);
    // The live region is announced: update it once typing pauses.
    clearTimeout(countTimer);
    countTimer = setTimeout(() => (count.textContent = view.count), 200);
    count.dataset.shown = String(view.shown);
    root.dataset.drawn = String(ticket);
  };

  const drawNotConverted = (view) => {
    const items = view.notConverted;
    if (!state.show || !items || items.count === 0) {
      notConverted.replaceChildren();
      return;
    }
    const box = document.createElement('div');
    box.className = 'notice';
    box.setAttribute('role', 'status');
    box.dataset.count = String(items.count);
    const p = document.createElement('p');
    const n = items.count;
    p.textContent = `${n.toLocaleString('en-US')} ${n === 1 ? 'model is' : 'models are'} not shown in ${state.show}: their prices could not be converted. ${items.first[0].message}${n > 1 ? ` (and the like for ${(n - 1).toLocaleString('en-US')} more)` : ''}.`;
    box.append(p);
    notConverted.replaceChildren(box);
  };

  const drawPager = (view) => {
    const parts = [];
    const link = (p, label, rel) => {
      const a = document.createElement('a');
      a.href = `?page=${p}`;
      a.dataset.page = String(p);
      a.rel = rel;
      a.textContent = label;
      return a;
    };
    if (view.page > 1) parts.push(link(view.page - 1, '← Previous', 'prev'));
    const where = document.createElement('span');
    where.className = 'muted';
    where.textContent = `Page ${view.page} of ${view.pages}`;
    parts.push(where);
    if (view.page < view.pages) parts.push(link(view.page + 1, 'Next →', 'next'));
    pager.replaceChildren(...parts);
  };

  let typingTimer = 0;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    draw();
  });
  form.q.addEventListener('input', () => {
    state.q = form.q.value.trim().slice(0, 100);
    state.page = 1;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(draw, TYPING_PAUSE_MS);
  });
  for (const name of ['provider', 'currency', 'show', 'feature', 'sort', 'dir']) {
    form[name].addEventListener('change', () => {
      state[name] = form[name].value;
      state.page = 1;
      draw();
    });
  }
  table.tHead.addEventListener('click', (e) => {
    const a = e.target.closest('a.sort');
    if (!a) return;
    e.preventDefault();
    const key = a.dataset.sort;
    // Prices and context read cheapest / smallest first; a second click reverses.
    state.dir = state.sort === key && state.dir === 'asc' ? 'desc' : 'asc';
    state.sort = key;
    state.page = 1;
    draw();
  });
  pager.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-page]');
    if (!a) return;
    e.preventDefault();
    state.page = Number(a.dataset.page);
    draw();
    table.scrollIntoView({ block: 'start' });
  });
  if (COLUMNS.length !== table.tHead.rows[0].cells.length) throw new Error('price table columns out of step');
  // The server drew this very state already: interactive now, nothing to load first.
  // (data-ready-at: time to interactive, read by test/bench/web-overview-tti.ts.)
  root.dataset.ready = 'true';
  root.dataset.readyAt = String(Math.round(performance.now()));
}
