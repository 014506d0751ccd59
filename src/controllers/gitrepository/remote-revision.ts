import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GitAuth, type GitRef, selectLatestVersion } from '../../source/index.js';

/** Options of {@link remoteRevision}. */
export interface RemoteRevisionOptions {
  url: string;
  ref: GitRef;
  auth?: GitAuth;
  /** Parent of the temporary directory holding SSH keys. */
  tmpDir: string;
  timeoutMs: number;
  signal: AbortSignal;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function lsRemote(args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    execFile('git', ['ls-remote', ...args], { env, signal, killSignal: 'SIGKILL' }, (err, stdout) => {
      if (err) {
        reject(err);
        return;
      }
      const refs = new Map<string, string>();
      for (const line of stdout.split('\n')) {
        const [sha, ref] = line.split('\t');
        if (sha && ref) refs.set(ref, sha);
      }
      resolve(refs);
    });
  });
}

/**
 * Asks the remote which commit `ref` selects (one `git ls-remote`, no fetch) and returns Flux's revision
 * for it, or `undefined` when it cannot tell (any failure: the full fetch then reports the error with its
 * classification). Used to skip the fetch and checkout when the stored artifact is already at that
 * commit, as Flux does. A pinned `commit` needs no network at all.
 */
export async function remoteRevision(options: RemoteRevisionOptions): Promise<string | undefined> {
  const { ref, url, auth } = options;
  if (ref.commit) {
    if (!/^[0-9a-f]{40}$/.test(ref.commit)) return undefined;
    return ref.branch ? `${ref.branch}@sha1:${ref.commit}` : `sha1:${ref.commit}`;
  }
  const secrets = await mkdtemp(join(options.tmpDir, 'ls-remote-'));
  try {
    const config: [string, string][] = [['credential.helper', '']];
    if (auth?.bearerToken) config.push(['http.extraHeader', `Authorization: Bearer ${auth.bearerToken}`]);
    else if (auth?.username !== undefined || auth?.password !== undefined) {
      const basic = Buffer.from(`${auth.username ?? 'git'}:${auth.password ?? ''}`).toString('base64');
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
    }
    if (auth?.caCert) {
      await writeFile(join(secrets, 'ca.crt'), auth.caCert);
      config.push(['http.sslCAInfo', join(secrets, 'ca.crt')]);
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
        'ssh -F /dev/null -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes',
        `-o PasswordAuthentication=no -o UserKnownHostsFile=${shq(knownHosts)}`,
        `-o ConnectTimeout=${Math.max(1, Math.ceil(options.timeoutMs / 1000))}`,
      ];
      if (auth?.identity) {
        const key = join(secrets, 'identity');
        await writeFile(key, auth.identity.endsWith('\n') ? auth.identity : `${auth.identity}\n`);
        await chmod(key, 0o600);
        parts.push(`-o IdentitiesOnly=yes -i ${shq(key)}`);
      }
      env.GIT_SSH_COMMAND = parts.join(' ');
      env.GIT_SSH_VARIANT = 'ssh';
    }
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
    if (ref.name) {
      const refs = await lsRemote(['--', url, ref.name], env, signal);
      const sha = refs.get(`${ref.name}^{}`) ?? refs.get(ref.name);
      return sha ? `${ref.name}@sha1:${sha}` : undefined;
    }
    if (ref.semver) {
      const refs = await lsRemote(['--tags', '--', url], env, signal);
      const tags = new Map<string, string>();
      for (const [name, sha] of refs) {
        if (!name.startsWith('refs/tags/')) continue;
        const tag = name.slice('refs/tags/'.length);
        if (tag.endsWith('^{}')) tags.set(tag.slice(0, -3), sha);
        else if (!tags.has(tag)) tags.set(tag, sha);
      }
      const chosen = selectLatestVersion(tags.keys(), ref.semver);
      return chosen ? `${chosen}@sha1:${tags.get(chosen)}` : undefined;
    }
    if (ref.tag) {
      const name = `refs/tags/${ref.tag}`;
      const refs = await lsRemote(['--', url, name, `${name}^{}`], env, signal);
      const sha = refs.get(`${name}^{}`) ?? refs.get(name);
      return sha ? `${ref.tag}@sha1:${sha}` : undefined;
    }
    const branch = ref.branch ?? 'master';
    const sha = (await lsRemote(['--', url, `refs/heads/${branch}`], env, signal)).get(
      `refs/heads/${branch}`,
    );
    return sha ? `${branch}@sha1:${sha}` : undefined;
  } catch {
    return undefined;
  } finally {
    await rm(secrets, { recursive: true, force: true });
  }
}
