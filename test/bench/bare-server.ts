// The baseline of the API benchmark: a pure Hono JSON route on @hono/node-server, in a process of
// its own — the real alternative a route of ours is compared with. Prints "ready <port>".
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/', (c) => c.json({ ok: true }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log(`ready ${info.port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
