import type { Command } from 'commander';
import { Option } from 'commander';
import { BadInputError } from '../errors.ts';
import { loadConfig } from '../config.ts';
import { database, DEFAULT_DATA_DIR, type CliDeps } from './context.ts';

export function registerServeCommand(program: Command, deps: CliDeps): void {
  program
    .command('serve')
    .description('serve the API and web page (and, with role worker/all, the scheduler and webhook dispatcher)')
    .option('--port <n>', 'port (default $PORT or 8787)')
    .option('--host <host>', 'address to listen on (default $HOST or 0.0.0.0)')
    .addOption(new Option('--role <role>', 'what this instance runs').choices(['api', 'worker', 'all']).default('all'))
    .option('--data <dir>', 'dataset directory to seed from', DEFAULT_DATA_DIR)
    .action(async (o: { port?: string; host?: string; role: 'api' | 'worker' | 'all'; data: string }, cmd: Command) => {
      // The environment is read once, with its one schema (src/config.ts); flags override it.
      const config = loadConfig();
      const port = o.port === undefined ? config.PORT : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BadInputError(`--port: "${o.port}" is not a port number`);
      // The server seeds from --data itself (and re-imports it when the files changed).
      const d = await database(cmd, { seed: false });
      const server = await deps.serve({ database: d, port, host: o.host ?? config.HOST, role: o.role, dataDir: o.data });
      // Run until a signal; then stop taking requests and let running work finish.
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
