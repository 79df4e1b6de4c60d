// Errors as RFC 9457 problem details (`application/problem+json`). Bad input of any kind maps to a
// 4xx naming the offending field; only a bug in our code yields a 500, and that one is logged.
import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { isBusyError } from '../src/db/client.ts';
import { BadInputError } from '../src/errors.ts';
import { log } from '../src/log.ts';

export const PROBLEM_TYPE_BASE = 'https://tokentrail.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The query parameter or body path (dotted, e.g. `usage.0.at`) at fault. */
  field?: string;
  errors?: FieldError[];
}

/** Thrown anywhere in a request; the error handler renders it as is. */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Record<string, string>;
  constructor(problem: Problem, headers: Record<string, string> = {}) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
    this.problem = problem;
    this.headers = headers;
  }
}

const TITLES: Record<number, [slug: string, title: string]> = {
  400: ['invalid-input', 'Invalid request'],
  401: ['unauthorized', 'Missing or wrong credentials'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  413: ['payload-too-large', 'Request body too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  422: ['unprocessable', 'Request cannot be answered'],
  429: ['rate-limited', 'Too many requests'],
  431: ['headers-too-large', 'Request header fields too large'],
  500: ['internal-error', 'Internal server error'],
  503: ['database-busy', 'Service busy'],
};

/** A problem with the standard type and title of its status, unless given. */
export function makeProblem(status: number, detail: string, extra: Partial<Problem> & { slug?: string } = {}): Problem {
  const [slug, title] = TITLES[status] ?? ['error', 'Error'];
  const { slug: customSlug, ...rest } = extra;
  return { type: PROBLEM_TYPE_BASE + (customSlug ?? slug), title, status, detail, ...rest };
}

export function problemError(status: number, detail: string, extra: Partial<Problem> & { slug?: string } = {}, headers: Record<string, string> = {}): ProblemError {
  return new ProblemError(makeProblem(status, detail, extra), headers);
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', ...headers },
  });
}

/** `usage.0.at` from a zod path; the part before the first dot names the parameter. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => String(p)).join('.');
}

/** A zod failure on one request part (query, json body, …) as a 400 naming each field. */
export function validationProblem(error: ZodError, target: string): Problem {
  const errors: FieldError[] = [];
  for (const issue of error.issues.flatMap((i) => unionBranch(i))) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const field = fieldPath([...issue.path, key]);
        errors.push({ field, message: target === 'query' ? `unknown query parameter "${key}"` : `unknown field "${key}"` });
      }
    } else if (issue.code === 'invalid_type' && Array.isArray(issue.input) && target === 'query') {
      errors.push({ field: fieldPath(issue.path), message: 'given more than once; expected a single value' });
    } else {
      errors.push({ field: fieldPath(issue.path) || target, message: issue.message });
    }
  }
  const first = errors[0] ?? { field: target, message: 'invalid' };
  const where = target === 'query' ? 'query parameter' : target === 'json' ? 'body field' : target;
  const detail = first.message.startsWith(`${first.field}: `) ? `${where} ${first.message}` : `${where} ${first.field}: ${first.message}`;
  return makeProblem(400, detail, {
    slug: 'invalid-parameter',
    field: first.field,
    errors,
  });
}

type Issue = ZodError['issues'][number];

/**
 * A union failure (e.g. `usage`: one request or a list) reports every branch; keep the branch the
 * input was shaped like (not failing on its type at the union itself), so the field is exact.
 */
function unionBranch(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const shaped = issue.errors.filter((b) => !(b.length === 1 && b[0].code === 'invalid_type' && b[0].path.length === 0));
  if (shaped.length !== 1) return [issue];
  return shaped[0].flatMap((sub) => unionBranch({ ...sub, path: [...issue.path, ...sub.path] } as Issue));
}

/** The defaultHook of every OpenAPI route: a failed validation becomes a 400 problem. */
export function validationHook(result: { success: boolean; error?: ZodError; target: string }, _c: Context): void {
  if (!result.success && result.error) throw new ProblemError(validationProblem(result.error, result.target));
}

export function toProblem(err: unknown, path: string): { problem: Problem; headers: Record<string, string>; unexpected: boolean } {
  if (err instanceof ProblemError) return { problem: { ...err.problem, instance: err.problem.instance ?? path }, headers: err.headers, unexpected: false };
  if (err instanceof BadInputError) {
    return {
      problem: makeProblem(err.status, err.message, { instance: path, ...(err.field ? { field: err.field, errors: [{ field: err.field, message: err.message }] } : {}) }),
      headers: {},
      unexpected: false,
    };
  }
  if (err instanceof HTTPException && err.status < 500) {
    const malformed = err.status === 400 && /malformed json/i.test(err.message);
    const detail = malformed
      ? 'the request body is not valid JSON'
      : err.status === 415
        ? 'send the body as application/json'
        : err.message || TITLES[err.status]?.[1] || 'bad request';
    return {
      problem: makeProblem(err.status, detail, { instance: path, ...(malformed ? { slug: 'malformed-json', field: 'body' } : {}) }),
      headers: {},
      unexpected: false,
    };
  }
  // Another process (a CLI ingest, a second instance) held the write lock past the deadline.
  if (isBusyError(err)) {
    return {
      problem: makeProblem(503, 'the database is busy with another writer; retry shortly', { instance: path }),
      headers: { 'Retry-After': '1' },
      unexpected: false,
    };
  }
  return { problem: makeProblem(500, 'an unexpected error occurred; it has been logged', { instance: path }), headers: {}, unexpected: true };
}

export const onError: ErrorHandler = (err, c) => {
  const { problem, headers, unexpected } = toProblem(err, c.req.path);
  if (unexpected) log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error in request');
  return problemResponse(problem, headers);
};

/** Unknown routes; a known path asked with the wrong method is a 405 with `Allow`. */
export function notFoundHandler(allowedMethods: (path: string) => string[]): NotFoundHandler {
  return (c) => {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      return problemResponse(makeProblem(405, `${c.req.method} is not supported on ${c.req.path}; use ${allowed.join(', ')}`, { instance: c.req.path }), {
        Allow: allowed.join(', '),
      });
    }
    return problemResponse(makeProblem(404, `no route ${c.req.method} ${c.req.path}`, { slug: 'no-route', instance: c.req.path }));
  };
}

/* ---------------------------------------------------------------- OpenAPI description */

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: `${PROBLEM_TYPE_BASE}invalid-parameter` }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    field: z.string().optional().openapi({ description: 'The query parameter or body field at fault (dotted path).' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } };

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid parameter or body (the `field` names it).',
  401: 'Missing or wrong bearer token.',
  403: 'Admin routes are disabled (TOKENTRAIL_ADMIN_TOKEN unset).',
  404: 'Unknown model, provider or plan.',
  413: 'Body larger than the limit.',
  415: 'Body is not application/json.',
  422: 'Valid request that cannot be answered (e.g. no price in that currency).',
  429: 'Rate limited; see Retry-After.',
  503: 'The database stayed locked by another writer; see Retry-After.',
  500: 'Unexpected error.',
};

/** Problem responses for a route's OpenAPI description. */
export function problemResponses<const S extends number>(...statuses: S[]): { [K in S]: { description: string; content: typeof problemContent } } {
  const out = {} as { [K in S]: { description: string; content: typeof problemContent } };
  for (const s of statuses) out[s] = { description: DESCRIPTIONS[s] ?? 'Error.', content: problemContent };
  return out;
}
