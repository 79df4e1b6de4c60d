// Opens the timeline database: an embedded libsql file by default, any libsql URL otherwise.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import * as schema from './schema.ts';
import { threadSchedStat } from '../schedstat.ts';

/** The package's root; bin/tokentrail.js sets TOKENTRAIL_PACKAGE_ROOT when a checkout runs its dist/ build. */
export const PACKAGE_ROOT = process.env.TOKENTRAIL_PACKAGE_ROOT || resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_DATABASE_URL = `file:${resolve(PACKAGE_ROOT, 'data/tokentrail.db')}`;
const MIGRATIONS = resolve(PACKAGE_ROOT, 'src/db/migrations');

export type Db = LibSQLDatabase<typeof schema>;

export interface Database {
  url: string;
  client: Client;
  db: Db;
  close(): void;
}

export interface OpenOptions {
  url?: string;
  authToken?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /**
   * How long an operation waits for another process's write lock before DatabaseBusyError
   * (default TOKENTRAIL_DB_BUSY_MS, else 5 s). The wait is asynchronous: the event loop runs.
   */
  busyDeadlineMs?: number;
}

/** Another process held SQLite's write lock past the deadline: try again later (HTTP 503). */
export class DatabaseBusyError extends Error {
  readonly waitedMs: number;
  constructor(waitedMs: number, cause: unknown) {
    super(`the database stayed locked by another writer for ${waitedMs} ms`, { cause });
    this.name = 'DatabaseBusyError';
    this.waitedMs = waitedMs;
  }
}

/** SQLITE_BUSY or DatabaseBusyError, also when wrapped (drizzle wraps query errors as their cause). */
export function isBusyError(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (cur instanceof DatabaseBusyError || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  return false;
}

export const DEFAULT_BUSY_DEADLINE_MS = 5_000;

/** `file:relative/path.db` and bare paths are resolved against the working directory. */
export function normalizeDatabaseUrl(url: string): string {
  if (/^(libsql|https?|wss?):/.test(url)) return url;
  const path = url.startsWith('file:') ? url.slice('file:'.length) : url;
  if (path === ':memory:') return 'file::memory:';
  return `file:${isAbsolute(path) ? path : resolve(process.cwd(), path)}`;
}

/**
 * Works around a libsql bug (tursodatabase/libsql-client-ts#352; fixes libsql-js#237/#238 not yet
 * released): a statement that fails with SQLITE_BUSY is left unfinished on its pooled connection,
 * so the next write on that connection is answered as done but never committed and the write lock
 * stays held. Here a connection whose statement met SQLITE_BUSY or SQLITE_LOCKED is closed at once;
 * the pool drops a closed connection on release, and the retry (retryBusy) runs on a fresh one.
 */
function closeConnectionsThatMeetBusy(): void {
  const proto = libsqlDatabasePrototype();
  if (proto.__tokentrailBusyPatch) return;
  proto.__tokentrailBusyPatch = true;
  const prepare = proto.prepare as (this: { close(): void }, sql: string) => Record<string, unknown>;
  let statementProto: Record<string, unknown> | null = null;
  const owner = new WeakMap<object, { close(): void }>();
  const text = new WeakMap<object, string>();
  const traceMs = process.env.TOKENTRAIL_DB_TRACE_MS ? Number(process.env.TOKENTRAIL_DB_TRACE_MS) : NaN;
  const trace = Number.isFinite(traceMs);
  const settings = connectionSettings();
  const setUp = new WeakMap<object, number>();
  proto.prepare = function (this: { close(): void }, sql: string) {
    // A pooled connection's settings, once per connection (and again after checkpointInBackground).
    if (setUp.get(this) !== settings.generation) {
      setUp.set(this, settings.generation);
      configureConnection((q) => prepare.call(this, q) as unknown as NativeStatement, settings);
    }
    const stmt = prepare.call(this, sql);
    owner.set(stmt, this);
    if (trace) text.set(stmt, sql);
    if (!statementProto) {
      statementProto = Object.getPrototypeOf(stmt) as Record<string, unknown>;
      for (const name of ['run', 'get', 'all', 'iterate']) {
        const method = statementProto[name] as (...a: unknown[]) => unknown;
        statementProto[name] = function (this: object, ...a: unknown[]) {
          const t0 = trace ? performance.now() : 0;
          const q0 = trace ? threadSchedStat().runQueueMs : 0;
          try {
            return method.apply(this, a);
          } catch (e) {
            const code = (e as { code?: unknown }).code;
            if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
              try {
                owner.get(this)?.close();
              } catch {
                // already closed
              }
            }
            throw e;
          } finally {
            if (trace) traceStatement(t0, q0, name, text.get(this), traceMs);
          }
        };
      }
    }
    return stmt;
  };
}

/**
 * TOKENTRAIL_DB_TRACE_MS=n: every native statement call that held the event loop ≥ n ms is written
 * to stderr as one JSON line (epoch start, duration, of which waiting for a CPU, pid, SQL head).
 * The binding runs synchronously, so this is how long the statement blocked this process.
 */
function traceStatement(t0: number, q0: number, op: string, sql: string | undefined, thresholdMs: number): void {
  const ms = performance.now() - t0;
  if (ms < thresholdMs) return;
  const round = (x: number) => Math.round(x * 10) / 10;
  const line = { at: Math.round(performance.timeOrigin + t0), ms: round(ms), runQueueMs: round(threadSchedStat().runQueueMs - q0), pid: process.pid, op, sql: (sql ?? '').replace(/\s+/g, ' ').slice(0, 90) };
  process.stderr.write(JSON.stringify({ dbtrace: line }) + '\n');
}

type LibsqlPrototype = Record<string, unknown> & { __tokentrailBusyPatch?: true; __tokentrailSettings?: ConnectionSettings };
interface NativeStatement {
  run(...a: unknown[]): unknown;
  raw(on: boolean): NativeStatement;
  all(...a: unknown[]): unknown[][];
}

/** The binding @libsql/client itself loads (its connections are this class's instances). */
function libsqlDatabasePrototype(): LibsqlPrototype {
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
  return (fromClient('libsql') as { prototype: LibsqlPrototype }).prototype;
}

/** Per-connection settings, kept on the binding (one per process, whichever copy of this module runs). */
interface ConnectionSettings {
  /** Bumped when a file's settings change: every connection is set up again. */
  generation: number;
  /** Files whose WAL is checkpointed off the event loop (checkpointInBackground), with how many ask. */
  backgroundCheckpoint: Map<string, number>;
}

function connectionSettings(): ConnectionSettings {
  const proto = libsqlDatabasePrototype();
  return (proto.__tokentrailSettings ??= { generation: 0, backgroundCheckpoint: new Map() });
}

/**
 * A commit that finds the WAL past the autocheckpoint size (1000 pages) checkpoints it on the
 * spot, synchronously: copies pages into the database file and syncs it. On a file a checkpointer
 * thread looks after, a connection leaves that to it, unless the WAL grew ten times past (the thread
 * stalled or a reader pins the WAL).
 */
const AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER = 10_000;

function configureConnection(prepare: (sql: string) => NativeStatement, settings: ConnectionSettings): void {
  // A setting a connection cannot take (synchronous inside a transaction) keeps SQLite's default.
  const attempt = (f: () => void) => {
    try {
      f();
    } catch {
      // as above
    }
  };
  // Per connection (the pool opens several): WAL syncs at checkpoints, not at every commit.
  attempt(() => prepare('PRAGMA synchronous = NORMAL').run());
  if (settings.backgroundCheckpoint.size === 0) return;
  attempt(() => {
    const main = prepare('PRAGMA database_list').raw(true).all().find((r) => r[1] === 'main');
    if (main && settings.backgroundCheckpoint.has(String(main[2]))) prepare(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES_WITH_CHECKPOINTER}`).run();
  });
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Checkpoints a file database's WAL from a worker thread every `intervalMs` (PASSIVE: it never
 * waits for a lock nor blocks readers or writers), and has this process's connections to it leave
 * checkpoints to that thread: a server's commit never copies another process's writes into the
 * file inside a request. Nothing for remote or in-memory databases.
 */
export function checkpointInBackground(database: Database, intervalMs = 1_000): Checkpointer {
  const path = database.url.startsWith('file:') && !database.url.includes(':memory:') ? database.url.slice('file:'.length) : null;
  if (!path) return { stop: async () => undefined };
  const file = realpathSync(path); // as SQLite names it (PRAGMA database_list)
  const settings = connectionSettings();
  settings.backgroundCheckpoint.set(file, (settings.backgroundCheckpoint.get(file) ?? 0) + 1);
  settings.generation++;
  const libsql = createRequire(createRequire(import.meta.url).resolve('@libsql/client')).resolve('libsql');
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { libsql, file, intervalMs } });
  worker.unref();
  worker.on('error', () => undefined); // a checkpointer that fails leaves the connections' autocheckpoint
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      const n = (settings.backgroundCheckpoint.get(file) ?? 1) - 1;
      if (n > 0) settings.backgroundCheckpoint.set(file, n);
      else settings.backgroundCheckpoint.delete(file);
      settings.generation++;
      // Asked, never terminated: a worker terminated while it enters a libsql call aborts the
      // whole process (neon panics on the pending termination, "PendingException").
      const giveUp = new AbortController();
      const exited = once(worker, 'exit').then(() => undefined, () => undefined);
      worker.postMessage('stop');
      await Promise.race([exited, delay(STOP_WAIT_MS, undefined, { signal: giveUp.signal }).catch(() => undefined)]);
      giveUp.abort();
    },
  };
}

/** How long stop() waits for the checkpointer to finish its checkpoint and exit (it is unref'd). */
const STOP_WAIT_MS = 5_000;

// The worker: its own connection, no busy wait; a checkpoint that meets a lock just tries again later.
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.file, { timeout: 0 });
const timer = setInterval(() => {
  try {
    db.prepare('PRAGMA wal_checkpoint(PASSIVE)').raw(true).all();
  } catch {}
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  closeConnectionsThatMeetBusy();
  const url = normalizeDatabaseUrl(opts.url ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const isFile = url.startsWith('file:') && !url.includes(':memory:');
  if (isFile) mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
  const client = createClient({
    url,
    authToken: opts.authToken ?? process.env.DATABASE_AUTH_TOKEN,
    // No busy timeout in the binding: it waits synchronously, freezing the event loop for as long
    // as another process writes. SQLITE_BUSY comes back at once and retryBusy waits async.
    timeout: 0,
  });
  if (isFile) {
    const env = Number(process.env.TOKENTRAIL_DB_BUSY_MS);
    retryBusy(client, opts.busyDeadlineMs ?? (Number.isFinite(env) && env > 0 ? env : DEFAULT_BUSY_DEADLINE_MS));
  }
  if (isFile) {
    // WAL lets readers and one writer work at once; it is a property of the file and persists.
    // (synchronous = NORMAL is set on each connection as it is first used.)
    await client.execute('PRAGMA journal_mode = WAL');
  }
  if (isFile) serializeWrites(client);
  const db = drizzle(client, { schema });
  if (opts.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS });
  return { url, client, db, close: () => client.close() };
}

/**
 * Longest sleep between two tries for the lock (jittered 0.5–1.5×): shorter than the pause a long
 * write leaves between its transactions (BATCH_PAUSE_MS of the ingest), so a waiting server takes
 * the lock in that pause instead of sleeping through it until the deadline (a 503). A try that
 * meets the lock costs microseconds: SQLITE_BUSY comes back at once.
 */
const RETRY_MAX_MS = 10;

/**
 * A CLI and a server (or two instances) share one file: an operation that meets SQLITE_BUSY is
 * retried after a short, growing, jittered sleep until `deadlineMs`, then DatabaseBusyError. Only
 * what can be retried whole is: a statement, a batch (rolled back on failure) and the BEGIN
 * IMMEDIATE of a write transaction (libsql's default); inside a transaction the lock is held.
 */
function retryBusy(client: Client, deadlineMs: number): void {
  const retried =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const start = Date.now();
      for (let delay = 2; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
        try {
          return await fn(...a);
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw e;
          const waited = Date.now() - start;
          if (waited >= deadlineMs) throw new DatabaseBusyError(waited, e);
          await new Promise((r) => setTimeout(r, Math.min(deadlineMs - waited, delay * (0.5 + Math.random()))));
        }
      }
    };
  const c = client as unknown as Record<'execute' | 'batch' | 'transaction' | 'migrate' | 'executeMultiple', (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['execute', 'batch', 'transaction', 'migrate', 'executeMultiple'] as const) c[name] = retried(c[name].bind(client));
}

/**
 * One writer at a time within this process: a write on one pooled connection while a transaction
 * on another holds the lock (across an await) would otherwise meet SQLITE_BUSY and retry; queued
 * here it is an ordinary async wait. Other processes are met by retryBusy.
 */
function serializeWrites(client: Client): void {
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  const isWrite = (stmt: unknown) => {
    const text = typeof stmt === 'string' ? stmt : (stmt as { sql?: string })?.sql ?? '';
    return /^\s*(insert|update|delete|replace|create|drop|alter|pragma\s+wal_checkpoint)\b/i.test(text);
  };
  const execute = client.execute.bind(client) as (...a: unknown[]) => Promise<unknown>;
  const batch = client.batch.bind(client) as (...a: unknown[]) => Promise<unknown>;
  const transaction = client.transaction.bind(client) as (...a: unknown[]) => Promise<{ commit(): Promise<void>; rollback(): Promise<void>; close(): void }>;
  (client as { execute: unknown }).execute = (...a: unknown[]) => (isWrite(a[0]) ? exclusive(() => execute(...a)) : execute(...a));
  (client as { batch: unknown }).batch = (...a: unknown[]) => (a[1] === 'read' ? batch(...a) : exclusive(() => batch(...a)));
  // A write transaction holds the queue from BEGIN until it commits, rolls back or closes.
  (client as { transaction: unknown }).transaction = (...a: unknown[]) => {
    if (a[0] === 'read') return transaction(...a);
    return new Promise((resolveTx, rejectTx) => {
      void exclusive(async () => {
        let tx: Awaited<ReturnType<typeof transaction>>;
        try {
          tx = await transaction(...a);
        } catch (e) {
          rejectTx(e);
          return;
        }
        await new Promise<void>((release) => {
          const commit = tx.commit.bind(tx);
          const rollback = tx.rollback.bind(tx);
          const close = tx.close.bind(tx);
          tx.commit = () => commit().finally(release);
          tx.rollback = () => rollback().finally(release);
          tx.close = () => {
            close();
            release();
          };
          resolveTx(tx);
        });
      });
    });
  };
}
