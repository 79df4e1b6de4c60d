// Opens the timeline database: an embedded libsql file by default, any libsql URL otherwise.
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
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
}

/** `file:relative/path.db` and bare paths are resolved against the working directory. */
export function normalizeDatabaseUrl(url: string): string {
  if (/^(libsql|https?|wss?):/.test(url)) return url;
  const path = url.startsWith('file:') ? url.slice('file:'.length) : url;
  if (path === ':memory:') return 'file::memory:';
  return `file:${isAbsolute(path) ? path : resolve(process.cwd(), path)}`;
}

export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  const url = normalizeDatabaseUrl(opts.url ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const isFile = url.startsWith('file:') && !url.includes(':memory:');
  if (isFile) mkdirSync(dirname(url.slice('file:'.length)), { recursive: true });
  const client = createClient({
    url,
    authToken: opts.authToken ?? process.env.DATABASE_AUTH_TOKEN,
    // Busy timeout, so a CLI and a server (or two instances) can share one file.
    timeout: 10_000,
  });
  if (isFile) {
    // WAL lets readers and one writer work at once; it is a property of the file and persists.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = NORMAL');
  }
  if (isFile) serializeWrites(client);
  const db = drizzle(client, { schema });
  if (opts.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS });
  return { url, client, db, close: () => client.close() };
}

/**
 * One writer at a time within this process. The embedded libsql binding waits for SQLite's write
 * lock synchronously, so a write on one pooled connection while a transaction on another holds
 * the lock (across an await) would block the event loop until the busy timeout. Queuing writes
 * here turns that into an ordinary async wait; other processes still meet the busy timeout.
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
