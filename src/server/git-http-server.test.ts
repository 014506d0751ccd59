import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.js';
import { headOf, prepareSeededRepository } from './local-repository.js';

const exec = promisify(execFile);
const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

async function git(cwd: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return exec('git', args, { cwd, env: ENV }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stderr?: string }) => ({ code: e.code ?? 1, out: e.stderr ?? '' }),
  );
}

describe('startGitHttpServer', () => {
  let dir: string;
  let server: GitHttpServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-git-server-'));
    const seed = join(dir, 'seed');
    await exec('mkdir', ['-p', join(seed, 'apps')]);
    await writeFile(join(seed, 'apps', 'app.yaml'), 'kind: ConfigMap\n');
    const repo = await prepareSeededRepository({
      seedDir: seed,
      gitDir: join(dir, 'repos', 'fleet.git'),
      workTree: join(dir, 'fleet'),
    });
    await exec('mkdir', ['-p', join(dir, 'charts')]);
    await writeFile(join(dir, 'charts', 'index.yaml'), 'apiVersion: v1\nentries: {}\n');
    server = await startGitHttpServer(
      {},
      { repositories: { fleet: repo.gitDir }, directories: { charts: join(dir, 'charts') } },
    );
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a clone of a repository kept on disk', async () => {
    const clone = join(dir, 'clone');
    expect((await git(dir, 'clone', '-q', server.urlOf('fleet'), clone)).code).toBe(0);
    expect(await readFile(join(clone, 'apps', 'app.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('serves the files of a folder next to the repositories, and nothing outside it', async () => {
    const index = await fetch(`${server.urlOfDirectory('charts')}index.yaml`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('application/x-yaml');
    expect(await index.text()).toBe('apiVersion: v1\nentries: {}\n');
    expect((await fetch(`${server.url}/charts/missing.tgz`)).status).toBe(404);
    expect((await fetch(`${server.url}/charts/..%2Fseed%2Fapps%2Fapp.yaml`)).status).toBe(404);
    expect((await fetch(`${server.url}/charts/.hidden`)).status).toBe(404);
    expect((await fetch(`${server.url}/charts/index.yaml`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses pushes and unknown repositories', async () => {
    const clone = join(dir, 'clone');
    await git(clone, '-c', 'user.name=a', '-c', 'user.email=a@b', 'commit', '-q', '--allow-empty', '-m', 'x');
    const push = await git(clone, 'push', '-q', 'origin', 'HEAD:main');
    expect(push.code).not.toBe(0);
    expect((await git(dir, 'ls-remote', server.urlOf('other'))).code).not.toBe(0);
  });

  it('pushes each commit of the working clone to the served repository', async () => {
    const work = join(dir, 'fleet');
    await writeFile(join(work, 'apps', 'app.yaml'), 'kind: Secret\n');
    await git(work, 'commit', '-q', '-am', 'Change the app');
    const head = (await git(work, 'rev-parse', 'HEAD')).out.trim();
    expect(await headOf({ gitDir: join(dir, 'repos', 'fleet.git'), branch: 'main', created: false })).toBe(
      head,
    );
    expect((await git(dir, 'ls-remote', server.urlOf('fleet'), 'refs/heads/main')).out).toContain(head);
  });
});
