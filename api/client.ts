// Typed client for calculator builders: `import { createClient } from 'tokentrail/client'` (or
// from 'tokentrail'). Paths, query parameters, bodies and JSON answers are typed from the app's
// routes (hono/client).
import { hc } from 'hono/client';
import type { AppType } from './app.ts';

export type { AppType };

export type ClientOptions = NonNullable<Parameters<typeof hc>[1]> & { baseUrl: string };

/** `createClient({ baseUrl })`, or `createClient(baseUrl, options)`. */
export function createClient(base: string | ClientOptions, options?: Parameters<typeof hc>[1]) {
  if (typeof base === 'string') return hc<AppType>(base, options);
  const { baseUrl, ...rest } = base;
  return hc<AppType>(baseUrl, { ...rest, ...options });
}

export type TokentrailClient = ReturnType<typeof createClient>;
