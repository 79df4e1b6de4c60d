// Starts and stops a database's checkpointer thread `rounds` times, each stop at a random moment
// of its life (loading libsql, between checkpoints, inside one), writing between; prints "ok".
import { checkpointInBackground, openDatabase } from '../../src/db/client.ts';

const [file, rounds] = [process.argv[2], Number(process.argv[3])];
const d = await openDatabase({ url: `file:${file}` });
await d.client.execute('CREATE TABLE IF NOT EXISTS t (x TEXT)');
for (let round = 0; round < rounds; round++) {
  const checkpointer = checkpointInBackground(d, 1);
  await d.client.execute({ sql: 'INSERT INTO t VALUES (?)', args: ['x'.repeat(20_000)] });
  await new Promise((r) => setTimeout(r, Math.random() * 60));
  await checkpointer.stop();
}
d.close();
process.stdout.write('ok\n');
