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
  const db = drizzle(client, { schema });
  if (opts.migrate !== false) await migrate(db, { migrationsFolder: MIGRATIONS });
  return { url, client, db, close: () => client.close() };
}
