// Same-origin calls to the JSON API. A problem+json answer becomes an ApiProblem carrying it, so
// the page can show the API's own sentence instead of failing silently.

export class ApiProblem extends Error {
  constructor(problem) {
    super(problem?.detail ?? problem?.title ?? 'request failed');
    this.name = 'ApiProblem';
    this.problem = problem;
  }
}

async function send(path, init) {
  let res;
  try {
    res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch (err) {
    throw new ApiProblem({ title: 'Network error', status: 0, detail: `could not reach the server (${err?.message ?? err})` });
  }
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) return body;
  if (body && typeof body.title === 'string') throw new ApiProblem(body);
  throw new ApiProblem({ title: 'Unexpected answer', status: res.status, detail: `${path} answered ${res.status}` });
}

export function getJson(path) {
  return send(path, { method: 'GET' });
}

export function postJson(path, body) {
  return send(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** `/v1/history?model=a&asOf=b`, leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
