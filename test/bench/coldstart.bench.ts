// Cold start: a fresh copy of the repository as it stands (the working tree's files, node_modules
// linked, built as `npm install` would through `prepare`), then the real `npm start -- --role api`
// (and `node bin/tokentrail.js serve --role api`) on 127.0.0.1, timed from spawn until
// `GET /v1/prices?model=deepseek/deepseek-v4-pro` answers 200 — once with no data/tokentrail.db
// (migrate + seed from data/) and once with it already seeded. The baseline is a pure Hono server
// process (plain JavaScript, @hono/node-server) spawned the same way, until its first answer.
// After a warm-up of 200 requests the server's VmRSS is read from /proc, and again after one load
// of the home page's overview (`GET /`, every model's prices: the heaviest answer). Rounds alternate the
// variants; medians are reported. The role is `api` because `all` would scrape the providers' sites.
// The tsx variants run the same start with TOKENTRAIL_FROM_SOURCE=1 (the sources, transpiled).
//   npm run bench -- coldstart              (BENCH_ROUNDS=5)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROBE = '/v1/prices?model=deepseek/deepseek-v4-pro';

const round = (n: number, d = 0) => Math.round(n * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** The working tree's files (tracked and untracked, not ignored) copied to `to`; node_modules linked. */
function freshCopy(to: string): void {
  const ls = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (ls.status !== 0) throw new Error(`git ls-files: ${ls.stderr}`);
  for (const f of ls.stdout.split('\0')) {
    if (!f || f === 'node_modules' || !existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(to, f)), { recursive: true });
    cpSync(join(ROOT, f), join(to, f));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(to, 'node_modules'));
  // What `npm install` runs on a fresh clone.
  const build = spawnSync('npm', ['run', '--silent', 'prepare'], { cwd: to, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run prepare failed in the fresh copy');
  writeFileSync(
    join(to, 'bench-bare.mjs'),
    `import { serve } from '@hono/node-server';\nimport { Hono } from 'hono';\n` +
      `const app = new Hono().get('*', (c) => c.json({ ok: true }));\n` +
      `serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });\n`,
  );
}

/** The node process serving: `pid` itself or its descendant whose command line contains `marker`. */
function serverPid(pid: number, marker: string): number {
  const cmd = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  const children = (p: number) => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      return [];
    }
  };
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    if (cmd(p).includes(marker) && !cmd(p).startsWith('sh\0') && !cmd(p).includes('npm')) return p;
    queue.push(...children(p));
  }
  return pid;
}

const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024, 1);
};

/** A port free right now (the machine is shared: a fixed range may be taken). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns `cmd` in `cwd`, polls `path` until 200; warms up; reads RSS; stops the process group. */
async function coldStart(cwd: string, cmd: string[], marker: string, page: boolean, extraEnv: Record<string, string> = {}): Promise<{ ms: number; rssMb: number; rssAfterPageMb: number | null }> {
  const port = await freePort();
  const t0 = performance.now();
  // The copy's own data/tokentrail.db, as `npm start` in a fresh clone uses.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TOKENTRAIL_SCHEDULE: 'off', ...extraEnv };
  delete env.DATABASE_URL;
  delete env.TOKENTRAIL_PACKAGE_ROOT;
  const child = spawn(cmd[0], cmd.slice(1), {
    cwd,
    detached: true,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}${PROBE}`;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${cmd.join(' ')} exited (${child.exitCode ?? child.signalCode})`);
      if (performance.now() - t0 > 120_000) throw new Error(`${cmd.join(' ')}: no answer within 120 s`);
      try {
        const r = await fetch(url);
        await r.arrayBuffer();
        if (r.status === 200) break;
        throw new Error(`${cmd.join(' ')}: first answer ${r.status}`);
      } catch (e) {
        if ((e as Error).message.includes('first answer')) throw e;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const ms = performance.now() - t0;
    for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer();
    const pid = serverPid(child.pid!, marker);
    const rss = rssMb(pid);
    if (page) await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    return { ms: round(ms), rssMb: rss, rssAfterPageMb: page ? rssMb(pid) : null };
  } finally {
    // The whole process group (npm, its shell, the server); a group already gone is fine.
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    };
    const running = () => child.exitCode === null && child.signalCode === null;
    const exited = new Promise<void>((r) => (running() ? child.once('exit', () => r()) : r()));
    signal('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (running()) signal('SIGKILL');
  }
}

export interface ColdStartFigure {
  p50Ms: number;
  minMs: number;
  maxMs: number;
  rssMb: number;
  /** After one `GET /` (the overview page) on top of the warm-up; null for the bare server. */
  rssAfterPageMb: number | null;
}
export interface ColdStartBenchResult {
  rounds: number;
  bare: ColdStartFigure;
  npmStartFresh: ColdStartFigure;
  npmStartSeeded: ColdStartFigure;
  nodeServeFresh: ColdStartFigure;
  nodeServeSeeded: ColdStartFigure;
  /** npm start with TOKENTRAIL_FROM_SOURCE=1: the sources through tsx instead of dist/. */
  tsxFresh: ColdStartFigure;
  tsxSeeded: ColdStartFigure;
  /** p50 of npm start, seeded, ÷ p50 of the bare server (how many bare starts one start costs). */
  seededToBare: number;
  loadAverage: string;
}

export async function runColdStartBench(): Promise<ColdStartBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tokentrail-coldstart-'));
  const repo = join(dir, 'repo');
  try {
    freshCopy(repo);
    const db = join(repo, 'data', 'tokentrail.db');
    const unseed = () => {
      for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
    };
    const variants = {
      bare: { cmd: ['node', 'bench-bare.mjs'], marker: 'bench-bare.mjs', fresh: false },
      npmStartFresh: { cmd: ['npm', 'start', '--', '--role', 'api'], marker: 'tokentrail.js', fresh: true },
      npmStartSeeded: { cmd: ['npm', 'start', '--', '--role', 'api'], marker: 'tokentrail.js', fresh: false },
      nodeServeFresh: { cmd: ['node', 'bin/tokentrail.js', 'serve', '--role', 'api'], marker: 'tokentrail.js', fresh: true },
      nodeServeSeeded: { cmd: ['node', 'bin/tokentrail.js', 'serve', '--role', 'api'], marker: 'tokentrail.js', fresh: false },
      // The same through tsx (as every start was before dist/ was used from a checkout).
      tsxFresh: { cmd: ['npm', 'start', '--', '--role', 'api'], marker: 'tokentrail.js', fresh: true, env: { TOKENTRAIL_FROM_SOURCE: '1' } },
      tsxSeeded: { cmd: ['npm', 'start', '--', '--role', 'api'], marker: 'tokentrail.js', fresh: false, env: { TOKENTRAIL_FROM_SOURCE: '1' } },
    } as Record<string, { cmd: string[]; marker: string; fresh: boolean; env?: Record<string, string> }>;
    const runs: Record<string, Array<{ ms: number; rssMb: number; rssAfterPageMb: number | null }>> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, v] of Object.entries(variants)) {
        if (v.fresh) unseed();
        const run = await coldStart(repo, v.cmd, v.marker, name !== 'bare', v.env);
        process.stderr.write(`coldstart round ${r + 1} ${name}: ${JSON.stringify(run)}\n`);
        (runs[name] ??= []).push(run);
      }
    }
    const fig = (name: string): ColdStartFigure => {
      const xs = runs[name];
      const page = xs.map((x) => x.rssAfterPageMb).filter((x): x is number => x !== null);
      return {
        p50Ms: median(xs.map((x) => x.ms)),
        minMs: Math.min(...xs.map((x) => x.ms)),
        maxMs: Math.max(...xs.map((x) => x.ms)),
        rssMb: median(xs.map((x) => x.rssMb)),
        rssAfterPageMb: page.length ? median(page) : null,
      };
    };
    const out = {
      rounds: ROUNDS,
      bare: fig('bare'),
      npmStartFresh: fig('npmStartFresh'),
      npmStartSeeded: fig('npmStartSeeded'),
      nodeServeFresh: fig('nodeServeFresh'),
      nodeServeSeeded: fig('nodeServeSeeded'),
      tsxFresh: fig('tsxFresh'),
      tsxSeeded: fig('tsxSeeded'),
      seededToBare: 0,
      loadAverage: loadavg().map((l) => l.toFixed(2)).join(' '),
    };
    out.seededToBare = round(out.npmStartSeeded.p50Ms / out.bare.p50Ms, 2);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runColdStartBench(), null, 2));
}
