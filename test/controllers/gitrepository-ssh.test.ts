import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitFixtureRepo } from '../harness/servers/git-http.js';
import { type GitSshServer, startGitSshServer } from '../harness/servers/git-ssh.js';
import { type ControllerEnv, conditionOf, eventually, startControllerEnv, waitForReady } from './support.js';

const GIT = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' };

let env: ControllerEnv;
let server: GitSshServer;
let repo: GitFixtureRepo;

beforeAll(async () => {
  [env, server] = await Promise.all([startControllerEnv(), startGitSshServer()]);
  repo = await server.createRepo('infra');
  await repo.commit({ 'clusters/prod/kustomization.yaml': 'resources: []\n' }, { message: 'Bootstrap' });
  for (const [name, knownHosts] of [
    ['ssh-good', server.knownHosts],
    ['ssh-wrong-host', server.wrongKnownHosts],
  ]) {
    await env.kube.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'default' },
      stringData: { identity: server.identity, known_hosts: knownHosts },
    });
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close()]);
});

describe('GitRepository over SSH', () => {
  it('fetches with the identity and known_hosts of the secret, and follows new commits', async () => {
    await env.kube.create({
      ...GIT,
      metadata: { name: 'infra', namespace: 'default' },
      spec: { url: repo.url, interval: '1s', secretRef: { name: 'ssh-good' } },
    });
    const ref = { ...GIT, namespace: 'default', name: 'infra' };
    const first = await waitForReady(env.kube, ref, 'True');
    const head = await repo.git('rev-parse', 'HEAD');
    expect(first.status?.artifact?.revision).toBe(`master@sha1:${head}`);
    const next = await repo.commit({ 'clusters/prod/app.yaml': 'kind: ConfigMap\n' }, { message: 'Add app' });
    const obj = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.artifact?.revision === `master@sha1:${next}`,
    );
    expect(conditionOf(obj, 'Ready')?.message).toBe(`stored artifact for revision 'master@sha1:${next}'`);
    await eventually(async () =>
      env.events.find(
        (e) => e.involvedObject.name === 'infra' && e.message === "stored artifact for commit 'Add app'",
      ),
    );
  });

  it('refuses a server whose host key is not in known_hosts', async () => {
    await env.kube.create({
      ...GIT,
      metadata: { name: 'infra-unknown-host', namespace: 'default' },
      spec: { url: repo.url, interval: '1m', secretRef: { name: 'ssh-wrong-host' } },
    });
    const obj = await waitForReady(
      env.kube,
      { ...GIT, namespace: 'default', name: 'infra-unknown-host' },
      'False',
    );
    const fetchFailed = conditionOf(obj, 'FetchFailed');
    expect(fetchFailed?.status).toBe('True');
    expect(fetchFailed?.reason).toMatch(/GitOperationFailed|AuthenticationFailed/);
    expect(fetchFailed?.message).toMatch(/^failed to checkout and determine revision: /);
    expect(conditionOf(obj, 'Ready')?.reason).toBe(fetchFailed?.reason);
    expect(obj.status?.artifact).toBeUndefined();
    await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'infra-unknown-host' && e.type === 'Warning'),
    );
  });
});
