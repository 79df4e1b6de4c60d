// Starts the HTTP server on an open database: seeds it from data/, then serves the app. The role
// decides what else runs: `api` only answers HTTP; `worker` runs the scrape scheduler and the
// webhook dispatcher (and answers /healthz only); `all` does both.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo, Socket } from 'node:net';
import { loadConfig, type Config } from '../src/config.ts';
import { checkpointInBackground, type Database } from '../src/db/client.ts';
import { seedFromDataset } from '../src/dataset/seed.ts';
import { importFx } from '../src/fx/import.ts';
import { FxScheduler } from '../src/fx/scrape.ts';
import { fxTolerance } from '../src/fx/consistency.ts';
import type { FxSource } from '../src/fx/contract.ts';
import { log } from '../src/log.ts';
import { Scheduler, type SchedulerOptions } from '../src/scheduler/scheduler.ts';
import { Dispatcher, type DispatcherOptions } from '../src/webhooks/dispatcher.ts';
import type { ScrapeOptions } from '../src/scrape/run.ts';
import { createApp, type AppDeps } from './app.ts';
import { makeProblem } from './problem.ts';
import { timelineIndexOf } from '../src/timeline/memory-index.ts';

export interface ServerOptions {
  database: Database;
  port: number;
  host?: string;
  /**
   * `tokentrail serve` passes `all` unless told otherwise. Left out here it is `api`: embedding the
   * server (tests, scripts) never starts scraping the providers' sites by surprise.
   */
  role?: 'api' | 'worker' | 'all';
  dataDir?: string;
  /** The environment, parsed once (default: process.env, parsed now; a bad value throws ConfigError). */
  config?: Config;
  /** Options of the app (admin token, rate limits, cache, bench mode…). */
  app?: Omit<AppDeps, 'database'>;
  /** Options of the background work (roles worker and all). */
  worker?: WorkerOptions;
  /** Render the home page once in the background after the start (`tokentrail serve`), so the first visitor does not wait for its tables. */
  warm?: boolean;
}

export interface WorkerOptions {
  /** Clock of the scheduler and the dispatcher. */
  now?: () => number;
  /** Where to fetch a provider page instead of its public URL (tests serve pages on 127.0.0.1). */
  fetchUrl?: ScrapeOptions['fetchUrl'];
  /** Required with roles worker and all: `scrapers` is what the scheduler scrapes. */
  scheduler?: Omit<SchedulerOptions, 'database'>;
  /** Reference-rate sources fetched after their daily publication (the composition root hands them in). */
  fxSources?: FxSource[];
  dispatcher?: Omit<DispatcherOptions, 'database'>;
}

export interface RunningServer {
  url: string;
  port: number;
  role: 'api' | 'worker' | 'all';
  /** Running in roles worker and all. */
  scheduler?: Scheduler;
  dispatcher?: Dispatcher;
  /** Stops taking requests and scheduling; running scrapes and deliveries finish; claims are released. */
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  if (opts.dataDir) {
    const seeded = await seedFromDataset(opts.database, opts.dataDir);
    if (seeded) log.info({ ...seeded }, 'seeded database from dataset');
    const fx = await importFx(opts.database, opts.dataDir);
    if (fx) log.info({ ...fx }, 'seeded reference rates from data/fx');
  }
  const config = opts.config ?? loadConfig();
  // WAL checkpoints (another process's writes copied into the file) off the event loop.
  const checkpointer = checkpointInBackground(opts.database);
  fxTolerance(); // a bad TOKENTRAIL_FX_TOLERANCE stops the start, not every price request
  const role = opts.role ?? 'api';
  const background = role === 'worker' || role === 'all';
  const w = opts.worker ?? {};
  const dispatcher = background ? new Dispatcher({ now: w.now, ...w.dispatcher, database: opts.database }) : undefined;
  if (background && !w.scheduler?.scrapers) throw new Error(`startServer: role ${role} needs worker.scheduler.scrapers`);
  const scheduler = background
    ? new Scheduler({
        now: w.now,
        ...w.scheduler,
        scrapers: w.scheduler!.scrapers,
        scrape: { ...w.scheduler?.scrape, ...(w.fetchUrl && { fetchUrl: w.fetchUrl }) },
        onEvents: () => dispatcher!.wake(),
        database: opts.database,
      })
    : undefined;
  // Reference rates after the ECB's daily publication (TOKENTRAIL_FX_SCHEDULE).
  const fxScheduler = background && w.fxSources?.length ? new FxScheduler({ database: opts.database, sources: w.fxSources, now: w.now }) : undefined;
  // A worker answers liveness probes only.
  const fetch = role === 'worker' ? workerApp().fetch : createApp({ config, ...opts.app, database: opts.database }).fetch;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: opts.port, hostname: opts.host ?? '0.0.0.0' }, () => resolve(s));
  });
  server.on('clientError', answerClientError);
  dispatcher?.start();
  scheduler?.start();
  fxScheduler?.start();
  if (scheduler) log.info({ providers: scheduler.scheduled() }, 'scrape scheduler started');
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, role }, 'tokentrail listening');
  // Build the in-memory timeline index now (in slices that yield), not on the first price asked.
  const index = timelineIndexOf(opts.database.db)?.catch((e: unknown) => log.warn({ err: e }, 'timeline index build failed; answering from SQL, retried on the next request'));
  if (opts.warm && role !== 'worker')
    void Promise.resolve(index)
      .then(() => fetch(new Request(`${url}/`)))
      .then((r) => r.arrayBuffer())
      .catch((e: unknown) => log.warn({ err: e }, 'warming the home page failed'));
  return {
    url,
    port,
    role,
    scheduler,
    dispatcher,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Scrapes first: what they find goes to the outbox, which the next start delivers.
      await scheduler?.stop();
      await fxScheduler?.stop();
      await dispatcher?.stop();
      await closed;
      await checkpointer.stop();
    },
  };
}

function workerApp() {
  return new Hono().get('/healthz', (c) => c.json({ status: 'ok' as const, role: 'worker' }));
}

/**
 * Requests Node's HTTP parser refuses never reach the app: answer them as problem+json too (a raw
 * response, since there is no request object), then close the connection.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than the server accepts (16 KiB)']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT'
        ? [408, 'Request Timeout', 'the request did not arrive in time']
        : [400, 'Bad Request', `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`];
  const body = JSON.stringify({ ...makeProblem(status, detail, { slug: status === 400 ? 'malformed-http' : undefined }), title: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}
