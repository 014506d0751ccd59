import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { extractTarball, MediaType, OciClient } from '../../src/source/index.js';
import { type Registry, startRegistry } from '../harness/servers/registry.js';
import { rawTarGz } from '../source/raw-tar.js';
import {
  type ControllerEnv,
  conditionOf,
  download,
  eventually,
  sha256,
  startControllerEnv,
  waitForReady,
} from './support.js';

const OCI = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository' };
const creds = { username: 'robot', password: 'pa55' };

let env: ControllerEnv;
let registry: Registry;
let secured: Registry;
let tmp: string;

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmp, 'tree-'));
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c);
  }
  return dir;
}

async function sluice(...args: string[]): Promise<void> {
  const code = await main(args);
  expect(code).toBe(0);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-ocirepo-'));
  [env, registry, secured] = await Promise.all([
    startControllerEnv({ maxArtifactBytes: 1024 * 1024 }),
    startRegistry(),
    startRegistry({ tokenAuth: creds }),
  ]);
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred', namespace: 'default' },
    stringData: creds,
  });
  await env.kube.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'badcred', namespace: 'default' },
    stringData: { username: 'robot', password: 'nope' },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([env?.stop(), registry?.close(), secured?.close()]);
  await rm(tmp, { recursive: true, force: true });
});

const ref = (name: string) => ({ ...OCI, namespace: 'default', name });

describe('OCIRepository against a distribution registry', () => {
  it('stores artifacts pushed with sluice push artifact and follows a semver range to new tags', async () => {
    const url = `oci://${registry.host}/manifests/app`;
    const v1 = await tree({ 'deploy.yaml': 'kind: Deployment\n' });
    await sluice(
      'push',
      'artifact',
      `${url}:1.0.0`,
      '--path',
      v1,
      '--source',
      'https://git.example/app',
      '--revision',
      'main@sha1:1111111111111111111111111111111111111111',
      '--insecure-registry',
    );
    await env.kube.create({
      ...OCI,
      metadata: { name: 'app', namespace: 'default' },
      spec: { url, interval: '1s', insecure: true, ref: { semver: '>=1.0.0' } },
    });
    const first = await waitForReady(env.kube, ref('app'), 'True');
    expect(first.status?.artifact?.revision).toMatch(/^1\.0\.0@sha256:[0-9a-f]{64}$/);
    expect(first.status?.artifact?.metadata?.['org.opencontainers.image.source']).toBe(
      'https://git.example/app',
    );
    expect(first.status?.artifact?.path).toMatch(/^ocirepository\/default\/app\//);
    const bytes = await download(first.status?.artifact?.url ?? '');
    expect(await sha256(bytes)).toBe(first.status?.artifact?.digest);

    const v2 = await tree({ 'deploy.yaml': 'kind: Deployment\nspec: {replicas: 2}\n' });
    await sluice(
      'push',
      'artifact',
      `${url}:1.1.0`,
      '--path',
      v2,
      '--source',
      'https://git.example/app',
      '--revision',
      'main@sha1:2222222222222222222222222222222222222222',
      '--insecure-registry',
    );
    const second = await waitForReady(env.kube, ref('app'), 'True', (o) =>
      (o.status?.artifact?.revision ?? '').startsWith('1.1.0@'),
    );
    expect(conditionOf(second, 'Ready')?.message).toBe(
      `stored artifact for revision '${second.status?.artifact?.revision}'`,
    );
    const dir = await mkdtemp(join(tmp, 'out-'));
    await extractTarball(await download(second.status?.artifact?.url ?? ''), dir);
    expect(await readFile(join(dir, 'deploy.yaml'), 'utf8')).toContain('replicas: 2');
    const event = await eventually(async () =>
      env.events.find((e) => e.involvedObject.name === 'app' && e.message.includes("revision '1.1.0@")),
    );
    expect(event.reason).toBe('NewArtifact');
    expect(event.message).toBe(
      `stored artifact with revision '${second.status?.artifact?.revision}' from '${url}'`,
    );
  });

  it('pulls with registry credentials from the secret, and reports wrong ones as AuthenticationFailed', async () => {
    const url = `oci://${secured.host}/private/app`;
    await sluice(
      'push',
      'artifact',
      `${url}:latest`,
      '--path',
      await tree({ 'a.yaml': 'a: 1\n' }),
      '--source',
      's',
      '--revision',
      'r',
      '--insecure-registry',
      '--creds',
      `${creds.username}:${creds.password}`,
    );
    await env.kube.create({
      ...OCI,
      metadata: { name: 'private', namespace: 'default' },
      spec: { url, interval: '1m', insecure: true, secretRef: { name: 'regcred' } },
    });
    await env.kube.create({
      ...OCI,
      metadata: { name: 'private-bad', namespace: 'default' },
      spec: { url, interval: '1m', insecure: true, secretRef: { name: 'badcred' } },
    });
    const ok = await waitForReady(env.kube, ref('private'), 'True');
    expect(ok.status?.artifact?.revision).toMatch(/^latest@sha256:/);
    const bad = await waitForReady(env.kube, ref('private-bad'), 'False');
    expect(conditionOf(bad, 'Ready')?.reason).toBe('AuthenticationFailed');
  });

  it('copies the selected layer as is with layerSelector operation copy', async () => {
    const url = `oci://${registry.host}/manifests/copy`;
    await sluice(
      'push',
      'artifact',
      `${url}:v1`,
      '--path',
      await tree({ 'c.yaml': 'c: 1\n' }),
      '--source',
      's',
      '--revision',
      'r',
      '--insecure-registry',
    );
    await env.kube.create({
      ...OCI,
      metadata: { name: 'copy', namespace: 'default' },
      spec: {
        url,
        interval: '1m',
        insecure: true,
        ref: { tag: 'v1' },
        layerSelector: { mediaType: MediaType.fluxContent, operation: 'copy' },
      },
    });
    const obj = await waitForReady(env.kube, ref('copy'), 'True');
    expect(obj.status?.observedLayerSelector).toEqual({
      mediaType: MediaType.fluxContent,
      operation: 'copy',
    });
    const client = new OciClient({}, { insecure: true });
    const { manifest } = await client.getManifest(registry.host, 'manifests/copy', 'v1');
    expect(obj.status?.artifact?.digest).toBe(manifest.layers?.[0]?.digest);
  });

  it('rejects a layer with path traversal and keeps no artifact', async () => {
    const client = new OciClient({}, { insecure: true });
    const evil = rawTarGz([{ path: '../../escape.yaml', data: 'x: 1\n' }]);
    const layer = await client.pushBlob(registry.host, 'manifests/evil', evil, MediaType.fluxContent);
    const config = await client.pushBlob(
      registry.host,
      'manifests/evil',
      Buffer.from('{}'),
      MediaType.fluxConfig,
    );
    await client.pushManifest(
      registry.host,
      'manifests/evil',
      'latest',
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] }),
      ),
      MediaType.ociManifest,
    );
    await env.kube.create({
      ...OCI,
      metadata: { name: 'evil', namespace: 'default' },
      spec: { url: `oci://${registry.host}/manifests/evil`, interval: '1m', insecure: true },
    });
    const obj = await waitForReady(env.kube, ref('evil'), 'False');
    expect(conditionOf(obj, 'Ready')?.reason).toBe('OCIArtifactLayerOperationFailed');
    expect(obj.status?.artifact).toBeUndefined();
    expect(
      await readdir(join(env.dir, 'artifacts', 'ocirepository', 'default')).catch(() => []),
    ).not.toContain('evil');
  });

  it('rejects a layer that expands beyond the size limit (a tarball bomb)', async () => {
    const url = `oci://${registry.host}/manifests/bomb`;
    const dir = await tree({ 'zeros.yaml': '0'.repeat(4 * 1024 * 1024) });
    await sluice(
      'push',
      'artifact',
      `${url}:latest`,
      '--path',
      dir,
      '--source',
      's',
      '--revision',
      'r',
      '--insecure-registry',
    );
    await env.kube.create({
      ...OCI,
      metadata: { name: 'bomb', namespace: 'default' },
      spec: { url, interval: '1m', insecure: true },
    });
    const obj = await waitForReady(env.kube, ref('bomb'), 'False');
    expect(conditionOf(obj, 'Ready')?.reason).toBe('OCIArtifactLayerOperationFailed');
    expect(obj.status?.artifact).toBeUndefined();
  });
});
