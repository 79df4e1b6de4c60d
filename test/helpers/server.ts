// Starts the real server on 127.0.0.1 (a free port) on a fresh libsql file in a temp directory,
// seeded from data/ (plus any extra dataset files a test writes). Nothing touches the internet.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, PACKAGE_ROOT, type Database } from '../../src/db/client.ts';
import { startServer } from '../../api/server.ts';
import type { AppDeps } from '../../api/app.ts';

export const DATA_DIR = resolve(PACKAGE_ROOT, 'data');

export interface SeededServer {
  url: string;
  port: number;
  database: Database;
  /** The temp directory: the database file and the dataset it was seeded from. */
  dir: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface SeededServerOptions {
  /** Extra dataset files (`<provider>.json` → content) next to the copies of data/*.json. */
  extraDatasets?: Record<string, unknown>;
  /** Leave out data/ (only the extra datasets). */
  withoutData?: boolean;
  app?: Omit<AppDeps, 'database'>;
}

export async function startSeededServer(opts: SeededServerOptions = {}): Promise<SeededServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-api-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  if (!opts.withoutData) {
    for (const f of readdirSync(DATA_DIR)) if (f.endsWith('.json')) copyFileSync(join(DATA_DIR, f), join(dataDir, f));
  }
  for (const [name, content] of Object.entries(opts.extraDatasets ?? {})) {
    writeFileSync(join(dataDir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
  const database = await openDatabase({ url: `file:${join(dir, 'tokentrail.db')}` });
  const server = await startServer({ database, port: 0, host: '127.0.0.1', dataDir, app: opts.app });
  return {
    url: server.url,
    port: server.port,
    database,
    dir,
    dataDir,
    async close() {
      await server.close();
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** fetch + JSON, for tests: status, headers, parsed body (or text when not JSON). */
export async function request(
  base: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const { json, ...rest } = init;
  const send = () =>
    fetch(base + path, {
      ...rest,
      ...(json !== undefined ? { method: rest.method ?? 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...(rest.headers as Record<string, string>) } } : {}),
    });
  // A test that kept the event loop busy past the server's keep-alive timeout may reuse a socket
  // the server already closed: a GET is safe to send once more.
  const idempotent = json === undefined && (rest.method ?? 'GET').toUpperCase() === 'GET';
  const res = await send().catch((e: { cause?: { code?: string } }) => {
    if (idempotent && ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(e.cause?.code ?? '')) return send();
    throw e;
  });
  const text = await res.text();
  let body: unknown = text;
  if (/json/.test(res.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body, text };
}
