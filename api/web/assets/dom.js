// Tiny DOM helpers: build elements without innerHTML (text is always text), and show a problem.
import { problemText } from './format.js';

/** h('td', {class: 'num', dataset: {total: '1'}}, 'text', childNode…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Puts an error message (an API problem or any error) into `target`, replacing its content. */
export function showProblem(target, err, heading = 'The API could not answer') {
  const problem = err?.problem ?? { title: 'Error', detail: err?.message ?? String(err) };
  target.replaceChildren(h('div', { class: 'problem', role: 'alert' }, h('h3', {}, heading), h('p', {}, problemText(problem))));
}

/** Replaces one query parameter of the page URL without reloading (state stays shareable). */
export function setUrlParams(params) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') url.searchParams.delete(k);
    else url.searchParams.set(k, String(v));
  }
  history.replaceState(null, '', url.pathname + (url.search ? url.search : '') + url.hash);
}
