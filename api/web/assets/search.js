// Overview: filter the model list as you type (every word must match the id or the name). The
// form still submits `?q=` for the server-side filter; the URL follows the box either way.
import { setUrlParams } from './dom.js';

export function init() {
  const input = document.getElementById('q');
  const list = document.getElementById('model-list');
  const count = document.getElementById('model-count');
  if (!input || !list) return;
  const items = [...list.querySelectorAll('li')];
  const total = items.length;
  let timer = 0;

  const apply = () => {
    const terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of items) {
      const hay = li.dataset.search ?? '';
      const match = terms.every((t) => hay.includes(t));
      li.hidden = !match;
      if (match) shown++;
    }
    // The live region is announced: update it once typing pauses.
    clearTimeout(timer);
    timer = setTimeout(() => {
      count.textContent = terms.length ? `${shown} of ${total} models match` : `${total} models`;
    }, 250);
    setUrlParams({ q: input.value.trim() });
  };

  input.addEventListener('input', apply);
  input.form?.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
}
