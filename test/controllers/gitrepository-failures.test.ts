import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixtureRepo, type GitHttpServer, startGitHttpServer } from '../harness/servers/git-http.js';
import {
  type ControllerEnv,
  conditionOf,
  download,
  eventually,
  type Source,
  sha256,
  startControllerEnv,
  waitForReady,
} from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };
const auth = { username: 'flux', password: 's3cret' };

/** A TCP forwarder on a fixed loopback port that can be taken down and brought back. */
interface Switch {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function tcpSwitch(targetPort: number): Promise<Switch> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      });
      server.listen(port, '127.0.0.1', () => {
        const addr = server?.address();
        port = typeof addr === 'object' && addr ? addr.port : port;
        resolve();
      });
    });
  const down = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  };
  await listen();
  return { port, down, up: listen, close: down };
}

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;
let proxy: Switch;

beforeAll(async () => {
  [env, server] = await Promise.all([
    startControllerEnv({ maxArtifactBytes: 1024 * 1024 }),
    startGitHttpServer({ basicAuth: auth }),
  ]);
  repo = await server.createRepo('app');
  await repo.commit({ 'app.yaml': 'kind: ConfigMap\n' }, { message: 'First' });
  proxy = await tcpSwitch(Number(new URL(server.url).port));
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'good', namespace: 'default' },
    stringData: auth,
  });
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bad', namespace: 'default' },
    stringData: { username: 'flux', password: 'wrong' },
  });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([env?.stop(), server?.close()]);
});

const ref = (name: string) => ({ ...GIT, namespace: 'default', name });

describe('GitRepository failures', () => {
  it('reports wrong credentials as AuthenticationFailed', async () => {
    await env.kube.create({
      ...GIT,
      metadata: { name: 'wrong-creds', namespace: 'default' },
      spec: { url: repo.url, interval: '1m', secretRef: { name: 'bad' } },
    });
    const obj = await waitForReady(env.kube, ref('wrong-creds'), 'False');
    expect(conditionOf(obj, 'Ready')?.reason).toBe('AuthenticationFailed');
    expect(conditionOf(obj, 'FetchFailed')).toMatchObject({ status: 'True', reason: 'AuthenticationFailed' });
    expect(conditionOf(obj, 'Reconciling')?.reason).toBe('ProgressingWithRetry');
    await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'wrong-creds' && e.reason === 'AuthenticationFailed'),
    );
  });

  it('reports a missing secret as AuthenticationFailed naming the secret', async () => {
    await env.kube.create({
      ...GIT,
      metadata: { name: 'no-secret', namespace: 'default' },
      spec: { url: repo.url, interval: '1m', secretRef: { name: 'absent' } },
    });
    const obj = await waitForReady(env.kube, ref('no-secret'), 'False');
    expect(conditionOf(obj, 'Ready')?.reason).toBe('AuthenticationFailed');
    expect(conditionOf(obj, 'Ready')?.message).toContain("'default/absent'");
  });

  it('reports a missing branch as GitOperationFailed', async () => {
    await env.kube.create({
      ...GIT,
      metadata: { name: 'no-branch', namespace: 'default' },
      spec: { url: repo.url, interval: '1m', secretRef: { name: 'good' }, ref: { branch: 'nope' } },
    });
    const obj = await waitForReady(env.kube, ref('no-branch'), 'False');
    expect(conditionOf(obj, 'Ready')?.reason).toBe('GitOperationFailed');
    expect(conditionOf(obj, 'Ready')?.message).toMatch(/nope/);
  });

  it('keeps serving the last artifact while the server is unreachable, and recovers when it returns', async () => {
    const url = repo.url.replace(/:\d+\//, `:${proxy.port}/`);
    await env.kube.create({
      ...GIT,
      metadata: { name: 'flaky', namespace: 'default' },
      spec: { url, interval: '1s', timeout: '5s', secretRef: { name: 'good' } },
    });
    const good = await waitForReady(env.kube, ref('flaky'), 'True');
    const artifact = good.status?.artifact;
    await proxy.down();
    const next = await repo.commit({ 'app.yaml': 'kind: Secret\n' }, { message: 'While down' });
    const failing = await waitForReady(env.kube, ref('flaky'), 'False');
    expect(conditionOf(failing, 'Ready')?.reason).toBe('GitOperationFailed');
    expect(conditionOf(failing, 'Ready')?.message).toMatch(/^failed to checkout and determine revision: /);
    expect(failing.status?.artifact).toEqual(artifact);
    expect(conditionOf(failing, 'ArtifactInStorage')?.status).toBe('True');
    expect(await sha256(await download(artifact?.url ?? ''))).toBe(artifact?.digest);
    await proxy.up();
    const back = await waitForReady(
      env.kube,
      ref('flaky'),
      'True',
      (o) => o.status?.artifact?.revision === `master@sha1:${next}`,
    );
    expect(conditionOf(back, 'FetchFailed')).toBeUndefined();
    expect(conditionOf(back, 'Reconciling')).toBeUndefined();
  });

  it('leaves symlinks out of the artifact so that they cannot point outside the tree', async () => {
    const evil = await server.createRepo('evil');
    await evil.commit({ 'ok.yaml': 'a: 1\n' });
    await evil.git('rm', '-q', 'ok.yaml');
    const { symlink } = await import('node:fs/promises');
    const work = (await evil.git('rev-parse', '--show-toplevel')).trim();
    await symlink('/etc/passwd', `${work}/passwd`);
    await symlink('../../..', `${work}/up`);
    await evil.commit({ 'kept.yaml': 'b: 2\n' }, { message: 'Links' });
    await env.kube.create({
      ...GIT,
      metadata: { name: 'evil', namespace: 'default' },
      spec: { url: evil.url, interval: '1m', secretRef: { name: 'good' } },
    });
    const obj = await waitForReady(env.kube, ref('evil'), 'True');
    const { extractTarball } = await import('../../src/source/index.js');
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-evil-'));
    await extractTarball(await download(obj.status?.artifact?.url ?? ''), dir);
    expect((await readdir(dir)).sort()).toEqual(['kept.yaml']);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a repository whose files exceed the artifact size limit', async () => {
    const big = await server.createRepo('big');
    await big.commit({ 'huge.bin.yaml': 'x'.repeat(2 * 1024 * 1024) }, { message: 'Huge' });
    await env.kube.create({
      ...GIT,
      metadata: { name: 'big', namespace: 'default' },
      spec: { url: big.url, interval: '1m', secretRef: { name: 'good' } },
    });
    const obj = await waitForReady(env.kube, ref('big'), 'False');
    expect(conditionOf(obj, 'StorageOperationFailed')).toMatchObject({
      status: 'True',
      reason: 'ArchiveOperationFailed',
    });
    expect(conditionOf(obj, 'Ready')?.message).toMatch(/more than the limit of 1048576 bytes/);
    expect(obj.status?.artifact).toBeUndefined();
  });

  it('stalls nothing it can retry: a fixed secret brings the object back to Ready', async () => {
    await env.kube.patch(ref('wrong-creds'), { spec: { secretRef: { name: 'good' } } });
    const obj = await waitForReady(env.kube, ref('wrong-creds'), 'True');
    expect(obj.status?.observedGeneration).toBe(obj.metadata.generation);
    expect(conditionOf(obj as Source, 'Stalled')).toBeUndefined();
  });
});
