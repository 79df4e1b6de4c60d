// Sending a stored representation: strong ETag from the content's sha256, 304 on If-None-Match,
// gzip when accepted (compressed once, then kept), Cache-Control and Vary.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';

export interface Representation {
  status: number;
  contentType: string;
  body: Buffer;
  /** sha256 hex of body; the strong ETag is derived from it. */
  hash: string;
  /** Filled on first gzip request. */
  gzip?: Buffer;
  cacheControl: string;
  /** Answer If-None-Match with 304 (GET/HEAD representations). */
  conditional: boolean;
}

const GZIP_MIN_BYTES = 1024;

export function makeRepresentation(body: Buffer | string, contentType: string, cacheControl: string, status = 200, conditional = true): Representation {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { status, contentType, body: buf, hash: createHash('sha256').update(buf).digest('hex'), cacheControl, conditional };
}

/** The gzip representation has its own strong tag (RFC 9110: a validator per content-coding). */
function etagOf(r: Representation, gzipped: boolean): string {
  return gzipped ? `"${r.hash}-gzip"` : `"${r.hash}"`;
}

/**
 * If-None-Match uses weak comparison (RFC 9110 §13.1.2): `W/` is ignored; a list matches when any
 * member does; `*` matches anything. Either coding's tag names the same content.
 */
export function ifNoneMatchHits(header: string | undefined, hash: string): boolean {
  if (!header) return false;
  for (const raw of header.split(',')) {
    let tag = raw.trim();
    if (tag === '*') return true;
    if (tag.startsWith('W/')) tag = tag.slice(2);
    if (tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"')) tag = tag.slice(1, -1);
    if (tag.endsWith('-gzip')) tag = tag.slice(0, -5);
    if (tag === hash) return true;
  }
  return false;
}

/** Whether Accept-Encoding allows gzip (q > 0, explicitly or through `*`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: number | null = null;
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    if (name.trim() === 'gzip' || name.trim() === 'x-gzip') return weight > 0;
    if (name.trim() === '*') star = weight;
  }
  return star !== null && star > 0;
}

export function sendRepresentation(c: Context, r: Representation, extraHeaders: Record<string, string> = {}): Response {
  const gzip = r.body.length >= GZIP_MIN_BYTES && acceptsGzip(c.req.header('accept-encoding'));
  const headers: Record<string, string> = {
    'Cache-Control': r.cacheControl,
    Vary: 'Accept-Encoding',
    ...extraHeaders,
  };
  if (r.conditional) {
    headers.ETag = etagOf(r, gzip);
    if (ifNoneMatchHits(c.req.header('if-none-match'), r.hash)) return new Response(null, { status: 304, headers });
  }
  headers['Content-Type'] = r.contentType;
  if (gzip) {
    r.gzip ??= gzipSync(r.body);
    headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = String(r.gzip.length);
    return new Response(bodyInit(r.gzip), { status: r.status, headers });
  }
  headers['Content-Length'] = String(r.body.length);
  return new Response(bodyInit(r.body), { status: r.status, headers });
}

/** A Buffer is a Uint8Array; the DOM typings only want to be told its backing store is plain. */
function bodyInit(b: Buffer): BodyInit {
  return b as Uint8Array<ArrayBuffer>;
}
