// Starts the HTTP server on an open database: seeds it from data/, then serves the app.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Database } from '../src/db/client.ts';
import { seedFromDataset } from '../src/dataset/seed.ts';
import { log } from '../src/log.ts';
import { createApp } from './app.ts';

export interface ServerOptions {
  database: Database;
  port: number;
  host?: string;
  role?: 'api' | 'worker' | 'all';
  dataDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  if (opts.dataDir) {
    const seeded = await seedFromDataset(opts.database, opts.dataDir);
    if (seeded) log.info({ ...seeded }, 'seeded database from dataset');
  }
  const app = createApp({ database: opts.database });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host ?? '0.0.0.0' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, role: opts.role ?? 'all' }, 'tokentrail listening');
  return {
    url,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
