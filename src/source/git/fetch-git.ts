import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SourceError, SourceErrorCode } from '../errors.js';
import { redact } from '../http/http-request.js';
import { selectLatestVersion } from '../semver-range.js';
import { runGit } from './git-command.js';

/** `spec.ref` of a GitRepository; precedence high→low: commit, name, semver, tag, branch. */
export interface GitRef {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
}

/** Credentials of a GitRepository's `secretRef`. */
export interface GitAuth {
  /** HTTP(S) basic auth user (`username`). */
  username?: string;
  /** HTTP(S) basic auth password or token (`password`). */
  password?: string;
  /** HTTP(S) bearer token (`bearerToken`). */
  bearerToken?: string;
  /** PEM CA bundle for HTTPS (`ca.crt`). */
  caCert?: string;
  /** PEM or OpenSSH private key for SSH (`identity`). */
  identity?: string;
  /** `known_hosts` lines for SSH (`known_hosts`); required for SSH URLs. */
  knownHosts?: string;
}

/** Dependencies of {@link fetchGit}. */
export interface FetchGitDeps {
  /** Directory of bare mirrors, one per URL, reused across fetches. */
  cacheDir: string;
  /** The git binary; default `git` from PATH. */
  git?: string;
  logger?: Logger;
}

/** Options of {@link fetchGit}. */
export interface FetchGitOptions {
  /** `http://`, `https://` or `ssh://` repository URL. */
  url: string;
  ref?: GitRef;
  auth?: GitAuth;
  /** Check out submodules recursively; default false. */
  recurseSubmodules?: boolean;
  /** Where to check the tree out; must not exist or be empty. */
  outDir: string;
  /** Timeout of the whole fetch in milliseconds; default 60 000 (Flux's `spec.timeout`). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A git identity with its time. */
export interface GitSignature {
  name: string;
  email: string;
  /** RFC 3339. */
  when: string;
}

/** The checked-out commit. */
export interface GitCommitInfo {
  /** Full SHA-1. */
  hash: string;
  message: string;
  author: GitSignature;
  committer: GitSignature;
}

/** What {@link fetchGit} produced. */
export interface FetchGitResult {
  /** The checked-out tree (without `.git`, unless submodules were requested). */
  dir: string;
  /** Flux's revision: `main@sha1:<hex>`, `v1.0.0@sha1:<hex>`, `refs/pull/1/head@sha1:<hex>` or `sha1:<hex>`. */
  revision: string;
  /** The resolved reference (`refs/heads/main`, `refs/tags/v1.0.0`), absent for a bare commit. */
  refName?: string;
  commit: GitCommitInfo;
}

const locks = new Map<string, Promise<unknown>>();

/** Serialises work on one cache directory within this process. */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  locks.set(key, run);
  try {
    return await run;
  } finally {
    if (locks.get(key) === run) locks.delete(key);
  }
}

interface Target {
  /** The ref to fetch, when there is one. */
  refName?: string;
  /** The short name used in the revision (`main`, `v1.0.0`, `refs/pull/1/head`). */
  label?: string;
  commit: string;
}

/**
 * Fetches a Git repository with the git CLI and checks out the commit `ref` selects, as Flux's
 * GitRepository does. Credentials never appear in argv or URLs: HTTP auth goes through
 * `GIT_CONFIG_*` environment entries, SSH through a private key and `known_hosts` file with strict
 * host key checking. Each URL has a bare mirror under `deps.cacheDir`, fetched shallowly and reused,
 * so an unchanged commit costs one `ls-remote`. Failures are `SourceError`s with code
 * `AuthenticationFailed` or `GitOperationFailed`.
 */
export async function fetchGit(deps: FetchGitDeps, options: FetchGitOptions): Promise<FetchGitResult> {
  const url = options.url;
  const shown = redact(url);
  if (!/^(https?|ssh):\/\//.test(url)) {
    throw new SourceError(
      SourceErrorCode.GitOperationFailed,
      `Git URL '${shown}' must use http, https or ssh`,
    );
  }
  const git = deps.git ?? 'git';
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const secrets = await mkdtemp(join(tmpdir(), 'sluice-git-'));
  try {
    const env = await gitEnv(url, options.auth, secrets, options.timeoutMs ?? 60_000);
    const run = (args: string[], what: string, cwd?: string) =>
      runGit(git, args, { env, signal, url: shown, what, cwd });
    const target = await resolveRef(url, options.ref ?? {}, run);
    const cache = join(deps.cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 24)}.git`);
    await mkdir(deps.cacheDir, { recursive: true });
    return await withLock(cache, async () => {
      await ensureMirror(cache, run);
      await fetchCommit(cache, url, target, run, deps.logger);
      await prepareOutDir(options.outDir);
      if (options.recurseSubmodules) {
        await checkoutWithSubmodules(cache, url, target.commit, options.outDir, run);
      } else {
        const index = join(secrets, 'index');
        const treeEnv = { ...env, GIT_INDEX_FILE: index };
        const runTree = (args: string[], what: string) =>
          runGit(git, args, { env: treeEnv, signal, url: shown, what });
        await runTree(
          ['--git-dir', cache, '--work-tree', options.outDir, 'read-tree', target.commit],
          'checkout',
        );
        await runTree(
          ['--git-dir', cache, '--work-tree', options.outDir, 'checkout-index', '-a', '-f'],
          'checkout',
        );
      }
      const commit = await commitInfo(cache, target.commit, run);
      const revision = target.label ? `${target.label}@sha1:${commit.hash}` : `sha1:${commit.hash}`;
      deps.logger?.debug({ url: shown, revision }, 'fetched git revision');
      return {
        dir: options.outDir,
        revision,
        ...(target.refName ? { refName: target.refName } : {}),
        commit,
      };
    });
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}

async function gitEnv(
  url: string,
  auth: GitAuth | undefined,
  secrets: string,
  timeoutMs: number,
): Promise<NodeJS.ProcessEnv> {
  const config: [string, string][] = [['credential.helper', '']];
  if (auth?.bearerToken) config.push(['http.extraHeader', `Authorization: Bearer ${auth.bearerToken}`]);
  else if (auth?.username !== undefined || auth?.password !== undefined) {
    const basic = Buffer.from(`${auth.username ?? 'git'}:${auth.password ?? ''}`).toString('base64');
    config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
  }
  if (auth?.caCert) {
    const ca = join(secrets, 'ca.crt');
    await writeFile(ca, auth.caCert);
    config.push(['http.sslCAInfo', ca]);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: secrets,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  if (url.startsWith('ssh://')) {
    const knownHosts = join(secrets, 'known_hosts');
    await writeFile(knownHosts, auth?.knownHosts ?? '');
    const parts = [
      'ssh',
      '-F',
      '/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${shq(knownHosts)}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'PasswordAuthentication=no',
      '-o',
      `ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
    ];
    if (auth?.identity) {
      const key = join(secrets, 'identity');
      await writeFile(key, auth.identity.endsWith('\n') ? auth.identity : `${auth.identity}\n`);
      await chmod(key, 0o600);
      parts.push('-o', 'IdentitiesOnly=yes', '-i', shq(key));
    }
    env.GIT_SSH_COMMAND = parts.join(' ');
    env.GIT_SSH_VARIANT = 'ssh';
  }
  return env;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

type Run = (args: string[], what: string, cwd?: string) => Promise<{ stdout: string }>;

function parseLsRemote(out: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}

async function resolveRef(url: string, ref: GitRef, run: Run): Promise<Target> {
  const fail = (what: string) =>
    new SourceError(SourceErrorCode.GitOperationFailed, `Git ${what} not found in '${redact(url)}'`);
  if (ref.commit) {
    if (!/^[0-9a-f]{40}$/.test(ref.commit)) {
      throw new SourceError(
        SourceErrorCode.GitOperationFailed,
        `Git commit '${ref.commit}' is not a full SHA-1`,
      );
    }
    if (ref.branch) return { refName: `refs/heads/${ref.branch}`, label: ref.branch, commit: ref.commit };
    // Checks that the remote is reachable and the credentials work before fetching by hash.
    await run(['ls-remote', '--', url, 'HEAD'], 'ls-remote');
    return { commit: ref.commit };
  }
  if (ref.name) {
    const refs = parseLsRemote((await run(['ls-remote', '--', url, ref.name], 'ls-remote')).stdout);
    const sha = refs.get(`${ref.name}^{}`) ?? refs.get(ref.name);
    if (!sha) throw fail(`reference '${ref.name}'`);
    return { refName: ref.name, label: ref.name, commit: sha };
  }
  if (ref.semver) {
    const refs = parseLsRemote((await run(['ls-remote', '--tags', '--', url], 'ls-remote')).stdout);
    const tags = new Map<string, string>();
    for (const [name, sha] of refs) {
      if (!name.startsWith('refs/tags/')) continue;
      const tag = name.slice('refs/tags/'.length);
      if (tag.endsWith('^{}')) tags.set(tag.slice(0, -3), sha);
      else if (!tags.has(tag)) tags.set(tag, sha);
    }
    let chosen: string | undefined;
    try {
      chosen = selectLatestVersion(tags.keys(), ref.semver);
    } catch (err) {
      throw new SourceError(SourceErrorCode.GitOperationFailed, `Invalid semver range '${ref.semver}'`, {
        cause: err,
      });
    }
    if (!chosen) throw fail(`tag matching semver '${ref.semver}'`);
    return { refName: `refs/tags/${chosen}`, label: chosen, commit: tags.get(chosen)! };
  }
  if (ref.tag) {
    const name = `refs/tags/${ref.tag}`;
    const refs = parseLsRemote((await run(['ls-remote', '--', url, name, `${name}^{}`], 'ls-remote')).stdout);
    const sha = refs.get(`${name}^{}`) ?? refs.get(name);
    if (!sha) throw fail(`tag '${ref.tag}'`);
    return { refName: name, label: ref.tag, commit: sha };
  }
  const branch = ref.branch ?? 'master';
  const name = `refs/heads/${branch}`;
  const sha = parseLsRemote((await run(['ls-remote', '--', url, name], 'ls-remote')).stdout).get(name);
  if (!sha) throw fail(`branch '${branch}'`);
  return { refName: name, label: branch, commit: sha };
}

async function ensureMirror(cache: string, run: Run): Promise<void> {
  const exists = await stat(join(cache, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (!exists) await run(['init', '--bare', '-q', cache], 'init');
}

async function hasCommit(cache: string, sha: string, run: Run): Promise<boolean> {
  try {
    await run(['--git-dir', cache, 'cat-file', '-e', `${sha}^{commit}`], 'cat-file');
    return true;
  } catch {
    return false;
  }
}

async function fetchCommit(
  cache: string,
  url: string,
  target: Target,
  run: Run,
  logger?: Logger,
): Promise<void> {
  const pin = () =>
    run(['--git-dir', cache, 'update-ref', `refs/sluice/${target.commit}`, target.commit], 'update-ref');
  if (await hasCommit(cache, target.commit, run)) {
    logger?.debug({ commit: target.commit }, 'commit already in the git cache');
    await pin();
    return;
  }
  const base = ['--git-dir', cache, 'fetch', '-q', '--no-tags', '--no-write-fetch-head'];
  if (target.refName) {
    await run([...base, '--depth', '1', '--', url, `+${target.refName}:refs/sluice/tip`], 'fetch');
  } else {
    try {
      await run(
        [...base, '--depth', '1', '--', url, `+${target.commit}:refs/sluice/${target.commit}`],
        'fetch',
      );
    } catch (err) {
      // Servers may refuse a want for an unadvertised commit: fall back to full history below.
      if ((err as SourceError).code === SourceErrorCode.AuthenticationFailed) throw err;
    }
  }
  if (!(await hasCommit(cache, target.commit, run))) {
    // A pinned commit older than the branch tip, or a bare commit: fetch the whole history.
    const shallow = await stat(join(cache, 'shallow')).then(
      () => true,
      () => false,
    );
    await run(
      [...base, ...(shallow ? ['--unshallow'] : []), '--', url, '+refs/heads/*:refs/sluice/heads/*'],
      'fetch',
    );
    if (!(await hasCommit(cache, target.commit, run))) {
      throw new SourceError(
        SourceErrorCode.GitOperationFailed,
        `Git commit '${target.commit}' not found in '${redact(url)}'`,
      );
    }
  }
  await pin();
}

async function prepareOutDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new SourceError(SourceErrorCode.GitOperationFailed, `Checkout directory '${dir}' is not empty`);
  }
}

async function checkoutWithSubmodules(
  cache: string,
  url: string,
  sha: string,
  dir: string,
  run: Run,
): Promise<void> {
  await run(['init', '-q', dir], 'checkout');
  await run(['-C', dir, 'fetch', '-q', '--no-tags', '--', cache, `refs/sluice/${sha}`], 'checkout');
  await run(['-C', dir, 'checkout', '-q', '--detach', sha], 'checkout');
  await run(['-C', dir, 'remote', 'add', 'origin', url], 'checkout');
  await run(
    ['-C', dir, 'submodule', 'update', '-q', '--init', '--recursive', '--depth', '1'],
    'submodule update',
  );
}

async function commitInfo(cache: string, sha: string, run: Run): Promise<GitCommitInfo> {
  const { stdout } = await run(
    ['--git-dir', cache, 'show', '-s', '--format=%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B', sha],
    'show',
  );
  const [hash, an, ae, ad, cn, ce, cd, ...msg] = stdout.split('\0');
  return {
    hash: hash!,
    message: msg.join('\0').replace(/\n+$/, ''),
    author: { name: an!, email: ae!, when: ad! },
    committer: { name: cn!, email: ce!, when: cd! },
  };
}
