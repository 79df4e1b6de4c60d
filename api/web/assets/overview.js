// Overview: the price table redrawn in place. The server rendered the view in the URL; this loads
// the same rows (GET /v1/overview) once and re-runs the shared pure functions (price-table.js) on
// every sort click, filter change or keystroke: one page of rows in the DOM at a time, so thousands
// of rows stay fast. The search asks the resolver (GET /v1/models/resolve) when the server saw the
// route, and matches locally meanwhile and otherwise.
import { getJson, withQuery } from './api.js';
import { setUrlParams, showProblem } from './dom.js';
import { COLUMNS, modelIdsIn, pageOf, rowSpec, selectRows, specToDom, stateFromParams, stateParams } from './price-table.js';

export async function init() {
  const root = document.getElementById('overview');
  const table = document.getElementById('price-table');
  if (!root || !table) return;
  const form = document.getElementById('table-controls');
  const count = document.getElementById('row-count');
  const pager = document.getElementById('pager');
  const tbody = table.tBodies[0];
  const disputed = new Set((root.dataset.disputed ?? '').split(' ').filter(Boolean));
  const resolverOn = root.dataset.resolver === 'on';
  const nowMs = Number(root.dataset.now) || Date.now();
  const state = stateFromParams(new URL(location.href).searchParams);
  // (data-ready-at: time to interactive, read by test/bench/web-overview-tti.ts.)
  let rows = null;
  let resolved = null;
  let resolvedFor = '';
  let countTimer = 0;

  const models = () => new Set(rows.map((r) => r.model)).size;

  const draw = () => {
    const chosen = selectRows(rows, state, state.q && resolvedFor === state.q ? resolved : null);
    const page = pageOf(chosen, state.page);
    state.page = page.page;
    tbody.replaceChildren(...page.rows.map((r) => specToDom(rowSpec(r, nowMs, disputed.has(r.model)))));
    for (const th of table.tHead.rows[0].cells) {
      const a = th.querySelector('a.sort');
      const active = a.dataset.sort === state.sort;
      if (active) th.setAttribute('aria-sort', state.dir === 'asc' ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      th.querySelector('.sort-mark').textContent = active ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '';
    }
    form.sort.value = state.sort;
    form.dir.value = state.dir;
    drawPager(page);
    const of = chosen.length === rows.length ? `${rows.length} price rows (${models()} models × currencies)` : `${chosen.length} of ${rows.length} price rows match`;
    const text = page.pages > 1 ? `${of}; page ${page.page} of ${page.pages}` : of;
    // The live region is announced: update it once typing pauses.
    clearTimeout(countTimer);
    countTimer = setTimeout(() => (count.textContent = text), 200);
    count.dataset.shown = String(chosen.length);
    setUrlParams(stateParams(state));

  };

  const drawPager = (page) => {
    const parts = [];
    const link = (p, label, rel) => {
      const a = document.createElement('a');
      a.href = `?page=${p}`;
      a.dataset.page = String(p);
      a.rel = rel;
      a.textContent = label;
      return a;
    };
    if (page.page > 1) parts.push(link(page.page - 1, '← Previous', 'prev'));
    const where = document.createElement('span');
    where.className = 'muted';
    where.textContent = `Page ${page.page} of ${page.pages}`;
    parts.push(where);
    if (page.page < page.pages) parts.push(link(page.page + 1, 'Next →', 'next'));
    pager.replaceChildren(...parts);
  };

  /** The resolver's matches for the box's text, when the route exists; local matching meanwhile. */
  let resolveTimer = 0;
  const resolve = () => {
    clearTimeout(resolveTimer);
    if (!resolverOn || !state.q) return;
    const q = state.q;
    resolveTimer = setTimeout(async () => {
      try {
        const body = await getJson(withQuery('/v1/models/resolve', { name: q }));
        const ids = modelIdsIn(body);
        if (q !== state.q) return;
        resolved = ids.size ? ids : null;
        resolvedFor = q;
        draw();
      } catch {
        // No match, or the resolver failed: the local matching stands.
      }
    }, 250);
  };

  try {
    rows = (await getJson('/v1/overview')).data;
  } catch (err) {
    const box = document.createElement('div');
    root.prepend(box);
    showProblem(box, err, 'The price table could not be refreshed');
    return;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    draw();
  });
  form.q.addEventListener('input', () => {
    state.q = form.q.value.trim().slice(0, 100);
    state.page = 1;
    draw();
    resolve();
  });
  for (const name of ['provider', 'currency', 'feature', 'sort', 'dir']) {
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
  // The server drew this very state already: no need to draw it again until something changes.
  root.dataset.ready = 'true';
  root.dataset.readyAt = String(Math.round(performance.now()));
  resolve();
}
