import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTarball } from '../../src/source/index.js';
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

let env: ControllerEnv;
let server: GitHttpServer;
let repo: GitFixtureRepo;
let tmp: string;

async function unpack(url: string): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'unpacked-'));
  await extractTarball(await download(url), dir);
  return dir;
}

async function files(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await files(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-gitrepo-http-'));
  [env, server] = await Promise.all([startControllerEnv(), startGitHttpServer({ basicAuth: auth })]);
  repo = await server.createRepo('podinfo');
  await repo.commit(
    {
      'deploy/app.yaml': 'kind: Deployment\n',
      'docs/logo.png': 'png',
      '.github/workflows/ci.yaml': 'on: push\n',
      'secret/notes.txt': 'x',
      '.sourceignore': 'secret/\n',
    },
    { message: 'Initial commit\n\nLonger body' },
  );
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'git-auth', namespace: 'default' },
    stringData: auth,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), server?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

describe('GitRepository over smart HTTP with basic auth', () => {
  it('stores an artifact with the revision, digest, conditions and event Flux writes', async () => {
    const head = await repo.git('rev-parse', 'HEAD');
    await env.kube.create({
      ...GIT,
      metadata: { name: 'podinfo', namespace: 'default' },
      spec: { url: repo.url, interval: '1s', ref: { branch: 'master' }, secretRef: { name: 'git-auth' } },
    });
    const obj = await waitForReady(env.kube, { ...GIT, namespace: 'default', name: 'podinfo' }, 'True');
    const artifact = obj.status?.artifact;
    expect(artifact?.revision).toBe(`master@sha1:${head}`);
    expect(artifact?.path).toMatch(/^gitrepository\/default\/podinfo\/[0-9a-f]+\.tar\.gz$/);
    expect(artifact?.url).toBe(`${env.controllers.storageUrl}/${artifact?.path}`);
    const bytes = await download(artifact?.url ?? '');
    expect(await sha256(bytes)).toBe(artifact?.digest);
    expect(artifact?.size).toBe(bytes.length);
    expect(obj.status?.observedGeneration).toBe(obj.metadata.generation);
    const ready = conditionOf(obj, 'Ready');
    expect(ready).toMatchObject({
      reason: 'Succeeded',
      message: `stored artifact for revision 'master@sha1:${head}'`,
    });
    expect(conditionOf(obj, 'ArtifactInStorage')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(conditionOf(obj, 'Reconciling')).toBeUndefined();
    expect(obj.metadata.finalizers).toContain('finalizers.fluxcd.io');
    const event = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'podinfo' && e.reason === 'NewArtifact'),
    );
    expect(event.message).toBe("stored artifact for commit 'Initial commit'");
    expect(event.metadata['source.toolkit.fluxcd.io/revision']).toBe(`master@sha1:${head}`);
    expect(event.reportingController).toBe('source-controller');
    // Default exclusions and the repository's .sourceignore apply.
    expect(await files(await unpack(artifact?.url ?? ''))).toEqual(['.sourceignore', 'deploy/app.yaml']);
  });

  it('picks up a new commit with a new artifact, and garbage-collects nothing it still serves', async () => {
    const ref = { ...GIT, namespace: 'default', name: 'podinfo' };
    const before = (await env.kube.get<Source>(ref)).status?.artifact;
    const next = await repo.commit(
      { 'deploy/app.yaml': 'kind: Deployment\nspec: {}\n' },
      { message: 'Second' },
    );
    const obj = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.artifact?.revision === `master@sha1:${next}`,
    );
    expect(obj.status?.artifact?.digest).not.toBe(before?.digest);
    const dir = await unpack(obj.status?.artifact?.url ?? '');
    expect(await readFile(join(dir, 'deploy/app.yaml'), 'utf8')).toContain('spec: {}');
    await eventually(async () =>
      env.events.find(
        (e) => e.reason === 'NewArtifact' && e.message === "stored artifact for commit 'Second'",
      ),
    );
  });

  it('follows a tag, a semver range and a commit with Flux’s revision formats', async () => {
    const c1 = await repo.tag('v1.0.0');
    await repo.commit({ VERSION: '1.1.0' }, { message: 'Release 1.1' });
    const c2 = await repo.tag('v1.1.0');
    const cases: [string, Record<string, string>, string][] = [
      ['by-tag', { tag: 'v1.0.0' }, `v1.0.0@sha1:${c1}`],
      ['by-semver', { semver: '>=1.0.0 <2.0.0' }, `v1.1.0@sha1:${c2}`],
      ['by-commit', { commit: c1, branch: 'master' }, `master@sha1:${c1}`],
    ];
    for (const [name, ref] of cases) {
      await env.kube.create({
        ...GIT,
        metadata: { name, namespace: 'default' },
        spec: { url: repo.url, interval: '1m', ref, secretRef: { name: 'git-auth' } },
      });
    }
    for (const [name, , revision] of cases) {
      const obj = await waitForReady(env.kube, { ...GIT, namespace: 'default', name }, 'True');
      expect(obj.status?.artifact?.revision).toBe(revision);
    }
  });

  it('applies spec.ignore and records observedIgnore, echoing requestedAt to lastHandledReconcileAt', async () => {
    const ref = { ...GIT, namespace: 'default', name: 'podinfo' };
    await env.kube.patch(ref, {
      metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-1' } },
      spec: { ignore: '/*\n!/deploy\n' },
    });
    const obj = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.observedIgnore === '/*\n!/deploy\n',
    );
    expect(obj.status?.lastHandledReconcileAt).toBe('now-1');
    expect(await files(await unpack(obj.status?.artifact?.url ?? ''))).toEqual(['deploy/app.yaml']);
  });

  it('includes the artifact of another GitRepository under toPath and follows its changes', async () => {
    const other = await server.createRepo('shared');
    await other.commit({ 'base/config.yaml': 'a: 1\n' });
    await env.kube.create({
      ...GIT,
      metadata: { name: 'shared', namespace: 'default' },
      spec: { url: other.url, interval: '1m', secretRef: { name: 'git-auth' } },
    });
    await env.kube.create({
      ...GIT,
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        url: repo.url,
        interval: '1m',
        secretRef: { name: 'git-auth' },
        include: [{ repository: { name: 'shared' }, fromPath: 'base', toPath: 'vendor/shared' }],
      },
    });
    const ref = { ...GIT, namespace: 'default', name: 'app' };
    const obj = await waitForReady(env.kube, ref, 'True');
    expect((obj.status?.includedArtifacts as unknown[] | undefined)?.length).toBe(1);
    const dir = await unpack(obj.status?.artifact?.url ?? '');
    expect(await readFile(join(dir, 'vendor/shared/config.yaml'), 'utf8')).toBe('a: 1\n');
    await other.commit({ 'base/config.yaml': 'a: 2\n' });
    await env.kube.patch(
      { ...GIT, namespace: 'default', name: 'shared' },
      {
        metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'now-2' } },
      },
    );
    const updated = await waitForReady(
      env.kube,
      ref,
      'True',
      (o) => o.status?.artifact?.digest !== obj.status?.artifact?.digest,
    );
    const dir2 = await unpack(updated.status?.artifact?.url ?? '');
    expect(await readFile(join(dir2, 'vendor/shared/config.yaml'), 'utf8')).toBe('a: 2\n');
  });

  it('removes the artifacts and the finalizer when the GitRepository is deleted', async () => {
    const ref = { ...GIT, namespace: 'default', name: 'by-tag' };
    const obj = await env.kube.get<Source>(ref);
    await env.kube.delete(ref);
    await eventually(async () => !(await env.kube.tryGet(ref)));
    const res = await fetch(obj.status?.artifact?.url ?? '');
    expect(res.status).toBe(404);
  });
});
