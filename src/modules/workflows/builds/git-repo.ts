// The installation's build repository (issue 15): one bare git repository, a branch per workspace
// (`tenant/<id-based name>`), commits made with git's plumbing (no work tree, a temporary index per
// commit: builds of different workspaces run at once without sharing anything but the object
// store, which git writes safely), tags `bld/<slug>/<timestamp>-<target>`. The system `git`
// through execFile, never a shell (ADR 0021: measured against isomorphic-git).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

const ZERO = '0000000000000000000000000000000000000000';

export type GitAuthor = { name: string; email: string; date: Date };

export class GitError extends Error {}

function run(dir: string, args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['-C', dir, ...args], {
      timeout: options.timeoutMs ?? 120_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LANG: 'C', ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      if (err) reject(new GitError(`git ${args.find((a) => !a.startsWith('-')) ?? ''}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export function createGitRepo(dir: string) {
  let ready: Promise<void> | undefined;
  const init = () => (ready ??= (async () => {
    if (!existsSync(path.join(dir, 'HEAD'))) {
      mkdirSync(dir, { recursive: true });
      // Two processes may start at once: the second's init may fail on the first's lock, which is fine.
      await run(dir, ['init', '--bare', '--quiet', '--initial-branch=main']).catch((err: unknown) => {
        if (!existsSync(path.join(dir, 'HEAD'))) throw err;
      });
      // gc is the weekly job's (nothing runs it inside a build); main stays empty: nothing is committed there.
      await run(dir, ['config', 'gc.auto', '0']);
    }
  })());
  const git = async (args: string[], options?: Parameters<typeof run>[2]) => {
    await init();
    return run(dir, args, options);
  };

  async function head(branch: string): Promise<string | null> {
    const out = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]).catch(() => '');
    return out.trim() || null;
  }

  return {
    dir,
    init,
    head,
    /** A branch, made empty-handed on first use (the provisioning step): no commit until the first build. */
    async hasBranch(branch: string): Promise<boolean> {
      return (await head(branch)) !== null;
    },
    /**
     * Commits `files` (path → text) over the branch's tree and moves the branch, only if it still
     * points where it did (another commit meanwhile: GitError, the build is retried).
     */
    async commit(branch: string, files: Record<string, string>, message: string, author: GitAuthor): Promise<{ commit: string; parent: string | null; changed: boolean }> {
      // The branch's commit and tree in one call (none for a branch not made yet).
      const [parent = null, parentTree = null] = (await git(['rev-parse', `refs/heads/${branch}^{commit}`, `refs/heads/${branch}^{tree}`]).catch(() => '')).split('\n').filter(Boolean);
      const index = path.join(dir, `index-${randomUUID()}`);
      const env = { GIT_INDEX_FILE: index };
      // Every blob written by one process: the files go through a scratch folder (--stdin-paths).
      const scratch = mkdtempSync(path.join(dir, 'blobs-'));
      try {
        const names = Object.keys(files).sort((a, b) => a.localeCompare(b));
        const paths = names.map((_, i) => path.join(scratch, String(i)));
        names.forEach((name, i) => writeFileSync(paths[i], files[name]));
        const [shas] = await Promise.all([
          git(['hash-object', '-w', '--stdin-paths'], { input: `${paths.join('\n')}\n` }),
          git(parent ? ['read-tree', parent] : ['read-tree', '--empty'], { env }),
        ]);
        const entries = shas.trim().split('\n').map((sha, i) => `100644 ${sha}\t${names[i]}`);
        await git(['update-index', '--index-info'], { env, input: `${entries.join('\n')}\n` });
        const tree = (await git(['write-tree'], { env })).trim();
        if (tree === parentTree) return { commit: parent!, parent, changed: false };
        const when = `${Math.floor(author.date.getTime() / 1000)} +0000`;
        const commit = (await git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], {
          input: message,
          env: { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: when, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email, GIT_COMMITTER_DATE: when },
        })).trim();
        await git(['update-ref', `refs/heads/${branch}`, commit, parent ?? ZERO]);
        return { commit, parent, changed: true };
      } finally {
        rmSync(index, { force: true });
        rmSync(`${index}.lock`, { force: true });
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    async tag(name: string, commit: string): Promise<void> {
      await git(['update-ref', `refs/tags/${name}`, commit, ZERO]);
    },
    /** Files of a commit under a folder: path → text. */
    async read(commit: string, folder: string): Promise<Record<string, string>> {
      const list = (await git(['ls-tree', '-r', '--name-only', commit, '--', folder])).split('\n').filter(Boolean);
      const out: Record<string, string> = {};
      for (const file of list) out[file] = await git(['show', `${commit}:${file}`]);
      return out;
    },
    /** A unified diff between two commits, under a folder. */
    diff(from: string, to: string, folder: string): Promise<string> {
      return git(['diff', '--no-color', '--no-ext-diff', from, to, '--', folder]);
    },
    /** Tags under a prefix with their commit dates. */
    async tags(prefix: string): Promise<Array<{ name: string; commit: string; date: Date }>> {
      const out = await git(['for-each-ref', '--format=%(refname:strip=2) %(objectname) %(creatordate:unix)', `refs/tags/${prefix}`]);
      return out.split('\n').filter(Boolean).map((line) => {
        const [name, commit, unix] = line.split(' ');
        return { name, commit, date: new Date(Number(unix) * 1000) };
      });
    },
    async deleteTags(names: string[]): Promise<void> {
      if (names.length) await git(['update-ref', '--stdin'], { input: names.map((n) => `delete refs/tags/${n}\n`).join('') });
    },
    /** Pushes refs (their own names) to a remote, all or none; a minute at most. */
    async push(remote: string, refs: string[]): Promise<void> {
      await git(['push', '--quiet', '--atomic', '--', remote, ...refs.map((r) => `${r}:${r}`)], { timeoutMs: 60_000 });
    },
    async gc(): Promise<void> {
      await git(['gc', '--quiet', '--prune=now']);
    },
    async branches(prefix: string): Promise<string[]> {
      return (await git(['for-each-ref', '--format=%(refname:strip=2)', `refs/heads/${prefix}`])).split('\n').filter(Boolean);
    },
    async createBranch(branch: string): Promise<void> {
      // A branch needs a commit: an empty root commit, made once per workspace.
      if (await head(branch)) return;
      const tree = (await git(['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' })).trim();
      const commit = (await git(['commit-tree', tree, '-m', `Branch of ${branch}`], {
        env: { GIT_AUTHOR_NAME: 'Atrium', GIT_AUTHOR_EMAIL: 'builds@atrium.local', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_NAME: 'Atrium', GIT_COMMITTER_EMAIL: 'builds@atrium.local', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' },
      })).trim();
      await git(['update-ref', `refs/heads/${branch}`, commit, ZERO]).catch(async (err: unknown) => {
        if (!(await head(branch))) throw err; // made meanwhile by another process: fine
      });
    },
  };
}

export type GitRepo = ReturnType<typeof createGitRepo>;
