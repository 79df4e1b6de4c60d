// The app under benchmark, in a process of its own as in production: a fresh libsql file seeded
// from a dataset directory (BENCH_DATA, default data/), rate limits off. Prints "ready <port>".
// BENCH_DB=<file> keeps the database in that file instead (seeded once: profiling runs restart fast);
// BENCH_DATA=none serves an empty database. BENCH_LAYERS=metrics,cors… mounts only those shared
// middleware layers (`none`: none) with production rate limits, for the middleware bench.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, PACKAGE_ROOT } from '../../src/db/client.ts';
import { startServer } from '../../api/server.ts';
import { MIDDLEWARE_LAYERS, type MiddlewareLayer } from '../../api/app.ts';

const layersEnv = process.env.BENCH_LAYERS;
const layers: MiddlewareLayer[] | undefined =
  layersEnv === undefined ? undefined : layersEnv === 'none' ? [] : (layersEnv.split(',') as MiddlewareLayer[]);
for (const l of layers ?? []) if (!MIDDLEWARE_LAYERS.includes(l)) throw new Error(`BENCH_LAYERS: unknown layer ${l} (${MIDDLEWARE_LAYERS.join(', ')})`);
const dir = mkdtempSync(join(tmpdir(), 'tokentrail-bench-app-'));
const database = await openDatabase({ url: `file:${process.env.BENCH_DB ?? join(dir, 'tokentrail.db')}` });
const server = await startServer({
  database,
  port: 0,
  host: '127.0.0.1',
  role: 'api',
  dataDir: process.env.BENCH_DATA === 'none' ? undefined : (process.env.BENCH_DATA ?? resolve(PACKAGE_ROOT, 'data')),
  app: layers === undefined ? { rateLimits: { quote: false, writes: false } } : { layers },
});
console.log(`ready ${server.port}`);
// BENCH_PROFILE=<file>: SIGUSR2 starts the V8 CPU profiler, the next SIGUSR2 writes the profile
// there (the window the bench loads, without the start-up; summarise with profile-summary.ts).
if (process.env.BENCH_PROFILE) {
  const file = process.env.BENCH_PROFILE;
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true;
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
        console.log('profiling');
        return;
      }
      running = false;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      console.log('profiled');
    })();
  });
}
process.once('SIGTERM', () => {
  void server.close().then(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
