// Parsing off the event loop. A scraper's parse is a pure function of the page text, but a hostile
// page can make it slow or huge (100k nested <div>s took 74 s; a 115 MB JSON page 2.8 GB), and in
// `serve --role all` that would stall every HTTP client. So pages are parsed in a worker thread
// with limits on size (checked before sending), nesting depth (checked in the worker before
// parsing), time (the worker is terminated) and heap (the worker's resourceLimits). A page over a
// limit is a PageLimitError, which the pipeline records as a failed run.
//
// src/ does not import scrapers/: the worker loads the scraper from the module URL the scraper
// declares (`Scraper.module`, its file's import.meta.url). A scraper without one, or with a parse
// other than its module's, is parsed in-process with the size and depth limits only.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParseResult } from '../model.ts';
import type { ParseContext, Scraper } from './contract.ts';

export interface ParseLimits {
  /** Largest page text, in UTF-16 code units of the decoded text (default 20 M). */
  maxChars: number;
  /** Deepest nesting of HTML elements or JSON arrays/objects (default 512). */
  maxDepth: number;
  /** Longest parse, ms (default 20 s); the worker is terminated past it. */
  timeoutMs: number;
  /** Heap of the worker, MB (default 1024). */
  maxHeapMb: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxChars: 20 * 1024 * 1024, maxDepth: 512, timeoutMs: 20_000, maxHeapMb: 1024 };

/** The page exceeds a parse limit: a typed failure the pipeline records (never retried as is). */
export class PageLimitError extends Error {
  readonly limit: keyof ParseLimits;
  constructor(limit: keyof ParseLimits, message: string) {
    super(message);
    this.name = 'PageLimitError';
    this.limit = limit;
  }
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', '!doctype']);

/**
 * How deep the page nests, stopping as soon as it passes `limit` (linear, no tree built). HTML:
 * open minus closed non-void elements (script/style bodies skipped); JSON: open brackets outside
 * strings. Other text (Markdown) is 0.
 */
export function nestingDepth(text: string, limit: number): number {
  const head = text.trimStart().slice(0, 1);
  if (head === '{' || head === '[') {
    let depth = 0;
    let max = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92 /* \ */) i++;
        else if (c === 34 /* " */) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) {
        if (++depth > max && (max = depth) > limit) return max;
      } else if (c === 125 || c === 93) depth--;
    }
    return max;
  }
  if (!text.includes('<')) return 0;
  const tag = /<(\/?)([a-zA-Z!][\w:-]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const name = m[2].toLowerCase();
    if (m[1]) {
      if (!VOID_ELEMENTS.has(name)) depth = Math.max(0, depth - 1);
      continue;
    }
    if (m[3] || VOID_ELEMENTS.has(name)) continue;
    if (name === 'script' || name === 'style') {
      const end = text.toLowerCase().indexOf(`</${name}`, tag.lastIndex);
      tag.lastIndex = end === -1 ? text.length : end;
      continue;
    }
    if (++depth > max && (max = depth) > limit) return max;
  }
  return max;
}

function checkDepth(text: string, limits: ParseLimits): void {
  const depth = nestingDepth(text, limits.maxDepth);
  if (depth > limits.maxDepth) throw new PageLimitError('maxDepth', `the page nests deeper than ${limits.maxDepth} levels; refused before parsing`);
}

/* ---------------------------------------------------------------- the worker's side */

interface Job {
  id: number;
  module: string;
  text: string;
  ctx: ParseContext;
  maxDepth: number;
}

type Reply = { id: number; ok: true; result: ParseResult } | { id: number; ok: false; name: string; message: string; limit?: keyof ParseLimits };

/** Runs in the worker: loads scrapers by URL (once each) and answers jobs. */
export async function workerMain(port: import('node:worker_threads').MessagePort): Promise<void> {
  const loaded = new Map<string, Promise<Scraper>>();
  port.on('message', async (job: Job) => {
    let reply: Reply;
    try {
      checkDepth(job.text, { ...DEFAULT_PARSE_LIMITS, maxDepth: job.maxDepth });
      let scraper = loaded.get(job.module);
      if (!scraper) loaded.set(job.module, (scraper = import(job.module).then((m: { default: Scraper }) => m.default)));
      reply = { id: job.id, ok: true, result: (await scraper).parse(job.text, job.ctx) };
    } catch (e) {
      const err = e as Error;
      reply = { id: job.id, ok: false, name: err.name ?? 'Error', message: err.message ?? String(e), limit: (e as PageLimitError).limit };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true });
}

/* ---------------------------------------------------------------- the caller's side */

// The worker starts tsx (the scrapers are TypeScript) and then this very module.
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((tsx) => tsx.register())
  .then(() => import(workerData.self))
  .then((m) => m.workerMain(parentPort), (e) => { throw e; });
`;

class ParseWorker {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private nextId = 1;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly maxHeapMb: number) {}

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    // The ESM entry of tsx's API (require.resolve finds the CommonJS one next to it).
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const w = new Worker(BOOT, { eval: true, workerData: { tsx, self: import.meta.url }, resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    w.unref(); // an idle worker never keeps the process alive
    this.worker = w;
    this.ready = new Promise<Worker>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (!m.ready) return;
        w.off('message', onMessage);
        resolve(w);
      };
      w.on('message', onMessage);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`parse worker exited with code ${code} while starting`)));
    });
    w.once('exit', () => this.forget(w));
    w.once('error', () => this.forget(w));
    return this.ready;
  }

  /** The next parse starts a fresh worker (this one is stopping or gone). */
  private forget(w: Worker): void {
    if (this.worker === w) {
      this.worker = null;
      this.ready = null;
    }
  }

  /** One page at a time: a parse is CPU-bound, running two at once on a worker gains nothing. */
  parse(module: string, text: string, ctx: ParseContext, limits: ParseLimits): Promise<ParseResult> {
    const run = this.tail.then(() => this.run(module, text, ctx, limits));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async run(module: string, text: string, ctx: ParseContext, limits: ParseLimits): Promise<ParseResult> {
    const w = await this.start();
    const id = this.nextId++;
    return new Promise<ParseResult>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('exit', onExit);
        w.off('error', onError);
        w.unref();
      };
      const onMessage = (m: Reply) => {
        if (m.id !== id) return;
        done();
        if (m.ok) return resolve(m.result);
        const err = m.name === 'PageLimitError' ? new PageLimitError(m.limit ?? 'maxDepth', m.message) : Object.assign(new Error(m.message), { name: m.name });
        reject(err);
      };
      const onError = (e: Error & { code?: string }) => {
        done();
        this.forget(w);
        // resourceLimits: V8 stops the worker when its heap is full.
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') reject(new PageLimitError('maxHeapMb', `parsing the page needed more than ${limits.maxHeapMb} MB of heap; stopped`));
        else reject(e);
      };
      const onExit = (code: number) => {
        done();
        this.forget(w);
        reject(new Error(`the parse worker exited with code ${code}`));
      };
      const timer = setTimeout(() => {
        done();
        this.forget(w);
        void w.terminate();
        reject(new PageLimitError('timeoutMs', `parsing the page took longer than ${limits.timeoutMs} ms; stopped`));
      }, limits.timeoutMs);
      w.ref(); // a parse in flight keeps the process alive (a CLI ingest awaits it)
      w.on('message', onMessage);
      w.once('exit', onExit);
      w.once('error', onError);
      w.postMessage({ id, module, text, ctx, maxDepth: limits.maxDepth } satisfies Job);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    await w?.terminate();
  }
}

let shared: ParseWorker | null = null;

/** The parse function each module's default export has, as loaded in this process. */
const moduleParse = new Map<string, Promise<Scraper['parse'] | undefined>>();

/**
 * Whether the worker would run this very parse: the scraper declares its module and its parse is
 * that module's (a copy with its own parse, e.g. a test's, is parsed here).
 */
async function workerRuns(scraper: Scraper): Promise<boolean> {
  if (!scraper.module) return false;
  let parse = moduleParse.get(scraper.module);
  if (!parse) moduleParse.set(scraper.module, (parse = import(scraper.module).then((m: { default?: Scraper }) => m.default?.parse, () => undefined)));
  return (await parse) === scraper.parse;
}

/**
 * Parses a page within the limits: in the worker when the scraper declares its module, else
 * in-process (size and depth limits only). Throws PageLimitError past a limit; the scraper's own
 * errors (LayoutChangedError…) keep their name and message.
 */
export async function parsePage(scraper: Scraper, text: string, ctx: ParseContext, overrides: Partial<ParseLimits> = {}): Promise<ParseResult> {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...overrides };
  if (text.length > limits.maxChars) throw new PageLimitError('maxChars', `the page is ${text.length} characters, over the ${limits.maxChars} limit; refused before parsing`);
  if (!(await workerRuns(scraper))) {
    checkDepth(text, limits);
    return scraper.parse(text, ctx);
  }
  shared ??= new ParseWorker(limits.maxHeapMb);
  return shared.parse(scraper.module!, text, ctx, limits);
}

/** Stops the shared worker (tests; a process exits without it: the worker is unref'd). */
export async function closeParseWorker(): Promise<void> {
  const w = shared;
  shared = null;
  await w?.close();
}
