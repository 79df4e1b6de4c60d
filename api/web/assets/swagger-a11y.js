// Swagger UI renders some controls without a name (parameter selects, the body textarea) and code
// samples that scroll but cannot take focus; name and focus them as they appear, so the reference
// passes the same accessibility checks as the rest of the site.
function mend(root) {
  for (const el of root.querySelectorAll('select:not([aria-label]), textarea:not([aria-label]), input:not([aria-label])')) {
    // A label that names it: text of its own, not just the control's options (Swagger wraps the
    // servers <select> in a <label> with no words).
    if (el.labels && [...el.labels].some((l) => l.textContent.replace(el.textContent, '').trim())) continue;
    const row = el.closest('tr[data-param-name]');
    // The servers list (OpenAPI `servers`) is a bare <select id="servers">.
    const name = row ? row.dataset.paramName : el.closest('.body-param') ? 'Request body' : el.id === 'servers' ? 'Server' : el.getAttribute('placeholder') || el.name;
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
