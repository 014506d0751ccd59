import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactStore,
  extractTarball,
  type FetchGitOptions,
  fetchGit,
  SourceError,
  SourceIgnore,
} from '../../src/source/index.js';
import { freePort } from '../harness/servers/free-port.js';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import { type GitSshServer, startGitSshServer } from '../harness/servers/git-ssh.js';
import { makeTlsCertificates } from '../harness/servers/helm-fixtures.js';

let tmp: string;
let n = 0;
const out = () => join(tmp, `out-${n++}`);
const auth = { username: 'flux', password: 's3cret' };

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-git-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('fetchGit over smart HTTP with basic auth', () => {
  let server: GitHttpServer;
  let repo: GitFixtureRepo;
  let first: string;
  let deps: { cacheDir: string };
  const fetch = (opts: Partial<FetchGitOptions>) =>
    fetchGit(deps, { url: repo.url, auth, outDir: out(), timeoutMs: 20_000, ...opts });

  beforeAll(async () => {
    server = await startGitHttpServer({ basicAuth: auth, bearerToken: 'tok3n' });
    repo = await server.createRepo('podinfo');
    deps = { cacheDir: join(tmp, 'cache') };
    first = await repo.commit(
      { 'deploy/app.yaml': 'kind: Deployment\n', '.sourceignore': '' },
      { message: 'Initial' },
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('checks out the default branch master with Flux’s revision and the commit metadata', async () => {
    const res = await fetch({});
    expect(res.revision).toBe(`master@sha1:${first}`);
    expect(res.refName).toBe('refs/heads/master');
    expect(res.commit).toMatchObject({
      hash: first,
      message: 'Initial',
      author: { name: 'Test Author', email: 'author@example.com' },
      committer: { name: 'Test Committer' },
    });
    expect(await readFile(join(res.dir, 'deploy/app.yaml'), 'utf8')).toBe('kind: Deployment\n');
    await expect(stat(join(res.dir, '.git'))).rejects.toThrow();
  });

  it('sees a new commit as a new revision and reuses the cache when nothing changed', async () => {
    const second = await repo.commit(
      { 'deploy/app.yaml': 'kind: Deployment\nreplicas: 2\n' },
      { message: 'Scale' },
    );
    const res = await fetch({ ref: { branch: 'master' } });
    expect(res.revision).toBe(`master@sha1:${second}`);
    expect(await readFile(join(res.dir, 'deploy/app.yaml'), 'utf8')).toContain('replicas: 2');
    const packs = () =>
      server.requests.filter((r) => r.path.endsWith('/git-upload-pack') && r.authorized).length;
    const before = packs();
    const again = await fetch({ ref: { branch: 'master' } });
    expect(again.revision).toBe(res.revision);
    // Only the ls-remote round trip: no pack was downloaded.
    expect(packs() - before).toBe(1);
  });

  it('resolves annotated tags to their commit', async () => {
    const tagged = await repo.tag('v1.0.0');
    const res = await fetch({ ref: { tag: 'v1.0.0' } });
    expect(res.revision).toBe(`v1.0.0@sha1:${tagged}`);
  });

  it('picks the highest tag matching a semver range and moves when a new one appears', async () => {
    await repo.commit({ 'v.txt': '1.1' });
    const c11 = await repo.tag('v1.1.0', { lightweight: true });
    await repo.commit({ 'v.txt': '2.0' });
    await repo.tag('v2.0.0');
    const res = await fetch({ ref: { semver: '>= 1.0.0, < 2.0.0' } });
    expect(res.revision).toBe(`v1.1.0@sha1:${c11}`);
    await repo.commit({ 'v.txt': '1.2' });
    const c12 = await repo.tag('v1.2.0');
    expect((await fetch({ ref: { semver: '1.x' } })).revision).toBe(`v1.2.0@sha1:${c12}`);
  });

  it('fetches a full reference name such as a pull request head', async () => {
    const pr = await repo.commit({ 'pr.txt': 'change' }, { branch: 'feature' });
    await repo.updateRef('refs/pull/1/head', pr);
    const res = await fetch({ ref: { name: 'refs/pull/1/head' } });
    expect(res.revision).toBe(`refs/pull/1/head@sha1:${pr}`);
    expect(await readFile(join(res.dir, 'pr.txt'), 'utf8')).toBe('change');
  });

  it('gives a commit precedence over tag and branch, and reports sha1:<hex> for a bare commit', async () => {
    const res = await fetchGit(
      { cacheDir: join(tmp, 'cache-commit') },
      { url: repo.url, auth, outDir: out(), ref: { commit: first } },
    );
    expect(res.revision).toBe(`sha1:${first}`);
    const pinned = await fetch({ ref: { commit: first, branch: 'master', tag: 'v1.0.0', semver: '*' } });
    expect(pinned.revision).toBe(`master@sha1:${first}`);
    expect(await readFile(join(pinned.dir, 'deploy/app.yaml'), 'utf8')).toBe('kind: Deployment\n');
  });

  it('accepts a bearer token', async () => {
    const res = await fetch({ auth: { bearerToken: 'tok3n' } });
    expect(res.revision).toMatch(/^master@sha1:[0-9a-f]{40}$/);
  });

  it('reports AuthenticationFailed for a wrong password and for missing credentials', async () => {
    const wrong = await failure(fetch({ auth: { username: 'flux', password: 'nope' } }));
    expect(wrong.code).toBe('AuthenticationFailed');
    expect(wrong.message).toContain(repo.url);
    const none = await failure(fetch({ auth: undefined }));
    expect(none.code).toBe('AuthenticationFailed');
  });

  it('reports GitOperationFailed for a missing branch', async () => {
    const err = await failure(fetch({ ref: { branch: 'nope' } }));
    expect(err.code).toBe('GitOperationFailed');
    expect(err.message).toBe(`Git branch 'nope' not found in '${repo.url}'`);
  });

  it('reports GitOperationFailed for an unreachable server', async () => {
    const port = await freePort();
    const err = await failure(fetch({ url: `http://127.0.0.1:${port}/x.git` }));
    expect(err.code).toBe('GitOperationFailed');
    expect(err.message).toMatch(/Could not connect|Failed to connect|Connection refused/i);
  });

  it('archives a checkout as a GitRepository artifact named after the commit, without default exclusions', async () => {
    const head = await repo.commit({ '.github/workflows/ci.yaml': 'on: push\n', 'logo.png': 'png' });
    const res = await fetch({});
    const store = new ArtifactStore(
      {},
      { root: join(tmp, 'store'), baseUrl: 'http://source-controller.flux-system' },
    );
    const artifact = await store.archive(
      { kind: 'GitRepository', namespace: 'flux-system', name: 'podinfo' },
      res.dir,
      {
        revision: res.revision,
        filter: (await SourceIgnore.load(res.dir)).toFilter(),
      },
    );
    expect(artifact.path).toBe(`gitrepository/flux-system/podinfo/${head}.tar.gz`);
    expect(artifact.revision).toBe(`master@sha1:${head}`);
    const unpacked = join(tmp, 'unpacked');
    await extractTarball(store.localPath(artifact.path), unpacked);
    await expect(stat(join(unpacked, '.github'))).rejects.toThrow();
    await expect(stat(join(unpacked, 'logo.png'))).rejects.toThrow();
    expect(await readFile(join(unpacked, 'deploy/app.yaml'), 'utf8')).toContain('replicas: 2');
  });

  it('honours an abort signal', async () => {
    const err = await failure(fetch({ signal: AbortSignal.abort() }));
    expect(err.code).toBe('Canceled');
  });

  it('checks out submodules recursively when asked', async () => {
    const lib = await server.createRepo('lib');
    await lib.commit({ 'lib.yaml': 'lib: true\n' });
    const app = await server.createRepo('app');
    await app.commit({ 'app.yaml': 'app: true\n' });
    await app.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.path, 'lib');
    await app.git('config', '-f', '.gitmodules', 'submodule.lib.url', lib.url);
    const head = await app.commit({}, { message: 'Add lib' });
    const res = await fetch({ url: app.url, recurseSubmodules: true });
    expect(res.revision).toBe(`master@sha1:${head}`);
    expect(await readFile(join(res.dir, 'lib/lib.yaml'), 'utf8')).toBe('lib: true\n');
    const plain = await fetch({ url: app.url });
    await expect(stat(join(plain.dir, 'lib/lib.yaml'))).rejects.toThrow();
  });
});

describe('fetchGit over HTTPS with a custom CA', () => {
  let server: GitHttpServer;
  let repo: GitFixtureRepo;
  let head: string;
  let ca: string;

  beforeAll(async () => {
    const tls = await makeTlsCertificates();
    ca = tls.ca;
    server = await startGitHttpServer({ tls: { cert: tls.cert, key: tls.key }, basicAuth: auth });
    repo = await server.createRepo('secure');
    head = await repo.commit({ 'a.yaml': 'a: 1\n' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('trusts the server with ca.crt and refuses it without', async () => {
    const deps = { cacheDir: join(tmp, 'tls-cache') };
    const res = await fetchGit(deps, { url: repo.url, auth: { ...auth, caCert: ca }, outDir: out() });
    expect(res.revision).toBe(`master@sha1:${head}`);
    const err = await failure(fetchGit(deps, { url: repo.url, auth, outDir: out() }));
    expect(err.code).toBe('GitOperationFailed');
    expect(err.message).toMatch(/certificate/i);
  });

  it('never puts credentials on the git command line', async () => {
    const log = join(tmp, 'argv.log');
    const wrapper = join(tmp, 'git-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec git "$@"\n`);
    await chmod(wrapper, 0o755);
    await fetchGit(
      { cacheDir: join(tmp, 'argv-cache'), git: wrapper },
      { url: repo.url, auth: { ...auth, caCert: ca }, outDir: out() },
    );
    const argv = await readFile(log, 'utf8');
    expect(argv).toContain('ls-remote');
    expect(argv).not.toContain(auth.password);
    expect(argv).not.toContain(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
  });
});

describe('fetchGit over SSH', () => {
  let server: GitSshServer;
  let repo: GitFixtureRepo;
  let head: string;

  beforeAll(async () => {
    server = await startGitSshServer();
    repo = await server.createRepo('infra');
    head = await repo.commit({ 'a.yaml': 'a: 1\n' }, { branch: 'main' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fetches with an identity and known_hosts', async () => {
    const res = await fetchGit(
      { cacheDir: join(tmp, 'ssh-cache') },
      {
        url: repo.url,
        ref: { branch: 'main' },
        auth: { identity: server.identity, knownHosts: server.knownHosts },
        outDir: out(),
      },
    );
    expect(res.revision).toBe(`main@sha1:${head}`);
    expect(await readFile(join(res.dir, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('rejects an unknown host key', async () => {
    const err = await failure(
      fetchGit(
        { cacheDir: join(tmp, 'ssh-cache') },
        {
          url: repo.url,
          ref: { branch: 'main' },
          auth: { identity: server.identity, knownHosts: server.wrongKnownHosts },
          outDir: out(),
        },
      ),
    );
    expect(err.code).toBe('GitOperationFailed');
    expect(err.message).toMatch(/Host key verification failed/);
  });

  it('reports AuthenticationFailed for a key the server does not know', async () => {
    const other = await mkdtemp(join(tmpdir(), 'sluice-key-'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(other, 'k')]);
    const identity = await readFile(join(other, 'k'), 'utf8');
    await rm(other, { recursive: true, force: true });
    const err = await failure(
      fetchGit(
        { cacheDir: join(tmp, 'ssh-cache') },
        {
          url: repo.url,
          ref: { branch: 'main' },
          auth: { identity, knownHosts: server.knownHosts },
          outDir: out(),
        },
      ),
    );
    expect(err.code).toBe('AuthenticationFailed');
  });
});
