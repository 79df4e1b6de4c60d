// Typed client for calculator builders: `import { createClient } from 'tokentrail/client'`.
// Paths, query parameters, bodies and JSON answers are typed from the app's routes (hono/client).
import { hc } from 'hono/client';
import type { AppType } from './app.ts';

export type { AppType };

export function createClient(baseUrl: string, options?: Parameters<typeof hc>[1]) {
  return hc<AppType>(baseUrl, options);
}

export type TokentrailClient = ReturnType<typeof createClient>;
