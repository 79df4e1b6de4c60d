// What a view hands back to the router: the HTML and the HTTP status (an API error keeps its own).
export interface PageResult {
  status: number;
  html: string;
}

/** A date input's value (YYYY-MM-DD) or a full instant from the URL; anything else is dropped. */
export function instantParam(url: URL, name: string): string | undefined {
  const v = url.searchParams.get(name)?.trim();
  return v ? v.slice(0, 64) : undefined;
}

/** The YYYY-MM-DD shown in a date input for an instant parameter (empty when not a date). */
export function dateInputValue(v: string | undefined): string {
  if (!v) return '';
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(v);
  return m ? m[1] : '';
}
