import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, Kustomization } from '../../api/index.js';
import type { KubeClient, KubeObject } from '../../kube/index.js';
import { createArchive } from '../../source/index.js';
import { StepError } from '../source-common/index.js';
import { ArtifactCache } from './artifact-cache.js';
import { ManifestBuilder } from './manifest-builder.js';

let tmp: string;
let server: Server;
let base: string;
const requests: string[] = [];
const archives: Record<string, { file: string; digest: string }> = {};

async function archive(name: string, files: Record<string, string>): Promise<void> {
  const dir = join(tmp, `src-${name}`);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const file = join(tmp, `${name}.tar.gz`);
  const { digest } = await createArchive(dir, file);
  archives[name] = { file, digest };
}

function artifact(name: string, digest = archives[name]!.digest): Artifact {
  return {
    path: `gitrepository/default/${name}/x.tar.gz`,
    url: `${base}/${name}.tar.gz`,
    revision: `main@sha1:${'0'.repeat(40)}`,
    digest,
    lastUpdateTime: new Date().toISOString(),
  };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-artifact-cache-'));
  await archive('one', {
    'apps/cm.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\ndata: {k: v}\n',
  });
  await archive('two', { 'README.md': 'two' });
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const name = (req.url ?? '').slice(1).replace(/\.tar\.gz$/, '');
    const a = archives[name];
    if (!a) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(a.file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await rm(tmp, { recursive: true, force: true });
});

describe('ArtifactCache', () => {
  it('downloads and extracts an artifact once for concurrent users', async () => {
    const cache = new ArtifactCache(join(tmp, 'cache-a'));
    requests.length = 0;
    const leases = await Promise.all(Array.from({ length: 5 }, () => cache.acquire(artifact('one'))));
    expect(requests).toEqual(['/one.tar.gz']);
    expect(new Set(leases.map((l) => l.dir)).size).toBe(1);
    expect(await readFile(join(leases[0]!.dir, 'apps/cm.yaml'), 'utf8')).toContain('kind: ConfigMap');
    for (const l of leases) l.release();
    await cache.acquire(artifact('one')).then((l) => l.release());
    expect(requests).toHaveLength(1);
    await cache.clear();
  });

  it('refuses an artifact whose digest does not match, and tries again next time', async () => {
    const cache = new ArtifactCache(join(tmp, 'cache-b'));
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(cache.acquire(artifact('one', wrong))).rejects.toThrow(
      `Artifact from ${base}/one.tar.gz does not match its digest: expected ${wrong}, got ${archives.one!.digest}`,
    );
    await expect(cache.acquire(artifact('missing', wrong))).rejects.toMatchObject({
      code: 'ArtifactFetchFailed',
      message: `Cannot download artifact from ${base}/missing.tar.gz: HTTP 404`,
    });
    const lease = await cache.acquire(artifact('one'));
    lease.release();
    await cache.clear();
  });

  it('removes idle trees beyond maxIdle, least recently used first, never one in use', async () => {
    const cache = new ArtifactCache(join(tmp, 'cache-c'), { maxIdle: 0 });
    const one = await cache.acquire(artifact('one'));
    const two = await cache.acquire(artifact('two'));
    two.release();
    await expect(stat(one.dir)).resolves.toBeDefined();
    await eventuallyGone(two.dir);
    one.release();
    await eventuallyGone(one.dir);
  });
});

async function eventuallyGone(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (!(await stat(dir).catch(() => undefined))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${dir} still exists`);
}

describe('ManifestBuilder', () => {
  // Without postBuild.substituteFrom the builder never calls the API server.
  const noKube = undefined as unknown as KubeClient;

  function ks(name: string, spec: Partial<Kustomization['spec']>): Kustomization & KubeObject {
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name, namespace: 'flux-system' },
      spec: { interval: '1m', prune: true, sourceRef: { kind: 'GitRepository', name: 'x' }, ...spec },
    } as Kustomization & KubeObject;
  }

  it('builds a plain folder with the object’s fields and shares results between identical inputs', async () => {
    const builder = new ManifestBuilder({ kube: noKube, artifacts: new ArtifactCache(join(tmp, 'cache-d')) });
    requests.length = 0;
    const spec = {
      path: './apps',
      targetNamespace: 'team-a',
      namePrefix: 'a-',
      commonMetadata: { labels: { team: 'a' } },
    };
    const first = await builder.objects(ks('one', spec), artifact('one'));
    const second = await builder.objects(ks('two', spec), artifact('one'));
    // Shared as JSON: equal objects, each caller its own copy.
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(requests).toHaveLength(1);
    expect(first).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a-cm', namespace: 'team-a', labels: { team: 'a' } },
        data: { k: 'v' },
      },
    ]);
    const other = await builder.objects(ks('three', { path: './apps', nameSuffix: '-x' }), artifact('one'));
    expect(other).not.toBe(first);
    expect(other[0]?.metadata.name).toBe('cm-x');
  });

  it('reports a build problem as BuildFailed naming the path', async () => {
    const builder = new ManifestBuilder({ kube: noKube, artifacts: new ArtifactCache(join(tmp, 'cache-e')) });
    const err = await builder
      .objects(ks('bad', { path: './nope' }), artifact('one'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err).toMatchObject({
      reason: 'BuildFailed',
      message: expect.stringMatching(/^kustomize build failed: .*nope/),
    });
  });
});
