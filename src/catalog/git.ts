// Reading a catalog's git history (I/O at the edge): commits that touched given paths, and the
// files under a path at one commit. Uses the `git` binary on a bare or normal git directory.
import { execFileSync, spawnSync } from 'node:child_process';
import { posix } from 'node:path';
import { DataError } from '../errors.ts';

const MAX = 1024 * 1024 * 1024;

function git(gitDir: string, args: string[], input?: string): Buffer {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: MAX });
  if (r.status !== 0) throw new DataError(`git ${args[0]} failed in ${gitDir}: ${r.stderr?.toString().trim().split('\n')[0] ?? r.error?.message}`);
  return r.stdout;
}

export interface CommitInfo {
  sha: string;
  /** Committer time, ms: when the change became public in the catalog. */
  at: number;
}

/** Commits touching `paths`, oldest first (first-parent, so merged branches count at their merge). */
export function commitsTouching(gitDir: string, paths: string[], rev = 'HEAD'): CommitInfo[] {
  const out = git(gitDir, ['log', '--first-parent', '--format=%H %ct', rev, '--', ...paths]).toString('utf8').trim();
  if (!out) return [];
  return out
    .split('\n')
    .map((l) => {
      const [sha, ct] = l.split(' ');
      return { sha, at: Number(ct) * 1000 };
    })
    .reverse();
}

export function showFile(gitDir: string, commit: string, path: string): string | null {
  const r = spawnSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { maxBuffer: MAX });
  return r.status === 0 ? r.stdout.toString('utf8') : null;
}

/** Every file under `dir` at `commit` (symlinks followed within the tree), path → text. */
export function treeFiles(gitDir: string, commit: string, dir: string, filter: (path: string) => boolean = () => true): Map<string, string> {
  const listing = git(gitDir, ['ls-tree', '-r', '-z', commit, '--', dir]).toString('utf8');
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [meta, path] = l.split('\t');
      const [mode, , sha] = meta.split(' ');
      return { mode, sha, path };
    });
  const bySha = new Map<string, string>();
  const shas = [...new Set(entries.map((e) => e.sha))];
  const batch = git(gitDir, ['cat-file', '--batch'], shas.join('\n') + '\n');
  let off = 0;
  while (off < batch.length) {
    const nl = batch.indexOf(10, off);
    const header = batch.subarray(off, nl).toString('utf8');
    const [sha, type, size] = header.split(' ');
    if (type === 'missing') throw new DataError(`git object ${sha} missing in ${gitDir}`);
    const n = Number(size);
    bySha.set(sha, batch.subarray(nl + 1, nl + 1 + n).toString('utf8'));
    off = nl + 1 + n + 1;
  }
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const out = new Map<string, string>();
  for (const e of entries) {
    let cur = e;
    for (let hops = 0; cur && cur.mode === '120000' && hops < 8; hops++) cur = byPath.get(posix.normalize(posix.join(posix.dirname(cur.path), bySha.get(cur.sha)!)))!;
    if (!cur || cur.mode === '120000') continue; // a link out of the tree
    if (filter(e.path)) out.set(e.path, bySha.get(cur.sha)!);
  }
  return out;
}

export function headCommit(gitDir: string, rev = 'HEAD'): CommitInfo {
  const [sha, ct] = execFileSync('git', ['--git-dir', gitDir, 'log', '-1', '--format=%H %ct', rev], { encoding: 'utf8' }).trim().split(' ');
  return { sha, at: Number(ct) * 1000 };
}
