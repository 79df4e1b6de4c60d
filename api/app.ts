import { Hono } from 'hono';
import type { Database } from '../src/db/client.ts';

export interface AppDeps {
  database: Database;
}

export function createApp(_deps: AppDeps) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}
