// Errors typed by what the caller can do about them.

/** The caller sent something wrong: fix the input (HTTP 400/404/422, CLI exit 2). */
export class BadInputError extends Error {
  readonly status: 400 | 404 | 422;
  /** JSON path or parameter name of the offending field, when there is one. */
  readonly field?: string;
  /** Extra problem members (e.g. `suggestions` for an unknown model name). */
  readonly extensions?: Record<string, unknown>;
  constructor(message: string, opts: { status?: 400 | 404 | 422; field?: string; extensions?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'BadInputError';
    this.status = opts.status ?? 400;
    this.field = opts.field;
    if (opts.extensions) this.extensions = opts.extensions;
  }
}

export class NotFoundError extends BadInputError {
  constructor(message: string, field?: string, extensions?: Record<string, unknown>) {
    super(message, { status: 404, field, extensions });
    this.name = 'NotFoundError';
  }
}

/** A fetch failed in a way that may pass: retry later (timeouts, 429, 5xx, resets). */
export class RetryableFetchError extends Error {
  readonly status?: number;
  readonly retryAfterMs?: number;
  constructor(message: string, opts: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'RetryableFetchError';
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** A fetch failed in a way a retry will not fix (403, 404, robots.txt, a captcha/login page). */
export class FatalFetchError extends Error {
  readonly status?: number;
  constructor(message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'FatalFetchError';
    this.status = opts.status;
  }
}

/** The page no longer looks like what the parser knows: a human must update the scraper. */
export class LayoutChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayoutChangedError';
  }
}

/** The data (a dataset file, a fact) breaks the model's rules. */
export class DataError extends Error {
  readonly file?: string;
  readonly path?: string;
  constructor(message: string, opts: { file?: string; path?: string } = {}) {
    super(message);
    this.name = 'DataError';
    this.file = opts.file;
    this.path = opts.path;
  }
}
