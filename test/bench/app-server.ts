// The app under benchmark, in a process of its own as in production: a fresh libsql file seeded
// from a dataset directory (BENCH_DATA, default data/), rate limits off. Prints "ready <port>".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase, PACKAGE_ROOT } from '../../src/db/client.ts';
import { startServer } from '../../api/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'tokentrail-bench-app-'));
const database = await openDatabase({ url: `file:${join(dir, 'tokentrail.db')}` });
const server = await startServer({
  database,
  port: 0,
  host: '127.0.0.1',
  role: 'api',
  dataDir: process.env.BENCH_DATA ?? resolve(PACKAGE_ROOT, 'data'),
  app: { rateLimits: { quote: false, writes: false } },
});
console.log(`ready ${server.port}`);
process.once('SIGTERM', () => {
  void server.close().then(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
