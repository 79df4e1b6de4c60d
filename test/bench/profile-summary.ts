// Self time of a V8 CPU profile (`node --cpu-prof`, or app-server.ts's BENCH_PROFILE window),
// summed by module (an npm package, a file of ours, node's internals) and by function.
//   npx tsx test/bench/profile-summary.ts <file.cpuprofile> [top=25] [inclusive-only-modules-regex]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy time (idle excluded). */
  pct: number;
}
export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  modules: Share[];
  functions: Share[];
  /** Time with the function anywhere on the stack (a middleware's own work and what it calls). */
  inclusive: Share[];
}

/** Where a frame's code lives: `hono`, `@hono/node-server`, `api/cache.ts`, `node:internal`, `(gc)`… */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/deps\//, 'node:');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(api|src|app|scrapers|test|bin)\/(.*)$/.exec(url.replace(/^file:\/\//, ''));
  return m ? `${m[1]}/${m[2]}` : url;
}

export function summarise(p: Profile, top = 25, inclusiveOf: RegExp = /./): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const mods = new Map<string, number>();
  const fns = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    busy += ms;
    const mod = moduleOf(f.url, f.functionName);
    mods.set(mod, (mods.get(mod) ?? 0) + ms);
    const fn = `${f.functionName || '(anonymous)'} ${mod}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + ms);
  }
  const shares = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((ms / busy) * 1000) / 10 }));
  const incl = new Map<string, number>();
  for (const [id, ms] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      if (!f.url) continue;
      const mod = moduleOf(f.url, f.functionName);
      if (!inclusiveOf.test(mod)) continue;
      const fn = `${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
      if (!seen.has(fn)) incl.set(fn, (incl.get(fn) ?? 0) + ms);
      seen.add(fn);
    }
  }
  return { inclusive: shares(incl), wallMs: Math.round((p.endTime - p.startTime) / 1000), busyMs: Math.round(busy), idleMs: Math.round(idle), modules: shares(mods), functions: shares(fns) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = summarise(JSON.parse(readFileSync(process.argv[2], 'utf8')) as Profile, Number(process.argv[3] ?? 25), new RegExp(process.argv[4] ?? '.'));
  console.log(`wall ${s.wallMs} ms, busy ${s.busyMs} ms, idle ${s.idleMs} ms`);
  console.log('\nby module (self ms, % of busy)');
  for (const m of s.modules) console.log(`${String(m.ms).padStart(7)} ${String(m.pct).padStart(5)} %  ${m.name}`);
  console.log('\nby function');
  for (const f of s.functions) console.log(`${String(f.ms).padStart(7)} ${String(f.pct).padStart(5)} %  ${f.name}`);
  console.log('\nby function, inclusive');
  for (const f of s.inclusive) console.log(`${String(f.ms).padStart(7)} ${String(f.pct).padStart(5)} %  ${f.name}`);
}
