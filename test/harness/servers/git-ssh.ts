import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './free-port.js';
import { createFixtureRepo, type GitFixtureRepo } from './git-http.js';

const exec = promisify(execFile);

/** A running OpenSSH server that serves git repositories to one authorized key. */
export interface GitSshServer {
  port: number;
  /** The private key (OpenSSH format) the server accepts. */
  identity: string;
  /** A `known_hosts` line for the server's host key. */
  knownHosts: string;
  /** A `known_hosts` line with a different key for the same host (to test rejection). */
  wrongKnownHosts: string;
  /** Creates a bare repository reachable at `ssh://<user>@127.0.0.1:<port><root>/<name>.git`. */
  createRepo(name: string): Promise<GitFixtureRepo>;
  close(): Promise<void>;
}

async function keygen(path: string): Promise<{ priv: string; pub: string }> {
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sluice-test', '-f', path]);
  return { priv: await readFile(path, 'utf8'), pub: (await readFile(`${path}.pub`, 'utf8')).trim() };
}

/**
 * Starts Debian's `sshd` in the foreground (`sshd -D -f <config>`) on a random loopback port with a
 * fresh host key and one authorized client key, logging in as the current user. Needs the
 * `openssh-server` package.
 */
export async function startGitSshServer(): Promise<GitSshServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-git-ssh-'));
  const repos = join(dir, 'repos');
  await mkdir(repos);
  await mkdir('/run/sshd', { recursive: true }).catch(() => undefined);
  const host = await keygen(join(dir, 'host_key'));
  const other = await keygen(join(dir, 'other_host_key'));
  const client = await keygen(join(dir, 'client_key'));
  await writeFile(join(dir, 'authorized_keys'), `${client.pub}\n`);
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'LogLevel ERROR',
    'MaxStartups 50',
    '',
  ].join('\n');
  await writeFile(join(dir, 'sshd_config'), config);
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  sshd.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  sshd.on('exit', () => {
    exited = true;
  });
  try {
    await waitForPort(port, 15_000, () => !exited);
  } catch (err) {
    sshd.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`sshd did not start: ${stderr}`, { cause: err });
  }
  const user = userInfo().username;
  const keyLine = (pub: string) => `[127.0.0.1]:${port} ${pub.split(' ').slice(0, 2).join(' ')}`;
  return {
    port,
    identity: client.priv,
    knownHosts: keyLine(host.pub),
    wrongKnownHosts: keyLine(other.pub),
    createRepo: (name) =>
      createFixtureRepo(repos, name, `ssh://${user}@127.0.0.1:${port}${repos}/${name}.git`),
    close: async () => {
      if (!exited) {
        const gone = new Promise((ok) => sshd.once('exit', ok));
        sshd.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
