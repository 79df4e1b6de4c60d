// Swagger UI renders some controls without a name (parameter selects, the body textarea) and code
// samples that scroll but cannot take focus; name and focus them as they appear, so the reference
// passes the same accessibility checks as the rest of the site.
function mend(root) {
  for (const el of root.querySelectorAll('select:not([aria-label]), textarea:not([aria-label]), input:not([aria-label])')) {
    if (el.labels && el.labels.length) continue;
    const row = el.closest('tr[data-param-name]');
    const name = row ? row.dataset.paramName : el.closest('.body-param') ? 'Request body' : el.getAttribute('placeholder') || el.name;
    if (name) el.setAttribute('aria-label', name);
  }
  for (const pre of root.querySelectorAll('pre.microlight:not([tabindex]), .highlight-code > .microlight:not([tabindex])')) pre.setAttribute('tabindex', '0');
}
let queued = false;
new MutationObserver(() => {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    mend(document);
  });
}).observe(document.body, { subtree: true, childList: true });
